"""Treatment pathways: each patient's lines of maintenance therapy, counted across patients.

The lines come from the treatment periods (:mod:`.periods`), never from the
rows directly, so they follow the same rules as every other output:

* A **line** is a maintenance regimen: one therapy, or an add-on combination
  (``Azathioprine + Tocilizumab``), which is a regimen of its own.
* ``untreated`` periods are not lines, and a pause does not start a new line:
  the same regimen before and after an untreated gap is one line.
* A regimen resumed after *another* regimen is counted again (``A, B, A`` is
  three lines).
* A regimen held for less than the minimum period (``min_period_days``, such as
  the few days two therapies overlap at a switch) is not a line.
* A patient's **pathway** is the sequence of lines up to ``depth``; a patient
  without any maintenance therapy has the empty pathway.
* Pathways shared by fewer than ``min_patients`` patients are counted together
  as ``other`` (small counts can identify patients in a registry).

Regimens are grouped by their therapies (registry keys), so ``RTX`` and
``Rituximab`` are one regimen; each regimen is named as first written.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..domain.time import DAYS_PER_YEAR
from ..errors import NmoTimelineError
from .periods import (
    MAX_GAP_DAYS,
    MIN_PERIOD_DAYS,
    UNTREATED,
    PatientPeriods,
    all_patient_periods,
)

if TYPE_CHECKING:
    from ..load import EventTable

DEFAULT_DEPTH = 4
MAX_DEPTH = 8
OTHER = "other"

Regimen = tuple[str, ...]  # therapy keys, in the regimen name's order


@dataclass(frozen=True)
class TherapyLine:
    """One line of maintenance therapy of one patient.

    Attributes
    ----------
    therapies : tuple of str
        The regimen's therapy keys (registry keys, or the folded name).
    regimen : str
        The regimen as named in the patient's periods.
    start : date
        First day of the line.
    days : int
        Days on the regimen (its periods; untreated gaps inside the line do not count).
    on_at_cutoff : bool
        The patient is still on it at the cut-off (the time on it is censored there).
    """

    therapies: Regimen
    regimen: str
    start: date
    days: int
    on_at_cutoff: bool


@dataclass(frozen=True)
class Pathway:
    """One sequence of regimens and how many patients followed it."""

    therapies: tuple[Regimen, ...]
    sequence: tuple[str, ...]
    patients: int


@dataclass(frozen=True)
class LineRow:
    """One regimen at one line number, across patients.

    ``median_years`` is the median time on the line (a line a patient is still
    on at the cut-off counts up to the cut-off; ``on_at_cutoff`` says how many).
    A row with ``therapies`` ``None`` is ``other``: the regimens that fewer
    than ``min_patients`` patients had at that line; when ``other`` itself
    holds fewer, its median is not given (``None``).
    """

    line: int
    regimen: str
    therapies: Regimen | None
    patients: int
    median_years: float | None
    on_at_cutoff: int


@dataclass
class Pathways:
    """Everything ``nmo-timeline pathways`` reports."""

    patients: int
    depth: int
    min_patients: int
    pathways: list[Pathway]  # shared by at least min_patients patients, most patients first
    other_patients: int  # patients whose pathway is rarer
    other_pathways: int  # how many distinct pathways those are
    lines: list[LineRow]
    names: dict[Regimen, str]  # every regimen's display name
    counts: dict[tuple[Regimen, ...], int]  # every pathway, rare ones too (not for display)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``pathways --format json`` (README)."""
        return {
            "patients": self.patients,
            "depth": self.depth,
            "min_patients": self.min_patients,
            "pathways": [{"sequence": list(p.sequence), "patients": p.patients}
                         for p in self.pathways],
            "other": {"patients": self.other_patients, "pathways": self.other_pathways},
            "lines": [{"line": r.line, "regimen": r.regimen, "patients": r.patients,
                       "median_years": r.median_years, "on_at_cutoff": r.on_at_cutoff}
                      for r in self.lines],
            "warnings": list(self.warnings),
        }


def regimen_names(patients: list[PatientPeriods]) -> dict[Regimen, str]:
    """Each regimen (therapy keys) named as it is first written in ``patients``."""
    names: dict[Regimen, str] = {(): UNTREATED}
    for pp in patients:
        for p in pp.periods:
            names.setdefault(p.therapies, p.regimen)
    return names


