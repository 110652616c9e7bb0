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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..domain.registry import MAINTENANCE, lookup, therapy_key
from ..domain.time import DAYS_PER_YEAR
from ..errors import NmoTimelineError

if TYPE_CHECKING:
    from ..load import EventTable

UNTREATED = "untreated"
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
        days = (self.end - self.start).days
        return self.relapses / (days / DAYS_PER_YEAR) if days > 0 else None

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
    warnings: list[str] | None = None,
) -> PatientPeriods:
    """Cut one patient's record into treatment periods (see module docstring)."""
    if patient not in set(table.events["patient"].tolist()):
        raise NmoTimelineError(f"{table.source}: no events for patient '{patient}'")
    return all_patient_periods(table.for_patient(patient), cutoff=cutoff, grace_days=grace_days,
                               edss_window_days=edss_window_days, warnings=warnings)[0]


def all_patient_periods(
    table: EventTable,
    *,
    cutoff: date | None = None,
    grace_days: int = 0,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
    warnings: list[str] | None = None,
) -> list[PatientPeriods]:
    """Every patient's periods, in the order patients first appear (module docstring).

    All patients are handled at once with array operations: maintenance
    intervals, the boundaries between them, the set of therapies in effect
    (a bit per therapy, summed along each patient's boundaries), relapse
    counts and EDSS look-ups.  Warnings are appended to ``warnings`` patient
    by patient, in the order the rules produce them.
    """
    return _PeriodSweep(table, cutoff, grace_days, edss_window_days).run(
        warnings if warnings is not None else [])


_EPOCH = date(1970, 1, 1).toordinal()


def _group_ends(groups: np.ndarray) -> np.ndarray:
    """For each position of a sorted ``groups`` array: one past the group's last position."""
    return np.searchsorted(groups, groups, side="right")


