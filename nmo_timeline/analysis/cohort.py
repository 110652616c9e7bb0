"""Regimens across patients: pooled and per-patient annualised relapse rates."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from ..domain.time import DAYS_PER_YEAR
from .periods import PatientPeriods


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


def cohort_rows(patients: list[PatientPeriods]) -> list[CohortRow]:
    """Per regimen across patients: pooled ARR and per-patient ARR statistics."""
    per: dict[str, dict[str, list[int]]] = {}  # regimen -> patient -> [relapses, days]
    for pp in patients:
        patient = pp.patient
        for p in pp.periods:
            by_patient = per.get(p.regimen)
            if by_patient is None:
                by_patient = per[p.regimen] = {}
            acc = by_patient.get(patient)
            if acc is None:
                by_patient[patient] = [p.relapses, (p.end - p.start).days]
            else:
                acc[0] += p.relapses
                acc[1] += (p.end - p.start).days
    rows = []
    for regimen, by_patient in per.items():
        relapses = sum(r for r, _ in by_patient.values())
        years = sum(d for _, d in by_patient.values()) / DAYS_PER_YEAR
        arrs = [r / (d / DAYS_PER_YEAR) for r, d in by_patient.values() if d > 0]
        rows.append(CohortRow(
            regimen=regimen, patients=len(by_patient), relapses=relapses, years=years,
            arr_pooled=relapses / years if years > 0 else None,
            arr_median=statistics.median(arrs) if arrs else None,
            arr_min=min(arrs) if arrs else None,
            arr_max=max(arrs) if arrs else None,
            arr_mean=statistics.fmean(arrs) if arrs else None,
            arr_sd=statistics.stdev(arrs) if len(arrs) >= 2 else None))
    return rows
