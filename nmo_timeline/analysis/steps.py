"""The period rules as steps over every patient at once (array operations).

Each step is a function of named inputs returning a named, typed result, in the
order of the rules (README, "How periods and relapse rates are computed"):

1. :func:`read_events` and :func:`record_bounds`: the table as arrays; each
   patient's first recorded day and cut-off;
2. :func:`maintenance_rows`: the maintenance therapy rows (role rule);
3. :func:`in_effect`: how long each is in effect (the "in effect" rule);
4. :func:`cut_periods`: periods where the set of therapies in effect changes;
   :func:`join_switch_gaps`: a short untreated gap between two of them joins the one
   before it;
5. :func:`count_relapses`: each relapse in the period holding its onset;
6. :func:`edss_before`: EDSS at a period's start and end;
7. :func:`counted_periods`: which periods are long enough to report an ARR and to
   enter the cohort statistics.

Days are integers (days since 1970-01-01).  Where rows of all patients are
sorted together, a day is paired with its patient as one sortable number
(:class:`DayIndex`).  Warnings are collected as :class:`Note` with a named
:class:`Rule`, and reported patient by patient in rule order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..domain.registry import MAINTENANCE, Registry
from ..errors import NmoTimelineError

if TYPE_CHECKING:
    from ..load import EventTable

UNTREATED = "untreated"
STALE_SINGLE_DOSE_DAYS = 365
MIN_RELAPSE_GAP_DAYS = 30
EPOCH = date(1970, 1, 1).toordinal()


class Rule(IntEnum):
    """The rules that warn, in the order a patient's warnings are reported."""

    PARTIAL_BOUNDARY = 0  # a period boundary known only to the month or year
    STALE_SINGLE_DOSE = 1  # a last single dose counted in effect for over a year
    LONG_ACTING_COURSE = 2  # a long-acting agent with an end, then "untreated"
    AFTER_CUTOFF = 3  # relapses after the cut-off are not counted
    CLOSE_RELAPSES = 4  # two relapses under 30 days apart
    PARTIAL_RELAPSE = 5  # a relapse known only to the month or year


@dataclass(frozen=True)
class Note:
    """A warning: its patient, its rule, its place among that rule's warnings, its text."""

    patient: int
    rule: Rule
    order: int
    text: str


class Days:
    """Day numbers as :class:`datetime.date`, one object per distinct day."""

    def __init__(self) -> None:
        self._cache: dict[int, date] = {}

    def __call__(self, d: int) -> date:
        hit = self._cache.get(d)
        if hit is None:
            hit = self._cache[d] = date.fromordinal(d + EPOCH)
        return hit

    def many(self, days: np.ndarray) -> list[date]:
        uniq, inverse = np.unique(days, return_inverse=True)
        objects = np.array([self(d) for d in uniq.tolist()] + [None], dtype=object)[:-1]
        return list(objects[inverse.reshape(-1)].tolist())