def _firsts(*keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys starts (keys sorted; a 2-D key compares rows)."""
    n = len(keys[0])
    out = np.ones(n, dtype=bool)
    if n > 1:
        differs = np.zeros(n - 1, dtype=bool)
        for key in keys:
            step = key[1:] != key[:-1]
            differs |= step.any(axis=1) if step.ndim > 1 else step
        out[1:] = differs
    return out


def _lasts(*keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys ends."""
    firsts = _firsts(*keys)
    return np.append(firsts[1:], True) if len(firsts) else firsts


class _PeriodSweep:
    """The period rules over a whole table; one method per step."""

    def __init__(self, table: EventTable, cutoff: date | None, grace_days: int,
                 edss_window_days: int):
        ev = table.events
        self.table = table
        self._days: dict[int, date] = {}
        self.grace = grace_days
        self.window = edss_window_days
        codes, uniques = pd.factorize(ev["patient"].to_numpy(dtype=object))
        self.patients: list[str] = list(uniques)
        self.pc = codes.astype(np.int64)
        self.line = ev["line"].to_numpy(dtype=np.int64)
        self.kind = ev["kind"].to_numpy(dtype=object)
        self.role = ev["role"].to_numpy(dtype=object)
        self.name = ev["name"].to_numpy(dtype=object)
        self.ongoing = ev["ongoing"].to_numpy(dtype=bool)
        self.value = ev["value"].to_numpy(dtype=float)
        self.precision = ev["start_precision"].to_numpy(dtype=object)
        self.start = ev["start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        end = ev["end"].to_numpy(dtype="datetime64[D]")
        self.has_end = ~np.isnat(end)
        self.end = np.where(self.has_end, end.astype(np.int64), self.start)
        n_pat = len(self.patients)
        self.record_start = np.full(n_pat, np.iinfo(np.int64).max)
        np.minimum.at(self.record_start, self.pc, np.minimum(self.start, self.end))
        latest = np.full(n_pat, np.iinfo(np.int64).min)
        np.maximum.at(latest, self.pc, np.maximum(self.start, self.end))
        if cutoff is None:
            self.cut = latest
        else:
            self.cut = np.full(n_pat, cutoff.toordinal() - _EPOCH)
            early = np.flatnonzero(self.cut < self.record_start)
            if len(early):
                p = int(early[0])
                raise NmoTimelineError(
                    f"{self.who(p)}the cut-off {cutoff} is before the first recorded date "
                    f"{self.day(int(self.record_start[p]))}")
        self.stop = self.cut + 1
        # one sortable number per (patient, day)
        self.base = int(min(self.start.min(), self.end.min())) - 1
        self.span = int(max(self.stop.max(), self.start.max(), self.end.max())) - self.base + 2
        self.notes: list[tuple[int, int, int, str]] = []  # patient, rule, order, warning

    # ----------------------------------------------------------------- helpers
    def who(self, p: int) -> str:
        return f"patient {self.patients[p]}: " if self.table.has_patient_column else ""

    def day(self, d: int) -> date:
        hit = self._days.get(d)
        if hit is None:
            hit = self._days[d] = date.fromordinal(d + _EPOCH)
        return hit

    def at(self, p: Any, d: Any) -> Any:
        return p * self.span + (d - self.base)

    def warn(self, p: int, rule: int, order: int, text: str) -> None:
        self.notes.append((p, rule, order, self.who(p) + text))

    def rows_of(self, which: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
        """Positions of the ``which`` rows, by patient, start day, then ``tiebreak``."""
        rows = np.flatnonzero(which)
        return rows[np.lexsort((tiebreak[rows], self.start[rows], self.pc[rows]))]

    # ----------------------------------------------------------------- steps
    def run(self, warnings: list[str]) -> list[PatientPeriods]:
        self.maintenance()
        self.intervals()
        self.segments()
        self.long_acting_courses()
        self.relapses()
        periods = self.assemble()
        self.notes.sort(key=lambda w: w[:3])
        warnings.extend(w[3] for w in self.notes)
        return periods

    def maintenance(self) -> None:
        """Maintenance rows on or before the cut-off, by patient, start and line."""
        rows = self.rows_of((self.kind == "therapy") & (self.role == MAINTENANCE)
                            & (self.start <= self.cut[self.pc]), self.line)
        self.m = rows
        self.mp, self.ma = self.pc[rows], self.start[rows]
        name_codes, names = pd.factorize(self.name[rows])
        keys_labels = [therapy_key(n) for n in names]
        key_codes, self.keys = pd.factorize(np.array([k for k, _ in keys_labels], dtype=object))
        self.mk = key_codes[name_codes] if len(rows) else np.zeros(0, dtype=np.int64)
        label_of_name = np.array([lab for _, lab in keys_labels], dtype=object)
        self.mlabel = label_of_name[name_codes] if len(rows) else np.zeros(0, dtype=object)
        # a therapy's label is the first one written for it in the patient's record
        first = np.lexsort((np.arange(len(rows)), self.mk, self.mp))
        firsts = first[_firsts(self.mp[first], self.mk[first])]
        self.label: dict[tuple[int, int], str] = {
            (p, k): lab for p, k, lab in zip(self.mp[firsts].tolist(), self.mk[firsts].tolist(),
                                             self.mlabel[firsts].tolist(), strict=True)}
        for i in np.flatnonzero(self.precision[rows] != "day").tolist():
            p, r = int(self.mp[i]), int(rows[i])
            self.warn(p, 0, i, f"{self.mlabel[i]} on line {self.line[r]} is dated only to "
                               f"the {self.precision[r]}; the period boundary is placed on "
                               f"{self.day(int(self.ma[i]))}")

    def intervals(self) -> None:
        """[a, b) for each maintenance row: its end, the cut-off, or (single
        administrations) the next start of a different maintenance therapy."""
        rows, mp, ma, mk = self.m, self.mp, self.ma, self.mk
        n = len(rows)
        stop = self.stop[mp]
        b = stop.copy()
        ended = self.has_end[rows] & ~self.ongoing[rows]
        b[ended] = np.minimum(self.end[rows][ended] + 1, stop[ended])
        single = ~self.has_end[rows] & ~self.ongoing[rows]
        # the first later start of another therapy: the first row after this day if its
        # therapy differs, else the first row after that row's run of the same therapy
        where = self.at(mp, ma)
        patient_end = _group_ends(mp)
        j = np.searchsorted(where, where, side="right")
        jj = np.minimum(j, n - 1)
        runs = np.flatnonzero((mk[1:] != mk[:-1]) | (mp[1:] != mp[:-1])) + 1
        after_run = np.append(runs, n)[np.searchsorted(runs, jj, side="right")]
        other = np.where(mk[jj] != mk, j, after_run)
        has_later = single & (j < patient_end) & (other < patient_end)
        b[has_later] = ma[np.minimum(other, n - 1)][has_later]
        # a last single dose counted in effect for over a year
        last_of_therapy = np.zeros(n, dtype=np.int64)
        if n:
            pk = np.lexsort((ma, mk, mp))
            group = mp[pk] * (len(self.keys) + 1) + mk[pk]
            last_of_therapy[pk] = ma[pk][_group_ends(group) - 1]
        cut = self.cut[mp]
        stale = single & ~has_later & (cut - ma > STALE_SINGLE_DOSE_DAYS) & (ma == last_of_therapy)
        for i in np.flatnonzero(stale).tolist():
            p = int(mp[i])
            a, c = self.day(int(ma[i])), self.day(int(cut[i]))
            self.warn(p, 1, i,
                      f"{self.mlabel[i]}: last dose on {a} (line {self.line[rows[i]]}) is "
                      f"counted in effect until the cut-off {c}, {(c - a).days} days later, "
                      "because no other maintenance therapy starts; if it was stopped, record "
                      "the stop as an 'end' date")
        self.mb = b

    def segments(self) -> None:
        """Periods: runs of days with the same set of therapies in effect."""
        keep = self.mb > self.ma
        mp, mk, ma, mb = self.mp[keep], self.mk[keep], self.ma[keep], self.mb[keep]
        n_pat = len(self.patients)
        every = np.arange(n_pat)
        edges = np.unique(np.concatenate([
            self.at(every, self.record_start), self.at(every, self.stop),
            self.at(mp, ma), self.at(mp, mb)]))
        # overlapping intervals of one therapy merge, so each therapy adds its bit once
        order = np.lexsort((ma, mk, mp))
        mp, mk, ma, mb = mp[order], mk[order], ma[order], mb[order]
        group = mp * (len(self.keys) + 1) + mk
        reach = np.maximum.accumulate(group * self.span + (mb - self.base)) if len(mb) else mb
        fresh = _firsts(group)
        fresh[1:] |= ma[1:] - self.base > reach[:-1] - group[:-1] * self.span
        run_start = np.flatnonzero(fresh)
        run_last = np.append(run_start[1:], len(mb)) - 1
        ra, rp, rk = ma[run_start], mp[run_start], mk[run_start]
        rb = reach[run_last] - group[run_last] * self.span + self.base if len(mb) else mb
        words = max(1, -(-len(self.keys) // 64))
        delta = np.zeros((len(edges), words), dtype=np.uint64)
        bit = np.left_shift(np.uint64(1), (rk % 64).astype(np.uint64))
        np.add.at(delta, (np.searchsorted(edges, self.at(rp, ra)), rk // 64), bit)
        np.subtract.at(delta, (np.searchsorted(edges, self.at(rp, rb)), rk // 64), bit)
        masks = np.cumsum(delta, axis=0, dtype=np.uint64)
        ep = edges // self.span
        eday = edges % self.span + self.base
        # the last edge of each patient is the day after the cut-off: no period starts there
        starts = np.flatnonzero(_firsts(ep, masks) & ~_lasts(ep))
        sp, sday = ep[starts], eday[starts]
        # a regimen ending the day before the cut-off would leave a zero-length last
        # period; the cut-off day joins the period before it instead
        drop = _lasts(sp) & ~_firsts(sp) & (sday == self.cut[sp])
        starts, sp, sday = starts[~drop], sp[~drop], sday[~drop]
        self.sp, self.sday = sp, sday
        self.swhere = self.at(sp, sday)
        self.smask = masks[starts]
        self.slast, self.sfirst = _lasts(sp), _firsts(sp)
        nxt = np.append(sday[1:], 0)
        self.send = np.where(self.slast, self.stop[sp], nxt)  # exclusive

    def long_acting_courses(self) -> None:
        """Warn where a long-acting course with an end date is followed by 'untreated'."""
        rows = self.m
        cand = [i for i in np.flatnonzero(self.has_end[rows]).tolist()
                if (info := lookup(self.name[rows[i]])) is not None and info.long_acting]
        where = self.swhere
        for i in cand:
            r = int(rows[i])
            p = int(self.mp[i])
            stop = int(self.end[r]) + 1
            s = int(np.searchsorted(where, self.at(p, stop)))
            if s >= len(where) or where[s] != self.at(p, stop) or self.smask[s].any():
                continue
            label = self.mlabel[i]
            until = min(int(self.send[s]), int(self.cut[p]))
            self.warn(p, 2, i,
                      f"{label} on line {self.line[r]} is recorded as a course ending "
                      f"{self.day(int(self.end[r]))}, so the time until {self.day(until)} "
                      "counts as untreated; its effect usually outlasts the infusions: record "
                      "them as single administrations (no end) to count that time on "
                      f"{label}")

    def relapses(self) -> None:
        """Each relapse on or before the cut-off counted in the period holding its onset."""
        rows = self.rows_of(self.kind == "relapse", self.line)
        rp, rd = self.pc[rows], self.start[rows]
        late = rd > self.cut[rp]
        for p, count in zip(*np.unique(rp[late], return_counts=True), strict=True):
            self.warn(int(p), 3, 0, f"{count} relapse(s) after the cut-off "
                                    f"{self.day(int(self.cut[p]))} are not counted")
        rows, rp, rd = rows[~late], rp[~late], rd[~late]
        close = np.flatnonzero(~_firsts(rp)[1:] & (rd[1:] - rd[:-1] < MIN_RELAPSE_GAP_DAYS))
        for i in close.tolist():
            l1, l2 = self.line[rows[i]], self.line[rows[i + 1]]
            self.warn(int(rp[i]), 4, i,
                      f"relapses on lines {l1} and {l2} are {int(rd[i + 1] - rd[i])} days apart "
                      f"(under {MIN_RELAPSE_GAP_DAYS}); counted as two; if they are one attack, "
                      "keep one row")
        for i in np.flatnonzero(self.precision[rows] != "day").tolist():
            self.warn(int(rp[i]), 5, i,
                      f"relapse on line {self.line[rows[i]]} is known only to the "
                      f"{self.precision[rows[i]]}; it is counted on {self.day(int(rd[i]))}")
        s = np.searchsorted(self.swhere, self.at(rp, rd), side="right") - 1
        if self.grace:
            early = ~self.sfirst[s] & (rd - self.sday[s] < self.grace)
            s = s - early
        self.rseg = s
        self.rlines = self.line[rows]

    def edss_before(self, rows: Any, p: Any, limit: Any, inclusive: Any) -> Any:
        """The last EDSS (``rows``, sorted) on (or, not inclusive, before) ``limit``, within
        the window, or NaN; on one day the highest value counts."""
        where = self.at(self.pc[rows], self.start[rows])
        q = self.at(p, limit)
        i = np.where(inclusive, np.searchsorted(where, q, side="right"),
                     np.searchsorted(where, q, side="left")) - 1
        ok = i >= 0
        i = np.maximum(i, 0)
        if len(rows):
            ok &= (self.pc[rows][i] == p) & (limit - self.start[rows][i] <= self.window)
            return np.where(ok, self.value[rows][i], np.nan)
        return np.full(len(q), np.nan)

    def regimens(self) -> list[tuple[str, tuple[str, ...]]]:
        """(regimen, therapy keys in label order) per period.

        Named once per set of therapies, except where a therapy is written
        differently between patients (each patient's first spelling is its label).
        """
        uniq, inverse = np.unique(self.smask, axis=0, return_inverse=True)
        spellings: dict[int, set[str]] = defaultdict(set)
        for (_, k), lab in self.label.items():
            spellings[k].add(lab)
        varies = {k for k, labs in spellings.items() if len(labs) > 1}

        def name(keys: list[int], p: int) -> tuple[str, tuple[str, ...]]:
            if not keys:
                return UNTREATED, ()
            labelled = sorted((self.label[p, k].casefold(), self.label[p, k], str(self.keys[k]))
                              for k in keys)
            return " + ".join(lab for _, lab, _ in labelled), tuple(k for _, _, k in labelled)

        inverse = inverse.reshape(-1)
        keys_of = [[w * 64 + b for w, word in enumerate(mask) for b in range(64) if word >> b & 1]
                   for mask in uniq.tolist()]
        first_patient = self.sp[np.unique(inverse, return_index=True)[1]].tolist()
        shared = {m: name(keys, p) for m, (keys, p) in enumerate(zip(keys_of, first_patient,
                                                                      strict=True))
                  if not varies.intersection(keys)}
        return [shared[m] if m in shared else name(keys_of[m], p)
                for m, p in zip(inverse.tolist(), self.sp.tolist(), strict=True)]

    def dates(self, days: Any) -> list[date]:
        """Day numbers as :class:`datetime.date` objects (one object per distinct day)."""
        uniq, inverse = np.unique(days, return_inverse=True)
        objects = np.array([self.day(d) for d in uniq.tolist()] + [None], dtype=object)[:-1]
        return objects[inverse.reshape(-1)].tolist()

    def assemble(self) -> list[PatientPeriods]:
        sp, slast = self.sp, self.slast
        end = np.where(slast, self.cut[sp], self.send)
        edss = self.rows_of(self.kind == "edss", self.value)
        edss_start = self.edss_before(edss, sp, self.sday, np.ones(len(sp), dtype=bool))
        edss_end = self.edss_before(edss, sp, end, slast)
        counts = np.bincount(self.rseg, minlength=len(sp))
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        lines = self.rlines.tolist()
        patients = self.patients
        record_start = self.dates(self.record_start)
        cut = self.dates(self.cut)
        out: list[PatientPeriods] = []
        periods: list[Period] = []
        columns = zip(sp.tolist(), self.dates(self.sday), self.dates(end), slast.tolist(),
                      counts.tolist(), edss_start.tolist(), edss_end.tolist(), self.regimens(),
                      strict=True)
        for i, (p, a, e, is_last, count, es, ee, (regimen, keys)) in enumerate(columns):
            periods.append(Period(
                patients[p], regimen, keys, a, e, is_last, count,
                tuple(lines[bounds[i]:bounds[i + 1]]),
                None if es != es else es, None if ee != ee else ee))
            if is_last:
                out.append(PatientPeriods(patients[p], record_start[p], cut[p], periods))
                periods = []
        return out
