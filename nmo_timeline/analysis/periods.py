"""Treatment periods and relapse rates (pure analysis; no matplotlib).

The rules (README, "How periods and relapse rates are computed"):

* Each therapy row has a role: ``acute`` (steroid pulses, plasma exchange,
  immunoadsorption, IVIG, short oral steroid courses) or ``maintenance``
  (everything else), decided when the file is read (the registry, the schedule
  of an acute agent, or a ``role`` column).  Only maintenance therapies define
  periods.
* A maintenance therapy is in effect: from ``start`` to ``end`` (inclusive)
  when the row has an end; from ``start`` to the cut-off when ``ongoing``; and,
  for a single administration, from that day until a *different* maintenance
  therapy starts, or else to the cut-off.
* Per patient, time from the first recorded date to the cut-off is cut into
  periods by the set of maintenance therapies in effect: ``untreated`` when
  none, else the therapies joined by `` + `` in alphabetical order.  An
  untreated gap of at most ``max_gap_days`` between two treated periods (a
  switch) joins the period before it.
* A period runs from its start up to (not including) the next period's start;
  the last one to the cut-off.  Its length is end - start in days (the cut-off
  day closes the record, as a switch day closes a period); years = days / 365.25.
* Relapses count in the period holding their onset (one on the cut-off day in
  the last); with ``grace_days`` N, a relapse in the first N days after a switch
  counts for the previous period.
* A period shorter than ``min_period_days`` reports no ARR and is left out of
  the cohort statistics.
* EDSS at start is the last value on or before the start, at most
  ``edss_window_days`` earlier; EDSS at end likewise before the period's end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..domain.time import DAYS_PER_YEAR, MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..errors import NmoTimelineError
from . import steps
from .steps import MIN_RELAPSE_GAP_DAYS, STALE_SINGLE_DOSE_DAYS, UNTREATED

if TYPE_CHECKING:
    from ..load import EventTable

DEFAULT_EDSS_WINDOW = 180
__all__ = ["DEFAULT_EDSS_WINDOW", "MAX_GAP_DAYS", "MIN_PERIOD_DAYS", "MIN_RELAPSE_GAP_DAYS",
           "STALE_SINGLE_DOSE_DAYS", "UNTREATED", "PatientPeriods", "Period", "Row",
           "all_patient_periods", "patient_periods", "rows_by_patient"]


class Period(NamedTuple):
    """One treatment period of one patient (immutable)."""

    patient: str
    regimen: str
    therapies: tuple[str, ...]
    start: date
    end: date  # the next period's start; for the last period, the cut-off day
    last: bool
    relapses: int
    relapse_lines: tuple[int, ...]
    edss_start: float | None
    edss_end: float | None
    counted: bool = True  # long enough (min_period_days) for an ARR and the cohort statistics

    @property
    def days(self) -> int:
        """``end - start``: the days from the start up to the next period's start (for the
        last period, up to the cut-off day)."""
        return (self.end - self.start).days

    @property
    def years(self) -> float:
        return self.days / DAYS_PER_YEAR

    @property
    def arr(self) -> float | None:
        """Relapses per year; ``None`` for a period shorter than the minimum (or of zero
        length)."""
        days = (self.end - self.start).days
        return self.relapses / (days / DAYS_PER_YEAR) if days > 0 and self.counted else None

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
    min_period_days: int = MIN_PERIOD_DAYS,
    max_gap_days: int = MAX_GAP_DAYS,
    warnings: list[str] | None = None,
) -> PatientPeriods:
    """Cut one patient's record into treatment periods (see module docstring)."""
    if patient not in set(table.events["patient"].tolist()):
        raise NmoTimelineError(f"{table.source}: no events for patient '{patient}'")
    return all_patient_periods(table.for_patient(patient), cutoff=cutoff, grace_days=grace_days,
                               edss_window_days=edss_window_days,
                               min_period_days=min_period_days, max_gap_days=max_gap_days,
                               warnings=warnings)[0]


def all_patient_periods(
    table: EventTable,
    *,
    cutoff: date | None = None,
    grace_days: int = 0,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
    min_period_days: int = MIN_PERIOD_DAYS,
    max_gap_days: int = MAX_GAP_DAYS,
    warnings: list[str] | None = None,
) -> list[PatientPeriods]:
    """Every patient's periods, in the order patients first appear (module docstring).

    All patients are handled at once with array operations, one step per rule
    (:mod:`nmo_timeline.analysis.steps`).  Warnings are appended to ``warnings``
    patient by patient, in the order of the rules.  ``min_period_days``: shorter
    periods report no ARR (``Period.counted`` is false); ``max_gap_days``: untreated
    gaps up to this long between two therapies join the period before (0: none).
    Therapy names are read through ``table.registry``.
    """
    if min_period_days < 0 or max_gap_days < 0:
        raise NmoTimelineError("--min-period-days and --max-gap-days must be 0 or more")
    days = steps.Days()
    ev = steps.read_events(table)
    notes = steps.Notes(ev, days)
    rec = steps.record_bounds(ev, cutoff, days)
    index = steps.DayIndex.covering(ev, rec)
    maintenance = steps.maintenance_rows(ev, rec, notes, table.registry)
    stops = steps.in_effect(ev, rec, maintenance, index, notes)
    periods = steps.cut_periods(rec, maintenance, stops, index)
    periods = steps.join_switch_gaps(periods, max_gap_days)
    steps.warn_long_acting_courses(ev, rec, maintenance, periods, index, notes,
                                   table.registry)
    relapses = steps.count_relapses(ev, rec, periods, index, grace_days, notes)
    end = np.where(periods.last, rec.cutoff[periods.patient], periods.stop)
    counted = steps.counted_periods(periods, end, min_period_days)
    edss_start = steps.edss_before(ev, index, edss_window_days, periods.patient, periods.start,
                                   np.ones(len(end), dtype=bool))
    edss_end = steps.edss_before(ev, index, edss_window_days, periods.patient, end,
                                 periods.last)
    if warnings is not None:
        warnings.extend(notes.in_order())
    return _assemble(ev, rec, periods, end, relapses, edss_start, edss_end,
                     steps.regimen_names(maintenance, periods), days, counted)


def _assemble(ev: steps.Events, rec: steps.Record, per: steps.Periods, end: np.ndarray,
              relapses: steps.Relapses, edss_start: np.ndarray, edss_end: np.ndarray,
              regimens: list[tuple[str, tuple[str, ...]]], days: steps.Days,
              counted: np.ndarray) -> list[PatientPeriods]:
    """The arrays as :class:`PatientPeriods` of :class:`Period` (dates as date objects)."""
    counts = np.bincount(relapses.period, minlength=len(per.patient))
    bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
    lines = relapses.line.tolist()
    record_start, cut = days.many(rec.start), days.many(rec.cutoff)
    out: list[PatientPeriods] = []
    periods: list[Period] = []
    columns = zip(per.patient.tolist(), days.many(per.start), days.many(end), per.last.tolist(),
                  counts.tolist(), edss_start.tolist(), edss_end.tolist(), regimens,
                  counted.tolist(), strict=True)
    for i, (p, a, e, is_last, count, es, ee, (regimen, keys), ok) in enumerate(columns):
        periods.append(Period(
            ev.patients[p], regimen, keys, a, e, is_last, count,
            tuple(lines[bounds[i]:bounds[i + 1]]),
            None if es != es else es, None if ee != ee else ee, ok))
        if is_last:
            out.append(PatientPeriods(ev.patients[p], record_start[p], cut[p], periods))
            periods = []
    return out
