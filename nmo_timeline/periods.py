"""Treatment periods and relapse rates (pure analysis; no matplotlib).

The rules (README, "How periods and relapse rates are computed"):

* Each therapy row has a role: ``acute`` (steroid pulses, plasma exchange,
  immunoadsorption, IVIG) or ``maintenance`` (everything else), from the
  registry, overridden row by row by a ``role`` column.  Only maintenance
  therapies define periods.
* A maintenance therapy is in effect: from ``start`` to ``end`` (inclusive)
  when the row has an end; from ``start`` to the cut-off when ``ongoing``; and,
  for a single administration, from that day until a *different* maintenance
  therapy starts, or else to the cut-off.
* Per patient, time from the first recorded date to the cut-off is cut into
  periods by the set of maintenance therapies in effect: ``untreated`` when
  none, else the therapies joined by `` + `` in alphabetical order.
* A period runs from its start up to (not including) the next period's start;
  the last period includes the cut-off day.  Length in years = days / 365.25.
* Relapses count in the period holding their onset; with ``grace_days`` N, a
  relapse in the first N days after a switch counts for the previous period.
* EDSS at start is the last value on or before the start, at most
  ``edss_window_days`` earlier; EDSS at end likewise before the period's end.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .errors import NmoTimelineError, list_preview
from .registry import MAINTENANCE, lookup, name_key

if TYPE_CHECKING:
    from .events import EventTable

UNTREATED = "untreated"
DAYS_PER_YEAR = 365.25
DEFAULT_EDSS_WINDOW = 180
STALE_SINGLE_DOSE_DAYS = 365
MIN_RELAPSE_GAP_DAYS = 30


class Period(NamedTuple):
    """One treatment period of one patient (immutable)."""

    patient: str
    regimen: str
    therapies: tuple[str, ...]
    start: date
    end: date  # exclusive, except for the last period, where it is the cut-off day
    last: bool
    relapses: int
    relapse_lines: tuple[int, ...]
    edss_start: float | None
    edss_end: float | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def years(self) -> float:
        return self.days / DAYS_PER_YEAR

    @property
    def arr(self) -> float | None:
        """Relapses per year; ``None`` for a period of zero length."""
        return self.relapses / self.years if self.days > 0 else None

    @property
    def edss_change(self) -> float | None:
        if self.edss_start is None or self.edss_end is None:
            return None
        return self.edss_end - self.edss_start


@dataclass
class PatientPeriods:
    """All periods of one patient, with the record's bounds."""

    patient: str
    record_start: date
    cutoff: date
    periods: list[Period]


@dataclass(frozen=True)
class CohortRow:
    """One regimen across patients."""

    regimen: str
    patients: int
    relapses: int
    years: float
    arr_pooled: float | None
    arr_median: float | None
    arr_min: float | None
    arr_max: float | None
    arr_mean: float | None
    arr_sd: float | None


@dataclass(frozen=True)
class CompareRow:
    """One patient's ARR before the first dose of a therapy vs on it."""

    patient: str
    first_dose: date
    years_before: float
    relapses_before: int
    arr_before: float | None
    years_on: float
    relapses_on: int
    arr_on: float | None

    @property
    def difference(self) -> float | None:
        if self.arr_before is None or self.arr_on is None:
            return None
        return self.arr_on - self.arr_before


@dataclass
class Comparison:
    therapy: str
    rows: list[CompareRow]
    without: list[str]

    @property
    def differences(self) -> list[float]:
        return [r.difference for r in self.rows if r.difference is not None]

    @property
    def median_difference(self) -> float | None:
        d = self.differences
        return statistics.median(d) if d else None

    @property
    def mean_difference(self) -> float | None:
        d = self.differences
        return statistics.fmean(d) if d else None


@dataclass
class Summary:
    """Everything ``nmo-timeline summary`` reports."""

    patients: list[PatientPeriods]
    cohort: list[CohortRow]
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)
    grace_days: int = 0
    edss_window_days: int = DEFAULT_EDSS_WINDOW


@lru_cache(maxsize=8192)
def therapy_key(name: str) -> tuple[str, str]:
    """(key, label) a therapy is grouped by: the registry's entry where known
    (so ``RTX`` and ``Rituximab`` are one therapy), else the name as written."""
    info = lookup(name)
    if info is not None:
        return info.key, info.label
    return name_key(name), " ".join(name.split())


class Row(NamedTuple):
    """One event as plain Python values (dates as :class:`datetime.date`, end None
    when absent): cheap to build for many patients, unlike pandas row objects."""

    line: int
    patient: str
    kind: str
    name: str
    start: date
    end: date | None
    ongoing: bool
    value: float
    role: str
    start_precision: str


def rows_by_patient(table: EventTable) -> dict[str, list[Row]]:
    """Each patient's rows as :class:`Row`, in file order."""
    ev = table.events
    epoch = date(1970, 1, 1).toordinal()
    cache: dict[int, date] = {}

    def days(col: str) -> list[date | None]:
        values = ev[col].to_numpy(dtype="datetime64[D]")
        ok = ~np.isnat(values)
        ordinals = values.astype(np.int64).tolist()
        out_days: list[date | None] = []
        for o, good in zip(ordinals, ok.tolist(), strict=True):
            if not good:
                out_days.append(None)
                continue
            d = cache.get(o)
            if d is None:
                d = cache[o] = date.fromordinal(o + epoch)
            out_days.append(d)
        return out_days

    out: dict[str, list[Row]] = defaultdict(list)
    columns = zip(ev["line"].tolist(), ev["patient"].tolist(), ev["kind"].tolist(),
                  ev["name"].tolist(), days("start"), days("end"), ev["ongoing"].tolist(),
                  ev["value"].tolist(), ev["role"].tolist(), ev["start_precision"].tolist(),
                  strict=True)
    for values in columns:
        row = Row(*values)
        out[row.patient].append(row)
    return out


