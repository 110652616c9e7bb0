"""Reference implementation of the period rules: one patient at a time, in plain Python.

This is the straightforward per-patient version the package used before the
array implementation in ``nmo_timeline.analysis``; the tests compare the two on
generated cohorts, so a change to either shows up as a disagreement.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from datetime import date, timedelta

from nmo_timeline.analysis.periods import (
    DEFAULT_EDSS_WINDOW,
    MAX_GAP_DAYS,
    MIN_PERIOD_DAYS,
    MIN_RELAPSE_GAP_DAYS,
    STALE_SINGLE_DOSE_DAYS,
    UNTREATED,
    PatientPeriods,
    Period,
    Row,
    rows_by_patient,
)
from nmo_timeline.domain.registry import MAINTENANCE
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import EventTable


def reference_periods(table: EventTable, *, cutoff: date | None = None, grace_days: int = 0,
                      edss_window_days: int = DEFAULT_EDSS_WINDOW,
                      min_period_days: int = MIN_PERIOD_DAYS, max_gap_days: int = MAX_GAP_DAYS,
                      warnings: list[str] | None = None) -> list[PatientPeriods]:
    by_patient = rows_by_patient(table)
    return [patient_periods(table, p, cutoff=cutoff, grace_days=grace_days,
                            edss_window_days=edss_window_days, min_period_days=min_period_days,
                            max_gap_days=max_gap_days, warnings=warnings, rows=by_patient[p])
            for p in table.patients]


def patient_periods(
    table: EventTable,
    patient: str,
    *,
    cutoff: date | None = None,
    grace_days: int = 0,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
    min_period_days: int = MIN_PERIOD_DAYS,
    max_gap_days: int = MAX_GAP_DAYS,
    warnings: list[str] | None = None,
    rows: list[Row] | None = None,
) -> PatientPeriods:
    """Cut one patient's record into treatment periods (see module docstring).

    ``rows`` (this patient's rows from :func:`rows_by_patient`) saves a scan of
    the table when called for many patients.
    """
    warn = warnings if warnings is not None else []
    who = f"patient {patient}: " if table.has_patient_column else ""
    therapy_key, lookup = table.registry.therapy_key, table.registry.lookup
    if rows is None:
        rows = rows_by_patient(table).get(patient, [])
    if not rows:
        raise NmoTimelineError(f"{table.source}: no events for patient '{patient}'")
    dates = [r.start for r in rows] + [r.end for r in rows if r.end is not None]
    record_start = min(dates)
    latest = max(dates)
    if cutoff is None:
        cutoff = latest
    elif cutoff < record_start:
        raise NmoTimelineError(
            f"{who}the cut-off {cutoff} is before the first recorded date {record_start}")
    stop_all = cutoff + timedelta(days=1)

    # --- maintenance therapy intervals [a, b)
    maint = sorted((r for r in rows if r.kind == "therapy" and r.role == MAINTENANCE
                    and r.start <= cutoff), key=lambda r: (r.start, r.line))
    labels: dict[str, str] = {}
    starts: dict[str, list[date]] = defaultdict(list)
    for r in maint:
        key, label = therapy_key(r.name)
        labels.setdefault(key, label)
        starts[key].append(r.start)
        if r.start_precision != "day":
            warn.append(f"{who}{label} on line {r.line} is dated only to the "
                        f"{r.start_precision}; the period boundary is placed on {r.start}")
    intervals: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for r in maint:
        key, label = therapy_key(r.name)
        a = r.start
        if r.ongoing:
            b = stop_all
        elif r.end is not None:
            b = min(r.end + timedelta(days=1), stop_all)
        else:
            later = [s for k, ss in starts.items() if k != key for s in ss if s > a]
            b = min(later) if later else stop_all
            if not later and (cutoff - a).days > STALE_SINGLE_DOSE_DAYS and a == max(starts[key]):
                warn.append(
                    f"{who}{label}: last dose on {a} (line {r.line}) is counted in effect until "
                    f"the cut-off {cutoff}, {(cutoff - a).days} days later, because no other "
                    "maintenance therapy starts; if it was stopped, record the stop as an "
                    "'end' date")
        if b > a:
            intervals[key].append((a, b))

    # --- segments between all boundaries, merged where the set of therapies is equal
    bounds = {record_start, stop_all}
    for ivs in intervals.values():
        for a, b in ivs:
            bounds.add(a)  # starts and stops lie within the record by construction
            bounds.add(b)
    edges = sorted(bounds)
    segments: list[tuple[date, date, tuple[str, ...]]] = []
    by_label = sorted(intervals, key=lambda k: labels[k].casefold())
    for a, b in itertools.pairwise(edges):
        active = tuple(k for k in by_label if any(s <= a < e for s, e in intervals[k]))
        if segments and segments[-1][2] == active:
            segments[-1] = (segments[-1][0], b, active)
        else:
            segments.append((a, b, active))
    if len(segments) > 1 and segments[-1][0] == cutoff:
        # a regimen ending the day before the cut-off would leave a zero-length last
        # period; the cut-off day joins the period before it instead
        prev = segments[-2]
        segments[-2:] = [(prev[0], stop_all, prev[2])]

    # --- a short untreated gap between two treated segments joins the one before it
    joined: list[tuple[date, date, tuple[str, ...]]] = []
    for i, (a, b, active) in enumerate(segments):
        if not active and 0 < i < len(segments) - 1 and (b - a).days <= max_gap_days:
            active = joined[-1][2]
        if joined and joined[-1][2] == active:
            joined[-1] = (joined[-1][0], b, active)
        else:
            joined.append((a, b, active))
    segments = joined

    for r in maint:
        key, label = therapy_key(r.name)
        info = lookup(r.name)
        if r.end is None or info is None or not info.long_acting:
            continue
        stop = r.end + timedelta(days=1)
        following = next((seg for seg in segments if seg[0] == stop), None)
        if following is not None and not following[2]:
            warn.append(
                f"{who}{label} on line {r.line} is recorded as a course ending {r.end}, "
                f"so the time until {following[1] if following[1] <= cutoff else cutoff} "
                "counts as untreated; its effect usually outlasts the infusions: record "
                "them as single administrations (no end) to count that time on "
                f"{label}")

    # --- relapses
    relapses = sorted(((r.start, r.line, r.start_precision) for r in rows
                       if r.kind == "relapse"), key=lambda x: (x[0], x[1]))
    after = [d for d, _, _ in relapses if d > cutoff]
    if after:
        warn.append(f"{who}{len(after)} relapse(s) after the cut-off {cutoff} are not counted")
    relapses = [x for x in relapses if x[0] <= cutoff]
    for (d1, l1, _), (d2, l2, _) in itertools.pairwise(relapses):
        if (d2 - d1).days < MIN_RELAPSE_GAP_DAYS:
            warn.append(f"{who}relapses on lines {l1} and {l2} are {(d2 - d1).days} days apart "
                        f"(under {MIN_RELAPSE_GAP_DAYS}); counted as two; if they are one attack, "
                        "keep one row")
    for d, line, precision in relapses:
        if precision != "day":
            warn.append(f"{who}relapse on line {line} is known only to the {precision}; it is "
                        f"counted on {d}")
    counts: list[list[int]] = [[] for _ in segments]
    seg_starts = [seg[0] for seg in segments]
    for d, line, _ in relapses:
        i = bisect.bisect_right(seg_starts, d) - 1
        if grace_days and i > 0 and (d - segments[i][0]).days < grace_days:
            i -= 1
        counts[i].append(line)

    # --- EDSS
    edss = sorted((r.start, float(r.value)) for r in rows if r.kind == "edss")

    edss_days = [d for d, _ in edss]

    def edss_before(limit: date, inclusive: bool) -> float | None:
        """The last value on (or, not inclusive, before) ``limit``, within the window."""
        i = (bisect.bisect_right if inclusive else bisect.bisect_left)(edss_days, limit) - 1
        if i < 0 or (limit - edss_days[i]).days > edss_window_days:
            return None
        return edss[i][1]

    periods = []
    for i, (a, b, active) in enumerate(segments):
        last = i == len(segments) - 1
        end = cutoff if last else b
        regimen = " + ".join(labels[k] for k in active) if active else UNTREATED
        periods.append(Period(
            patient=patient, regimen=regimen, therapies=active, start=a, end=end, last=last,
            relapses=len(counts[i]), relapse_lines=tuple(counts[i]),
            edss_start=edss_before(a, inclusive=True),
            edss_end=edss_before(end, inclusive=last),
            counted=(end - a).days >= min_period_days))
    return PatientPeriods(patient, record_start, cutoff, periods)
