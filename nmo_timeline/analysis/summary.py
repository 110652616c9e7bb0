"""Everything ``nmo-timeline summary`` reports: periods, the cohort table, time to first
relapse, a before/on comparison and a rate-ratio model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import NmoTimelineError, OptionError, list_preview
from .cohort import CohortRow, Groups, by_regimen, cohort_rows, find_regimen, regimen_keys
from .compare import Comparison, compare_before_on
from .inputs import StatsError, check_level
from .periods import (
    DEFAULT_EDSS_WINDOW,
    MAX_GAP_DAYS,
    MIN_PERIOD_DAYS,
    PatientPeriods,
    all_patient_periods,
)
from .windows import Window, parse_window

if TYPE_CHECKING:
    from ..load import EventTable
    from .models import NegBinModel
    from .survival import RegimenSurvival

MODELS = ("negbin",)


@dataclass
class Summary:
    """Everything ``nmo-timeline summary`` reports.

    ``cohort`` and ``survival`` are computed when first read (the CSV format, one row per
    period, needs neither); ``comparison`` and ``model`` when asked for.
    """

    patients: list[PatientPeriods]
    comparison: Comparison | None = None
    warnings: list[str] = field(default_factory=list)
    grace_days: int = 0
    edss_window_days: int = DEFAULT_EDSS_WINDOW
    level: float = 0.95
    model: NegBinModel | None = None
    table: EventTable | None = field(default=None, repr=False)
    min_period_days: int = MIN_PERIOD_DAYS
    max_gap_days: int = MAX_GAP_DAYS

    @cached_property
    def groups(self) -> Groups:
        """The periods by regimen, then patient (:func:`~.cohort.by_regimen`)."""
        return by_regimen(self.patients)

    @cached_property
    def cohort(self) -> list[CohortRow]:
        """Per regimen across patients (:func:`~.cohort.cohort_rows`)."""
        return cohort_rows(self.patients, self.level, groups=self.groups)

    @cached_property
    def survival(self) -> list[RegimenSurvival]:
        """Time to first relapse per regimen (:func:`~.survival.time_to_first_relapse`)."""
        from .survival import relapse_dates, time_to_first_relapse

        if self.table is None:
            raise NmoTimelineError("time to first relapse needs the events table")
        return time_to_first_relapse(self.patients, relapse_dates(self.table),
                                     groups=self.groups)


def _window(value: Window | str | None, option: str) -> Window | None:
    if value is None or isinstance(value, Window):
        return value
    return parse_window(value, option)


def summarise(
    table: EventTable,
    *,
    patient: str | None = None,
    cutoff: date | None = None,
    grace_days: int = 0,
    compare: str | None = None,
    edss_window_days: int = DEFAULT_EDSS_WINDOW,
    level: float = 0.95,
    before: Window | str | None = None,
    on: Window | str | None = None,
    model: str | None = None,
    reference: str | None = None,
    cluster: bool = False,
    min_period_days: int = MIN_PERIOD_DAYS,
    max_gap_days: int = MAX_GAP_DAYS,
) -> Summary:
    """Periods per patient, the cohort table and, as asked, a comparison and a model.

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
    level : float
        Confidence level of every interval (pooled ARR, rate ratios).
    before, on : Window or str, optional
        With ``compare``: calendar windows (``"12m"``, ``"90d"``, ``"2y"``) before the first
        dose and from it, instead of all time before and the periods on the therapy.
    model : {"negbin"}, optional
        Fit a negative binomial (NB2) model of relapse counts per period on regimen.
    reference : str, optional
        The model's reference regimen (default: untreated if present, else the regimen
        with the most person-years).
    cluster : bool
        Cluster-robust (by patient) standard errors for the model.
    min_period_days : int
        Periods shorter than this report no ARR and are left out of the cohort table,
        the time to first relapse, the model and the comparison (a warning lists them).
    max_gap_days : int
        An untreated gap up to this long between two therapies joins the period before
        it (a switch); 0 counts every gap as untreated.

    Examples
    --------
    >>> from nmo_timeline import bundled_events_path, load_events
    >>> s = summarise(load_events(bundled_events_path()))
    >>> [p.regimen for p in s.patients[0].periods][:3]
    ['untreated', 'Mitoxantrone', 'Rituximab']
    >>> [round(x, 2) for x in (s.cohort[0].arr_ci_low, s.cohort[0].arr_ci_high)]
    [0.36, 10.77]
    """
    if grace_days < 0:
        raise NmoTimelineError("--grace-days must be 0 or more")
    try:
        level = check_level(level)
    except StatsError as exc:
        raise OptionError(f"--ci: {exc}") from None
    win_before, win_on = _window(before, "--before"), _window(on, "--on")
    if compare is None and (win_before or win_on):
        raise OptionError("--before and --on need --compare THERAPY")
    if model is None and (reference is not None or cluster):
        raise OptionError("--reference and --cluster need --model negbin")
    if model is not None and model not in MODELS:
        raise OptionError(f"unknown model '{model}'; use {', '.join(MODELS)}")
    if patient is not None:
        table = table.for_patient(patient)
    warnings: list[str] = []
    pps = all_patient_periods(table, cutoff=cutoff, grace_days=grace_days,
                              edss_window_days=edss_window_days,
                              min_period_days=min_period_days, max_gap_days=max_gap_days,
                              warnings=warnings)
    short = short_periods(pps)
    if short:
        warnings.append(f"{len(short)} period(s) shorter than {min_period_days} days have no "
                        "ARR and are left out of the statistics across patients "
                        f"(--min-period-days): {list_preview(short)}")
    comparison = None
    if compare:
        comparison = compare_before_on(table, pps, compare, before=win_before, on=win_on,
                                       grace_days=grace_days, level=level,
                                       min_period_days=min_period_days)
        if comparison.without:
            warnings.insert(0, f"{len(comparison.without)} patient(s) never received "
                            f"{comparison.therapy} and are left out of the comparison: "
                            f"{list_preview(comparison.without)}")
        if not comparison.rows:
            raise NmoTimelineError(f"no patient received '{compare}'; nothing to compare")
        warnings.extend(comparison.notes)
    fitted = None
    if model is not None:
        from .models import regimen_model

        ref = (find_regimen(reference, regimen_keys(pps), "--reference", table.registry)
               if reference else None)
        try:
            fitted = regimen_model(pps, ref, level, cluster)
        except StatsError as exc:
            raise NmoTimelineError(f"--model {model}: {exc}") from None
        warnings.extend(f"negative binomial model: {w}" for w in fitted.warnings)
    return Summary(pps, comparison, warnings, grace_days, edss_window_days, level, fitted,
                   table, min_period_days, max_gap_days)


def short_periods(patients: list[PatientPeriods]) -> list[str]:
    """The periods too short to count, as ``patient: regimen from START (N days)``, for
    the warning that says they are left out."""
    out = []
    for pp in patients:
        who = f"{pp.patient}: " if pp.patient else ""
        out += [f"{who}{p.regimen} from {p.start} ({p.days} days)"
                for p in pp.periods if not p.counted]
    return out
