"""Each patient's relapse rate before the first dose of a therapy vs on it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..domain.registry import MAINTENANCE, therapy_key
from ..errors import NmoTimelineError
from .periods import PatientPeriods, rows_by_patient

if TYPE_CHECKING:
    from ..load import EventTable


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
