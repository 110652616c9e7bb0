"""Regimens across patients: relapse rates with their exact CI, and EDSS.

Every per-regimen statistic (this cohort table, the time to first relapse, the figures)
groups the periods by :func:`by_regimen`, so "a patient's time on a regimen" means one
thing everywhere.  Importing this module imports nothing heavy.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.registry import Registry, default_registry
from ..domain.time import DAYS_PER_YEAR
from ..errors import OptionError, list_preview
from .rates import poisson_rate_ci

if TYPE_CHECKING:
    from .periods import PatientPeriods, Period

#: Periods by regimen, then patient (:func:`by_regimen`).
Groups = dict[str, dict[str, list["Period"]]]


@dataclass(frozen=True)
class CohortRow:
    """One regimen across patients.

    ``arr_ci_low``/``arr_ci_high``: exact Poisson CI of the pooled ARR
    (:func:`~.rates.poisson_rate_ci`) at the summary's level.  EDSS: medians across
    patients of the EDSS at the start of each patient's first period on the regimen, at the
    end of the last, and of the per-patient change (end - start); ``None`` without values.
    """

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
    arr_ci_low: float | None = None
    arr_ci_high: float | None = None
    edss_start_median: float | None = None
    edss_end_median: float | None = None
    edss_change_median: float | None = None


def by_regimen(patients: Iterable[PatientPeriods]) -> Groups:
    """Periods grouped by regimen, then patient, in order of first appearance.

    Only the periods that count (:attr:`~.periods.Period.counted`: not shorter than the
    minimum) are grouped, so no cohort statistic sees a period of a few days.

    Examples
    --------
    >>> from nmo_timeline import bundled_events_path, load_events
    >>> from nmo_timeline.analysis.periods import all_patient_periods
    >>> groups = by_regimen(all_patient_periods(load_events(bundled_events_path())))
    >>> list(groups)[:3], len(groups["Rituximab"][""])
    (['untreated', 'Mitoxantrone', 'Rituximab'], 1)
    """
    per: dict[str, dict[str, list[Period]]] = {}
    for pp in patients:
        for p in pp.periods:
            if not p.counted:
                continue
            by_patient = per.get(p.regimen)
            if by_patient is None:
                by_patient = per[p.regimen] = {}
            mine = by_patient.get(pp.patient)
            if mine is None:
                by_patient[pp.patient] = [p]
            else:
                mine.append(p)
    return per


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def cohort_rows(
    patients: list[PatientPeriods], level: float = 0.95, *, groups: Groups | None = None
) -> list[CohortRow]:
    """Per regimen across patients: pooled ARR with its exact CI, per-patient ARR
    statistics, and EDSS medians (README, "How periods and relapse rates are computed").

    ``groups`` is ``by_regimen(patients)``, if the caller has it already.
    """
    rows = []
    for regimen, by_patient in (groups if groups is not None else by_regimen(patients)).items():
        relapses = 0
        total_days = 0
        arrs = []
        starts: list[float] = []
        ends: list[float] = []
        changes: list[float] = []
        for periods in by_patient.values():
            if len(periods) == 1:  # most patients: one period on a regimen
                r, d = periods[0].relapses, periods[0].days
            else:
                r = sum(p.relapses for p in periods)
                d = sum(p.days for p in periods)
            relapses += r
            total_days += d
            if d > 0:
                arrs.append(r / (d / DAYS_PER_YEAR))
            start, end = periods[0].edss_start, periods[-1].edss_end
            if start is not None:
                starts.append(start)
            if end is not None:
                ends.append(end)
            if start is not None and end is not None:
                changes.append(end - start)
        years = total_days / DAYS_PER_YEAR
        low, high = poisson_rate_ci(relapses, years, level) if years > 0 else (None, None)
        rows.append(CohortRow(
            regimen=regimen, patients=len(by_patient), relapses=relapses, years=years,
            arr_pooled=relapses / years if years > 0 else None,
            arr_median=_median(arrs),
            arr_min=min(arrs) if arrs else None,
            arr_max=max(arrs) if arrs else None,
            arr_mean=statistics.fmean(arrs) if arrs else None,
            arr_sd=statistics.stdev(arrs) if len(arrs) >= 2 else None,
            arr_ci_low=low, arr_ci_high=high,
            edss_start_median=_median(starts), edss_end_median=_median(ends),
            edss_change_median=_median(changes)))
    return rows


def _keys(name: str, registry: Registry) -> frozenset[str]:
    """The therapies a regimen name stands for: ``A + B`` -> {key of A, key of B}."""
    from .periods import UNTREATED

    if name.strip().casefold() == UNTREATED:
        return frozenset()
    return frozenset(registry.therapy_key(part)[0] for part in name.split("+") if part.strip())


def find_regimen(name: str, regimens: Mapping[str, Iterable[str]], option: str,
                 registry: Registry | None = None) -> str:
    """The regimen a user means by ``name``, among ``regimens`` (name -> therapy keys).

    Case and spacing do not matter, registry names and abbreviations are understood, and a
    combination may be written in any order (``tcz + aza`` is ``Azathioprine +
    Tocilizumab``).  Anything else is an :class:`~nmo_timeline.errors.OptionError` that
    names ``option`` and lists the regimens.  Names are read through ``registry`` (the
    table's; default: the shipped one).

    Examples
    --------
    >>> regs = {"untreated": (), "Rituximab": ("rituximab",),
    ...         "Azathioprine + Tocilizumab": ("azathioprine", "tocilizumab")}
    >>> find_regimen("RTX", regs, "--reference"), find_regimen("tcz+aza", regs, "--regimens")
    ('Rituximab', 'Azathioprine + Tocilizumab')
    """
    folded = " ".join(name.split()).casefold()
    for regimen in regimens:
        if regimen.casefold() == folded:
            return regimen
    want = _keys(name, registry if registry is not None else default_registry())
    if name.strip():
        for regimen, keys in regimens.items():
            if frozenset(keys) == want:
                return regimen
    raise OptionError(f"{option} '{name}': no such regimen; regimens: "
                      f"{list_preview(list(regimens))}")


def regimen_keys(patients: Iterable[PatientPeriods]) -> dict[str, tuple[str, ...]]:
    """Every regimen's therapy keys, in order of first appearance (for :func:`find_regimen`)."""
    out: dict[str, tuple[str, ...]] = {}
    for pp in patients:
        for p in pp.periods:
            out.setdefault(p.regimen, p.therapies)
    return out
