"""Each patient's relapse rate before the first dose of a therapy vs on it.

Per patient: ARR before the first dose and on the therapy, either over the treatment
periods (all time before; the periods whose regimen includes the therapy) or over
calendar windows (``--before 12m``, ``--on 12m``: :mod:`.windows`).  Across patients: the
median and mean of the differences, the pooled rate ratio on/before with its exact
conditional CI (:func:`~.rates.rate_ratio`) and the paired Wilcoxon signed-rank test
(:func:`paired_wilcoxon`, here because it is this comparison's test).
"""

from __future__ import annotations

import math
import statistics
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain.registry import MAINTENANCE
from ..domain.time import DAYS_PER_YEAR
from ..errors import NmoTimelineError, list_preview
from .inputs import StatsError, check_same_length
from .rates import RateRatio, rate_ratio
from .windows import Window

if TYPE_CHECKING:
    from ..load import EventTable
    from .periods import PatientPeriods, Period, Row


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



@dataclass(frozen=True)
class WilcoxonResult:
    """Paired Wilcoxon signed-rank test; ``p`` and ``statistic`` are ``None`` with a
    ``reason`` when the test cannot be computed."""

    p: float | None
    statistic: float | None
    n_pairs: int
    n_nonzero: int
    reason: str | None = None
    method: str = "scipy.stats.wilcoxon(before, on), defaults (two-sided, zeros dropped)"


def paired_wilcoxon(before: Sequence[float], on: Sequence[float]) -> WilcoxonResult:
    """Wilcoxon signed-rank test of per-patient ARR before vs on a therapy.

    ``scipy.stats.wilcoxon(before, on)`` with its defaults: two-sided, zero differences
    dropped (``zero_method="wilcox"``), the exact null distribution for up to 50 pairs
    without ties, exhaustive sign permutations for up to 13 pairs with ties or zeros, else
    the normal approximation.  The statistic is the smaller of the signed rank sums.  That
    is scipy >= 1.15; older versions switch to the normal approximation as soon as there is
    a zero difference, and give other p values for small samples.

    Not computable (``p`` None, ``reason`` says why; never an exception): fewer than 2
    pairs, or all differences zero.  With 7 pairs the smallest two-sided p value possible is
    2 / 2**7 = 0.0156.

    Parameters
    ----------
    before, on : sequence of float
        One value per patient, in the same patient order.

    Returns
    -------
    WilcoxonResult

    Raises
    ------
    StatsError
        Lengths differ, or a value is not a finite number (filter out patients without a
        rate first).

    Examples
    --------
    >>> r = paired_wilcoxon([3, 2, 4, 3, 1, 2, 3], [0, 0, 1, 0, 0, 0, 1])
    >>> r.p, r.n_pairs
    (0.015625, 7)
    >>> paired_wilcoxon([1.0], [0.0]).reason
    'fewer than 2 pairs'
    """
    n = check_same_length(before=before, on=on)
    pairs = []
    for b, o in zip(before, on, strict=True):
        try:
            fb, fo = float(b), float(o)
        except (TypeError, ValueError):
            fb = fo = math.nan
        if not (math.isfinite(fb) and math.isfinite(fo)):
            raise StatsError(f"Wilcoxon test needs finite values, got before={b!r}, on={o!r}")
        pairs.append((fb, fo))
    nonzero = sum(1 for fb, fo in pairs if fb != fo)
    if n < 2:
        return WilcoxonResult(None, None, n, nonzero, "fewer than 2 pairs")
    if nonzero == 0:
        return WilcoxonResult(None, None, n, 0, "all differences are zero")

    from scipy.stats import wilcoxon

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        res = wilcoxon([b for b, _ in pairs], [o for _, o in pairs])
    p, stat = float(res.pvalue), float(res.statistic)
    if not math.isfinite(p):
        return WilcoxonResult(None, None, n, nonzero, "scipy could not compute a p value")
    return WilcoxonResult(p, stat, n, nonzero)