@dataclass(frozen=True)
class Events:
    """The table's rows as arrays (file order); ``patient`` indexes ``patients``."""

    patients: list[str]
    named: bool  # the file has a patient column: warnings name the patient
    patient: np.ndarray
    line: np.ndarray
    kind: np.ndarray
    role: np.ndarray
    name: np.ndarray
    ongoing: np.ndarray
    value: np.ndarray
    precision: np.ndarray
    start: np.ndarray
    has_end: np.ndarray
    end: np.ndarray  # the last day of a course; the start day where there is none

    def rows(self, which: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
        """Positions of the ``which`` rows, by patient, start day, then ``tiebreak``."""
        rows = np.flatnonzero(which)
        return rows[np.lexsort((tiebreak[rows], self.start[rows], self.patient[rows]))]


@dataclass
class Notes:
    """The warnings of one analysis."""

    events: Events
    days: Days
    notes: list[Note] = field(default_factory=list)

    def add(self, patient: int, rule: Rule, order: int, text: str) -> None:
        who = f"patient {self.events.patients[patient]}: " if self.events.named else ""
        self.notes.append(Note(patient, rule, order, who + text))

    def in_order(self) -> list[str]:
        """Patient by patient (as they first appear), each in rule order."""
        return [n.text for n in sorted(self.notes, key=lambda n: (n.patient, n.rule, n.order))]


def read_events(table: EventTable) -> Events:
    ev = table.events
    codes, uniques = pd.factorize(ev["patient"].to_numpy(dtype=object))
    start = ev["start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    end = ev["end"].to_numpy(dtype="datetime64[D]")
    has_end = ~np.isnat(end)
    return Events(
        patients=list(uniques), named=table.has_patient_column,
        patient=codes.astype(np.int64), line=ev["line"].to_numpy(dtype=np.int64),
        kind=ev["kind"].to_numpy(dtype=object), role=ev["role"].to_numpy(dtype=object),
        name=ev["name"].to_numpy(dtype=object), ongoing=ev["ongoing"].to_numpy(dtype=bool),
        value=ev["value"].to_numpy(dtype=float),
        precision=ev["start_precision"].to_numpy(dtype=object), start=start, has_end=has_end,
        end=np.where(has_end, end.astype(np.int64), start))


@dataclass(frozen=True)
class Record:
    """Each patient's first recorded day and cut-off (the last day observed)."""

    start: np.ndarray
    cutoff: np.ndarray

    @property
    def stop(self) -> np.ndarray:
        """The day after the cut-off."""
        return self.cutoff + 1


def record_bounds(ev: Events, cutoff: date | None, days: Days) -> Record:
    """From each patient's first recorded date to the cut-off: ``cutoff``, or else the
    patient's latest date in the file."""
    n = len(ev.patients)
    start = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(start, ev.patient, np.minimum(ev.start, ev.end))
    if cutoff is None:
        latest = np.full(n, np.iinfo(np.int64).min)
        np.maximum.at(latest, ev.patient, np.maximum(ev.start, ev.end))
        return Record(start, latest)
    cut = np.full(n, cutoff.toordinal() - EPOCH)
    early = np.flatnonzero(cut < start)
    if len(early):
        p = int(early[0])
        who = f"patient {ev.patients[p]}: " if ev.named else ""
        raise NmoTimelineError(f"{who}the cut-off {cutoff} is before the first recorded date "
                               f"{days(int(start[p]))}")
    return Record(start, cut)


@dataclass(frozen=True)
class DayIndex:
    """One sortable number per (patient, day): ``patient * span + day - base``."""

    base: int
    span: int

    @classmethod
    def covering(cls, ev: Events, rec: Record) -> DayIndex:
        base = int(min(ev.start.min(), ev.end.min())) - 1
        span = int(max(rec.stop.max(), ev.start.max(), ev.end.max())) - base + 2
        return cls(base, span)

    def at(self, patient: np.ndarray | int, day: np.ndarray | int) -> np.ndarray:
        return np.asarray(patient) * self.span + (np.asarray(day) - self.base)


def group_ends(groups: np.ndarray) -> np.ndarray:
    """For each position of a sorted ``groups`` array: one past the group's last position."""
    return np.searchsorted(groups, groups, side="right")


def run_starts(*keys: np.ndarray) -> np.ndarray:
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


def run_ends(*keys: np.ndarray) -> np.ndarray:
    """True where a run of equal keys ends."""
    starts = run_starts(*keys)
    return np.append(starts[1:], True) if len(starts) else starts


@dataclass(frozen=True)
class Maintenance:
    """The maintenance rows on or before each cut-off, by patient, start and line.

    ``therapy`` codes the registry's therapy key (``keys[therapy]``); ``label`` is
    each row's therapy as the registry names it (or as written, when unknown);
    ``first_label`` the label a therapy was first written with in a patient's record.
    """

    rows: np.ndarray
    patient: np.ndarray
    start: np.ndarray
    therapy: np.ndarray
    keys: np.ndarray
    label: np.ndarray
    first_label: dict[tuple[int, int], str]


def maintenance_rows(ev: Events, rec: Record, notes: Notes, registry: Registry) -> Maintenance:
    """Only maintenance therapies define periods (the role rule)."""
    rows = ev.rows((ev.kind == "therapy") & (ev.role == MAINTENANCE)
                   & (ev.start <= rec.cutoff[ev.patient]), ev.line)
    patient, start = ev.patient[rows], ev.start[rows]
    name_codes, names = pd.factorize(ev.name[rows])
    keys_labels = [registry.therapy_key(n) for n in names]
    key_codes, keys = pd.factorize(np.array([k for k, _ in keys_labels], dtype=object))
    therapy = key_codes[name_codes] if len(rows) else np.zeros(0, dtype=np.int64)
    label_of_name = np.array([lab for _, lab in keys_labels], dtype=object)
    label = label_of_name[name_codes] if len(rows) else np.zeros(0, dtype=object)
    first = np.lexsort((np.arange(len(rows)), therapy, patient))
    firsts = first[run_starts(patient[first], therapy[first])]
    first_label = {(p, k): lab for p, k, lab in zip(
        patient[firsts].tolist(), therapy[firsts].tolist(), label[firsts].tolist(),
        strict=True)}
    for i in np.flatnonzero(ev.precision[rows] != "day").tolist():
        r = int(rows[i])
        notes.add(int(patient[i]), Rule.PARTIAL_BOUNDARY, i,
                  f"{label[i]} on line {ev.line[r]} is dated only to the {ev.precision[r]}; "
                  f"the period boundary is placed on {notes.days(int(start[i]))}")
    return Maintenance(rows, patient, start, therapy, np.asarray(keys, dtype=object), label,
                       first_label)


def in_effect(ev: Events, rec: Record, m: Maintenance, index: DayIndex,
              notes: Notes) -> np.ndarray:
    """The day after each maintenance row stops being in effect: its end, the cut-off,
    or (single administrations) the next start of a *different* therapy."""
    rows, patient, start, therapy = m.rows, m.patient, m.start, m.therapy
    n = len(rows)
    stop = rec.stop[patient]
    b = stop.copy()
    ended = ev.has_end[rows] & ~ev.ongoing[rows]
    b[ended] = np.minimum(ev.end[rows][ended] + 1, stop[ended])
    single = ~ev.has_end[rows] & ~ev.ongoing[rows]
    # the first later start of another therapy: the first row after this day if its
    # therapy differs, else the first row after that row's run of the same therapy
    where = index.at(patient, start)
    patient_end = group_ends(patient)
    j = np.searchsorted(where, where, side="right")
    jj = np.minimum(j, n - 1)
    runs = np.flatnonzero((therapy[1:] != therapy[:-1]) | (patient[1:] != patient[:-1])) + 1
    after_run = np.append(runs, n)[np.searchsorted(runs, jj, side="right")]
    other = np.where(therapy[jj] != therapy, j, after_run)
    has_later = single & (j < patient_end) & (other < patient_end)
    b[has_later] = start[np.minimum(other, n - 1)][has_later]
    # a last single dose counted in effect for over a year
    last_of_therapy = np.zeros(n, dtype=np.int64)
    if n:
        pk = np.lexsort((start, therapy, patient))
        group = patient[pk] * (len(m.keys) + 1) + therapy[pk]
        last_of_therapy[pk] = start[pk][group_ends(group) - 1]
    cut = rec.cutoff[patient]
    stale = (single & ~has_later & (cut - start > STALE_SINGLE_DOSE_DAYS)
             & (start == last_of_therapy))
    for i in np.flatnonzero(stale).tolist():
        a, c = notes.days(int(start[i])), notes.days(int(cut[i]))
        notes.add(int(patient[i]), Rule.STALE_SINGLE_DOSE, i,
                  f"{m.label[i]}: last dose on {a} (line {ev.line[rows[i]]}) is counted in "
                  f"effect until the cut-off {c}, {(c - a).days} days later, because no other "
                  "maintenance therapy starts; if it was stopped, record the stop as an "
                  "'end' date")
    return b


@dataclass(frozen=True)
class Periods:
    """Every patient's periods before relapses are counted, in patient and day order.

    ``therapies`` holds one bit per therapy key (64 per word) for the set in effect;
    ``stop`` is exclusive (the day after the cut-off for a patient's last period).
    """

    patient: np.ndarray
    start: np.ndarray
    where: np.ndarray  # DayIndex of the start
    therapies: np.ndarray
    first: np.ndarray
    last: np.ndarray
    stop: np.ndarray


def cut_periods(rec: Record, m: Maintenance, stops: np.ndarray, index: DayIndex) -> Periods:
    """Cut each record where the set of maintenance therapies in effect changes."""
    keep = stops > m.start
    patient, therapy, a, b = m.patient[keep], m.therapy[keep], m.start[keep], stops[keep]
    n_pat = len(rec.start)
    every = np.arange(n_pat)
    edges = np.unique(np.concatenate([
        index.at(every, rec.start), index.at(every, rec.stop),
        index.at(patient, a), index.at(patient, b)]))
    # overlapping intervals of one therapy merge, so each therapy adds its bit once
    order = np.lexsort((a, therapy, patient))
    patient, therapy, a, b = patient[order], therapy[order], a[order], b[order]
    group = patient * (len(m.keys) + 1) + therapy
    span, base = index.span, index.base
    reach = np.maximum.accumulate(group * span + (b - base)) if len(b) else b
    fresh = run_starts(group)
    fresh[1:] |= a[1:] - base > reach[:-1] - group[:-1] * span
    run_start = np.flatnonzero(fresh)
    run_last = np.append(run_start[1:], len(b)) - 1
    ra, rp, rk = a[run_start], patient[run_start], therapy[run_start]
    rb = reach[run_last] - group[run_last] * span + base if len(b) else b
    words = max(1, -(-len(m.keys) // 64))
    delta = np.zeros((len(edges), words), dtype=np.uint64)
    bit = np.left_shift(np.uint64(1), (rk % 64).astype(np.uint64))
    np.add.at(delta, (np.searchsorted(edges, index.at(rp, ra)), rk // 64), bit)
    np.subtract.at(delta, (np.searchsorted(edges, index.at(rp, rb)), rk // 64), bit)
    masks = np.cumsum(delta, axis=0, dtype=np.uint64)
    edge_patient = edges // span
    edge_day = edges % span + base
    # the last edge of each patient is the day after the cut-off: no period starts there
    starts = np.flatnonzero(run_starts(edge_patient, masks) & ~run_ends(edge_patient))
    sp, sday = edge_patient[starts], edge_day[starts]
    # a regimen ending the day before the cut-off would leave a zero-length last
    # period; the cut-off day joins the period before it instead
    drop = run_ends(sp) & ~run_starts(sp) & (sday == rec.cutoff[sp])
    starts, sp, sday = starts[~drop], sp[~drop], sday[~drop]
    last = run_ends(sp)
    stop = np.where(last, rec.stop[sp], np.append(sday[1:], 0))
    return Periods(sp, sday, index.at(sp, sday), masks[starts], run_starts(sp), last, stop)


def join_switch_gaps(per: Periods, max_gap: int) -> Periods:
    """Untreated time of at most ``max_gap`` days between two periods of maintenance
    therapy of one patient (a switch, or a short pause) joins the period before it:
    its relapses count for that regimen.  Untreated time before the first therapy and
    after the last is never joined."""
    untreated = ~per.therapies.any(axis=1)
    join = untreated & ~per.first & ~per.last & (per.stop - per.start <= max_gap)
    if not join.any():
        return per
    masks = per.therapies.copy()
    gaps = np.flatnonzero(join)
    masks[gaps] = masks[gaps - 1]  # neighbours differ, so the one before is treated
    starts = np.flatnonzero(run_starts(per.patient, masks))
    ends = np.append(starts[1:], len(masks)) - 1
    return Periods(per.patient[starts], per.start[starts], per.where[starts], masks[starts],
                   per.first[starts], per.last[ends], per.stop[ends])


def warn_long_acting_courses(ev: Events, rec: Record, m: Maintenance, per: Periods,
                             index: DayIndex, notes: Notes, registry: Registry) -> None:
    """A long-acting agent recorded as a course with an end, followed by 'untreated'."""
    rows = m.rows
    candidates = [i for i in np.flatnonzero(ev.has_end[rows]).tolist()
                  if (info := registry.lookup(ev.name[rows[i]])) is not None
                  and info.long_acting]
    for i in candidates:
        r, p = int(rows[i]), int(m.patient[i])
        after = int(index.at(p, int(ev.end[r]) + 1))
        s = int(np.searchsorted(per.where, after))
        if s >= len(per.where) or per.where[s] != after or per.therapies[s].any():
            continue
        label = m.label[i]
        until = min(int(per.stop[s]), int(rec.cutoff[p]))
        notes.add(p, Rule.LONG_ACTING_COURSE, i,
                  f"{label} on line {ev.line[r]} is recorded as a course ending "
                  f"{notes.days(int(ev.end[r]))}, so the time until {notes.days(until)} counts "
                  "as untreated; its effect usually outlasts the infusions: record them as "
                  f"single administrations (no end) to count that time on {label}")


@dataclass(frozen=True)
class Relapses:
    """The relapses counted: each one's period (index into :class:`Periods`) and line."""

    period: np.ndarray
    line: np.ndarray


def count_relapses(ev: Events, rec: Record, per: Periods, index: DayIndex, grace_days: int,
                   notes: Notes) -> Relapses:
    """Each relapse on or before the cut-off counts in the period holding its onset;
    with ``grace_days``, one in the first days after a switch counts for the period before."""
    rows = ev.rows(ev.kind == "relapse", ev.line)
    patient, day = ev.patient[rows], ev.start[rows]
    late = day > rec.cutoff[patient]
    for p, count in zip(*np.unique(patient[late], return_counts=True), strict=True):
        notes.add(int(p), Rule.AFTER_CUTOFF, 0, f"{count} relapse(s) after the cut-off "
                                               f"{notes.days(int(rec.cutoff[p]))} are not counted")
    rows, patient, day = rows[~late], patient[~late], day[~late]
    close = np.flatnonzero(~run_starts(patient)[1:] & (day[1:] - day[:-1] < MIN_RELAPSE_GAP_DAYS))
    for i in close.tolist():
        l1, l2 = ev.line[rows[i]], ev.line[rows[i + 1]]
        notes.add(int(patient[i]), Rule.CLOSE_RELAPSES, i,
                  f"relapses on lines {l1} and {l2} are {int(day[i + 1] - day[i])} days apart "
                  f"(under {MIN_RELAPSE_GAP_DAYS}); counted as two; if they are one attack, "
                  "keep one row")
    for i in np.flatnonzero(ev.precision[rows] != "day").tolist():
        notes.add(int(patient[i]), Rule.PARTIAL_RELAPSE, i,
                  f"relapse on line {ev.line[rows[i]]} is known only to the "
                  f"{ev.precision[rows[i]]}; it is counted on {notes.days(int(day[i]))}")
    s = np.searchsorted(per.where, index.at(patient, day), side="right") - 1
    if grace_days:
        early = ~per.first[s] & (day - per.start[s] < grace_days)
        s = s - early
    return Relapses(s, ev.line[rows])


def edss_before(ev: Events, index: DayIndex, window: int, patient: np.ndarray,
                limit: np.ndarray, inclusive: np.ndarray) -> np.ndarray:
    """The last EDSS on (or, where not ``inclusive``, before) ``limit``, at most ``window``
    days old, or NaN; on one day the highest value counts."""
    rows = ev.rows(ev.kind == "edss", ev.value)
    where = index.at(ev.patient[rows], ev.start[rows])
    q = index.at(patient, limit)
    i = np.where(inclusive, np.searchsorted(where, q, side="right"),
                 np.searchsorted(where, q, side="left")) - 1
    ok = i >= 0
    i = np.maximum(i, 0)
    if len(rows):
        ok &= (ev.patient[rows][i] == patient) & (limit - ev.start[rows][i] <= window)
        return np.where(ok, ev.value[rows][i], np.nan)
    return np.full(len(q), np.nan)


def counted_periods(per: Periods, end: np.ndarray, min_days: int) -> np.ndarray:
    """Periods of at least ``min_days`` days (``end`` - start; ``end`` is the cut-off day
    for a patient's last period): only they report an ARR and enter the cohort
    statistics.  A period of a few days holding a relapse would otherwise report an ARR
    of 50 or 100."""
    return (end - per.start) >= min_days


def regimen_names(m: Maintenance, per: Periods) -> list[tuple[str, tuple[str, ...]]]:
    """(regimen, therapy keys in label order) per period: ``untreated``, or the labels
    joined by `` + `` in alphabetical order.

    Named once per set of therapies, except where a therapy is written differently
    between patients (each patient's first spelling is its label).
    """
    uniq, inverse = np.unique(per.therapies, axis=0, return_inverse=True)
    spellings: dict[int, set[str]] = defaultdict(set)
    for (_, k), lab in m.first_label.items():
        spellings[k].add(lab)
    varies = {k for k, labs in spellings.items() if len(labs) > 1}

    def name(keys: list[int], p: int) -> tuple[str, tuple[str, ...]]:
        if not keys:
            return UNTREATED, ()
        labelled = sorted((m.first_label[p, k].casefold(), m.first_label[p, k], str(m.keys[k]))
                          for k in keys)
        return " + ".join(lab for _, lab, _ in labelled), tuple(k for _, _, k in labelled)

    inverse = inverse.reshape(-1)
    keys_of = [[w * 64 + b for w, word in enumerate(mask) for b in range(64) if word >> b & 1]
               for mask in uniq.tolist()]
    first_patient = per.patient[np.unique(inverse, return_index=True)[1]].tolist()
    shared = {i: name(keys, p) for i, (keys, p) in enumerate(zip(keys_of, first_patient,
                                                                  strict=True))
              if not varies.intersection(keys)}
    return [shared[i] if i in shared else name(keys_of[i], p)
            for i, p in zip(inverse.tolist(), per.patient.tolist(), strict=True)]