def patient_periods(
    table: EventTable,
    patient: str,
    *,
    cutoff: date | None = None,
    grace_days: int = 0,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
    warnings: list[str] | None = None,
    rows: list[Row] | None = None,
) -> PatientPeriods:
    """Cut one patient's record into treatment periods (see module docstring).

    ``rows`` (this patient's rows from :func:`rows_by_patient`) saves a scan of
    the table when called for many patients.
    """
    warn = warnings if warnings is not None else []
    who = f"patient {patient}: " if table.has_patient_column else ""
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
            edss_end=edss_before(end, inclusive=last)))
    return PatientPeriods(patient, record_start, cutoff, periods)


def cohort_rows(patients: list[PatientPeriods]) -> list[CohortRow]:
    """Per regimen across patients: pooled ARR and per-patient ARR statistics."""
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    order: list[str] = []
    for pp in patients:
        for p in pp.periods:
            if p.regimen not in per:
                order.append(p.regimen)
            acc = per[p.regimen][p.patient]
            acc[0] += p.relapses
            acc[1] += p.years
    rows = []
    for regimen in order:
        by_patient = per[regimen]
        relapses = int(sum(v[0] for v in by_patient.values()))
        years = sum(v[1] for v in by_patient.values())
        arrs = [v[0] / v[1] for v in by_patient.values() if v[1] > 0]
        rows.append(CohortRow(
            regimen=regimen, patients=len(by_patient), relapses=relapses, years=years,
            arr_pooled=relapses / years if years > 0 else None,
            arr_median=statistics.median(arrs) if arrs else None,
            arr_min=min(arrs) if arrs else None,
            arr_max=max(arrs) if arrs else None,
            arr_mean=statistics.fmean(arrs) if arrs else None,
            arr_sd=statistics.stdev(arrs) if len(arrs) >= 2 else None))
    return rows


def compare_before_on(
    table: EventTable, patients: list[PatientPeriods], therapy: str
) -> Comparison:
    """Each patient's ARR before the first dose of ``therapy`` vs on it."""
    want_key, want_label = therapy_key(therapy)
    rows = []
    without = []
    by_patient = rows_by_patient(table)
    for pp in patients:
        matching = [r for r in by_patient[pp.patient]
                    if r.kind == "therapy" and therapy_key(r.name)[0] == want_key
                    and r.start <= pp.cutoff]
        if matching and all(r.role != MAINTENANCE for r in matching):
            raise NmoTimelineError(
                f"--compare needs a maintenance therapy; {want_label} is recorded as an acute "
                "treatment (set its role column to 'maintenance' if it is used to prevent "
                "relapses)")
        doses = [r.start for r in matching if r.role == MAINTENANCE]
        if not doses:
            without.append(pp.patient)
            continue
        first = min(doses)
        # the first dose opens a period, so the periods before it end on or before it
        before = [p for p in pp.periods if not p.last and p.end <= first]
        on = [p for p in pp.periods if want_key in p.therapies]
        yb = sum(p.years for p in before)
        rb = sum(p.relapses for p in before)
        yo = sum(p.years for p in on)
        ro = sum(p.relapses for p in on)
        rows.append(CompareRow(pp.patient, first, yb, rb, rb / yb if yb > 0 else None,
                               yo, ro, ro / yo if yo > 0 else None))
    return Comparison(want_label, rows, without)


def summarise(
    table: EventTable,
    *,
    patient: str | None = None,
    cutoff: date | None = None,
    grace_days: int = 0,
    compare: str | None = None,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
) -> Summary:
    """Periods per patient, the cohort table and (optionally) a before/on comparison.

    Parameters
    ----------
    table : EventTable
        Validated events, one or many patients.
    patient : str, optional
        Restrict to one patient.
    cutoff : date, optional
        End of observation; default: each patient's latest date in the file.
    grace_days : int
        Relapses in the first N days after a switch count for the previous period.
    compare : str, optional
        A therapy name: add each patient's ARR before its first dose vs on it.
    edss_window_days : int
        How far back an EDSS value may be to count at a period's start or end.

    Examples
    --------
    >>> from nmo_timeline import bundled_events_path, load_events
    >>> s = summarise(load_events(bundled_events_path()))
    >>> [p.regimen for p in s.patients[0].periods][:3]
    ['untreated', 'Mitoxantrone', 'Rituximab']
    """
    if grace_days < 0:
        raise NmoTimelineError("--grace-days must be 0 or more")
    if patient is not None:
        table = table.for_patient(patient)
    warnings: list[str] = []
    by_patient = rows_by_patient(table)
    pps = [patient_periods(table, p, cutoff=cutoff, grace_days=grace_days,
                           edss_window_days=edss_window_days, warnings=warnings,
                           rows=by_patient[p])
           for p in table.patients]
    comparison = compare_before_on(table, pps, compare) if compare else None
    if comparison is not None and comparison.without:
        warnings.insert(0, f"{len(comparison.without)} patient(s) never received "
                        f"{comparison.therapy} and are left out of the comparison: "
                        f"{list_preview(comparison.without)}")
        if not comparison.rows:
            raise NmoTimelineError(f"no patient received '{compare}'; nothing to compare")
    return Summary(pps, cohort_rows(pps), comparison, warnings, grace_days, edss_window_days)