def _mean_sd_median(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    sd = statistics.stdev(values) if len(values) >= 2 else None
    return statistics.fmean(values), sd, statistics.median(values)


@dataclass
class Comparison:
    """The before/on comparison of one therapy (``summary --compare``).

    ``rate`` is the pooled rate ratio on/before (``None`` when there is no time before or
    on in any record); ``wilcoxon`` the paired test on the patients with both rates.
    """

    therapy: str
    rows: list[CompareRow]
    without: list[str]
    before: Window | None = None
    on: Window | None = None
    level: float = 0.95
    rate: RateRatio | None = None
    wilcoxon: WilcoxonResult | None = None
    notes: list[str] = field(default_factory=list)

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

    @property
    def arr_before(self) -> tuple[float | None, float | None, float | None]:
        """Per-patient ARR before: (mean, SD, median), as papers report it."""
        return _mean_sd_median([r.arr_before for r in self.rows if r.arr_before is not None])

    @property
    def arr_on(self) -> tuple[float | None, float | None, float | None]:
        """Per-patient ARR on the therapy: (mean, SD, median)."""
        return _mean_sd_median([r.arr_on for r in self.rows if r.arr_on is not None])


def _counted(days: int, relapses: int, min_days: int) -> tuple[float, int, float | None]:
    """(years, relapses, ARR); no ARR for less time than ``min_days`` (or none at all)."""
    years = days / DAYS_PER_YEAR
    return years, relapses, relapses / years if years > 0 and days >= min_days else None


def _periods_side(periods: list[Period], min_days: int) -> tuple[float, int, float | None]:
    """One side over periods: those shorter than the minimum are left out, as from every
    statistic; a side of short periods only keeps their time and relapses, with no ARR."""
    kept = [p for p in periods if p.counted]
    if kept:
        return _counted(sum(p.days for p in kept), sum(p.relapses for p in kept), min_days)
    return sum(p.days for p in periods) / DAYS_PER_YEAR, sum(p.relapses for p in periods), None


def compare_before_on(
    table: EventTable,
    patients: list[PatientPeriods],
    therapy: str,
    *,
    before: Window | None = None,
    on: Window | None = None,
    grace_days: int = 0,
    level: float = 0.95,
    min_period_days: int = 0,
) -> Comparison:
    """Each patient's ARR before the first dose of ``therapy`` vs on it, and the tests.

    Without windows, "before" is every period that ends on or before the first dose and
    "on" every period whose regimen includes the therapy, but for the periods shorter than
    the minimum (:attr:`~.periods.Period.counted`), left out as from every statistic.  A
    window replaces its side by calendar time: before = [first dose - window, first dose),
    on = [first dose, first dose + window), each cut to the patient's record (a note names
    the patients), with relapses counted by onset; ``grace_days`` moves relapses in the
    first days after the first dose to "before", as the period rule does at a switch.  The
    cut-off day closes the record: a window cut there lasts until it (its relapses
    counted), as the last period does.  A side shorter than ``min_period_days`` (or of
    short periods only) has no ARR, and is left out of the pooled rate ratio and the
    paired test (a note names the patients).

    Raises
    ------
    NmoTimelineError
        The therapy is recorded only as an acute treatment.
    """
    from .periods import rows_by_patient

    registry = table.registry
    want_key, want_label = registry.therapy_key(therapy)
    short: list[str] = []
    rows = []
    without = []
    cut_before: list[str] = []
    cut_on: list[str] = []
    by_patient = rows_by_patient(table)
    for pp in patients:
        mine = by_patient[pp.patient]
        matching = [r for r in mine
                    if r.kind == "therapy" and registry.therapy_key(r.name)[0] == want_key
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
        onsets = _onsets(mine, pp.cutoff)
        shift = grace_days if first > pp.record_start else 0
        if before is None:
            # the first dose opens a period, so the periods before it end on or before it
            b = _periods_side([p for p in pp.periods if not p.last and p.end <= first],
                              min_period_days)
        else:
            start = before.shift(first, -1)
            if start < pp.record_start:
                cut_before.append(_who(pp.patient, (first - pp.record_start).days))
                start = pp.record_start
            moved = first + timedelta(days=shift)
            b = _counted((first - start).days, sum(start <= d < moved for d in onsets),
                         min_period_days)
        if on is None:
            o = _periods_side([p for p in pp.periods if want_key in p.therapies],
                              min_period_days)
        else:
            end = on.shift(first, 1)
            # the cut-off day closes the record: relapses on it count, its length ends there
            until = end if end <= pp.cutoff else pp.cutoff + timedelta(days=1)
            if end > pp.cutoff:
                cut_on.append(_who(pp.patient, (pp.cutoff - first).days))
                end = pp.cutoff
            o = _counted((end - first).days,
                         sum(first + timedelta(days=shift) <= d < until for d in onsets),
                         min_period_days)
        if (b[2] is None and b[0] > 0) or (o[2] is None and o[0] > 0):
            short.append(pp.patient or "the patient")
        rows.append(CompareRow(pp.patient, first, *b, *o))
    notes = []
    if cut_before and before is not None:
        notes.append(f"{len(cut_before)} patient(s) have less than {before.label} before the "
                     f"first dose of {want_label} in the record; the window is cut to the "
                     f"record: {list_preview(cut_before)}")
    if cut_on and on is not None:
        notes.append(f"{len(cut_on)} patient(s) have less than {on.label} from the first dose "
                     f"of {want_label} to the cut-off; the window is cut there: "
                     f"{list_preview(cut_on)}")
    if short:
        notes.append(f"{len(short)} patient(s) have less than {min_period_days} days before "
                     f"the first dose of {want_label} or on it: no ARR on that side, left out "
                     f"of the pooled rate ratio and the paired test (--min-period-days): "
                     f"{list_preview(short)}")
    comparison = Comparison(want_label, rows, without, before, on, level, notes=notes)
    if rows:
        comparison.rate = _pooled_rate_ratio(rows, level, notes)
        pairs = [(r.arr_before, r.arr_on) for r in rows
                 if r.arr_before is not None and r.arr_on is not None]
        comparison.wilcoxon = paired_wilcoxon([b for b, _ in pairs], [o for _, o in pairs])
    return comparison


def _onsets(rows: list[Row], cutoff: date) -> list[date]:
    """The patient's relapse onsets on or before the cut-off."""
    return [r.start for r in rows if r.kind == "relapse" and r.start <= cutoff]


def _who(patient: str, days: int) -> str:
    return f"{patient} ({days} days)" if patient else f"{days} days"


def _pooled_rate_ratio(rows: list[CompareRow], level: float, notes: list[str]) -> RateRatio | None:
    """Relapses and years summed over the patients: on/before with the exact CI."""
    # a side without an ARR (no time, or less than the minimum) is left out
    before = [r for r in rows if r.arr_before is not None]
    on = [r for r in rows if r.arr_on is not None]
    years_before = sum(r.years_before for r in before)
    years_on = sum(r.years_on for r in on)
    if years_before <= 0 or years_on <= 0:
        side = "before the first dose" if years_before <= 0 else "on the therapy"
        notes.append(f"no time {side} in any record: no rate ratio")
        return None
    return rate_ratio(sum(r.relapses_on for r in on), years_on,
                      sum(r.relapses_before for r in before), years_before, level)