def patient_lines(pp: PatientPeriods) -> list[TherapyLine]:
    """The lines of maintenance therapy in one patient's periods (module docstring)."""
    lines: list[TherapyLine] = []
    last = pp.periods[-1] if pp.periods else None
    for p in pp.periods:
        if not p.therapies:  # untreated: a gap, not a line
            continue
        if not p.counted:  # held for less than the minimum (an overlap at a switch)
            continue
        still_on = p is last
        if lines and lines[-1].therapies == p.therapies:  # resumed after a pause
            prev = lines[-1]
            lines[-1] = TherapyLine(prev.therapies, prev.regimen, prev.start,
                                    prev.days + p.days, still_on)
        else:
            lines.append(TherapyLine(p.therapies, p.regimen, p.start, p.days, still_on))
    return lines


def pathways_of(patients: list[PatientPeriods], *, depth: int = DEFAULT_DEPTH,
                min_patients: int = 1) -> Pathways:
    """Count the patients' pathways and summarise each line number.

    Parameters
    ----------
    patients : list of PatientPeriods
        From :func:`~nmo_timeline.analysis.periods.all_patient_periods`.
    depth : int
        Lines per pathway (1 to :data:`MAX_DEPTH`); later lines are not counted.
    min_patients : int
        Pathways (and, in the line table, regimens at a line) shared by fewer
        patients are counted as ``other``.

    Examples
    --------
    >>> from nmo_timeline.load import read_events_text
    >>> t = read_events_text("patient,kind,name,start,end\\n"
    ...                      "A,therapy,AZA,2010-01-01,2010-06-30\\n"
    ...                      "A,therapy,RTX,2011-01-01,\\nA,relapse,TM,2012-01-01,\\n", "x.csv")
    >>> [p.sequence for p in pathways_of(all_patient_periods(t)).pathways]
    [('Azathioprine', 'Rituximab')]
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise NmoTimelineError(f"--depth must be 1 to {MAX_DEPTH}, not {depth}")
    if min_patients < 1:
        raise NmoTimelineError(f"--min-patients must be 1 or more, not {min_patients}")
    names = regimen_names(patients)
    counts: Counter[tuple[Regimen, ...]] = Counter()
    at_line: dict[tuple[int, Regimen], list[TherapyLine]] = defaultdict(list)
    for pp in patients:
        lines = patient_lines(pp)[:depth]
        counts[tuple(line.therapies for line in lines)] += 1
        for i, line in enumerate(lines, start=1):
            at_line[i, line.therapies].append(line)
    common = [(seq, n) for seq, n in counts.items() if n >= min_patients]
    common.sort(key=lambda item: (-item[1], [names[r].casefold() for r in item[0]]))
    rare = [n for n in counts.values() if n < min_patients]
    pathways = [Pathway(seq, tuple(names[r] for r in seq), n) for seq, n in common]
    return Pathways(len(patients), depth, min_patients, pathways, sum(rare), len(rare),
                    _line_rows(at_line, names, min_patients), names, dict(counts))


def _line_rows(at_line: dict[tuple[int, Regimen], list[TherapyLine]],
               names: dict[Regimen, str], min_patients: int) -> list[LineRow]:
    """Per line number: each regimen (most patients first), then ``other``."""
    by_number: dict[int, list[tuple[Regimen, list[TherapyLine]]]] = defaultdict(list)
    for (number, regimen), lines in at_line.items():
        by_number[number].append((regimen, lines))
    rows: list[LineRow] = []
    for number in sorted(by_number):
        entries = sorted(by_number[number],
                         key=lambda item: (-len(item[1]), names[item[0]].casefold()))
        rare: list[TherapyLine] = []
        for regimen, lines in entries:
            if len(lines) < min_patients:
                rare.extend(lines)
                continue
            rows.append(_line_row(number, names[regimen], regimen, lines, min_patients))
        if rare:
            rows.append(_line_row(number, OTHER, None, rare, min_patients))
    return rows


def _line_row(number: int, name: str, regimen: Regimen | None, lines: list[TherapyLine],
              min_patients: int) -> LineRow:
    median = (statistics.median(line.days for line in lines) / DAYS_PER_YEAR
              if len(lines) >= min_patients else None)
    return LineRow(number, name, regimen, len(lines), median,
                   sum(line.on_at_cutoff for line in lines))


def treatment_pathways(table: EventTable, *, depth: int = DEFAULT_DEPTH,
                       min_patients: int = 1, min_period_days: int = MIN_PERIOD_DAYS,
                       max_gap_days: int = MAX_GAP_DAYS) -> Pathways:
    """:func:`pathways_of` every patient in ``table``, with the period rules' warnings
    (``min_period_days``: a regimen held for less is not a line; ``max_gap_days``: the
    switch gap)."""
    warnings: list[str] = []
    periods = all_patient_periods(table, min_period_days=min_period_days,
                                  max_gap_days=max_gap_days, warnings=warnings)
    result = pathways_of(periods, depth=depth, min_patients=min_patients)
    result.warnings = warnings
    return result
