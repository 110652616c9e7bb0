"""Everything ``nmo-timeline summary`` reports: periods, the cohort table, a comparison."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ..errors import NmoTimelineError, list_preview
from .cohort import CohortRow, cohort_rows
from .compare import Comparison, compare_before_on
from .periods import DEFAULT_EDSS_WINDOW, PatientPeriods, all_patient_periods

if TYPE_CHECKING:
    from ..load import EventTable


@dataclass
class Summary:
    """Everything ``nmo-timeline summary`` reports."""

    patients: list[PatientPeriods]
    cohort: list[CohortRow]
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)
    grace_days: int = 0
    edss_window_days: int = DEFAULT_EDSS_WINDOW



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
    pps = all_patient_periods(table, cutoff=cutoff, grace_days=grace_days,
                              edss_window_days=edss_window_days, warnings=warnings)
    comparison = compare_before_on(table, pps, compare) if compare else None
    if comparison is not None and comparison.without:
        warnings.insert(0, f"{len(comparison.without)} patient(s) never received "
                        f"{comparison.therapy} and are left out of the comparison: "
                        f"{list_preview(comparison.without)}")
        if not comparison.rows:
            raise NmoTimelineError(f"no patient received '{compare}'; nothing to compare")
    return Summary(pps, cohort_rows(pps), comparison, warnings, grace_days, edss_window_days)
