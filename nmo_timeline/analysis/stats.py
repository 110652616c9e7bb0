"""Statistics that NMO treatment papers report, on plain Python inputs.

Every function takes ints, floats and sequences and returns a frozen dataclass (or a tuple),
so the results can be printed, written to JSON or tabulated without pandas.  The numbers
come from scipy and statsmodels; nothing here re-implements a distribution.

* :func:`poisson_rate_ci` -- exact (Garwood, chi-square) CI of a pooled relapse rate.
* :func:`rate_ratio` -- rate ratio on/before with its exact conditional (Clopper-Pearson) CI.
* :func:`kaplan_meier` -- time to first relapse: survival curve, step table, median.
* :func:`negbin_rate_ratios` -- negative binomial (NB2) regression of relapse counts on
  regimen with log person-years as offset: adjusted rate ratios.
* :func:`paired_wilcoxon` -- Wilcoxon signed-rank test on per-patient ARR before vs on.

Import cost: importing this module imports neither numpy nor scipy, pandas or statsmodels.
:func:`poisson_rate_ci` and :func:`rate_ratio` import only ``scipy.special`` (its inverse
incomplete gamma and beta functions, i.e. scipy's own chi-square and beta quantiles), never
``scipy.stats``; the other functions import ``scipy.stats`` or statsmodels inside their body.

Years are person-years as elsewhere in the package (days / 365.25); the functions here take
years and do not convert.

Needs scipy >= 1.15 (``CensoredData``/``ecdf``, ``betainccinv``, and the ``wilcoxon``
defaults described in :func:`paired_wilcoxon`) and statsmodels >= 0.14.1.
"""

from __future__ import annotations

import math
import operator
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KaplanMeier",
    "ModelTerm",
    "NegBinModel",
    "RateRatio",
    "StatsError",
    "WilcoxonResult",
    "kaplan_meier",
    "negbin_rate_ratios",
    "paired_wilcoxon",
    "poisson_rate_ci",
    "rate_ratio",
]

#: Events per model term below which :func:`negbin_rate_ratios` warns.
MIN_EVENTS_PER_TERM = 10


class StatsError(ValueError):
    """Input a statistic cannot be computed from, or a model that could not be fitted.

    The message is one line, fit to show a user as it is.
    """


# --------------------------------------------------------------------------- validation


def _check_level(level: float) -> float:
    """``level`` as a float in (0, 1), else :class:`StatsError` (a ``ValueError``)."""
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise StatsError(
            f"confidence level must be a number between 0 and 1, got {level!r}") from None
    if not 0.0 < value < 1.0:  # also rejects NaN
        raise StatsError(
            f"confidence level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return value


def _check_count(value: int, what: str) -> int:
    try:
        count = operator.index(value)
    except TypeError:
        raise StatsError(f"{what} must be a whole number, got {value!r}") from None
    if count < 0:
        raise StatsError(f"{what} cannot be negative, got {count}")
    return count


def _check_years(
    value: float, what: str, *, allow_zero: bool = False, unit: str = "years"
) -> float:
    try:
        years = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{what} must be a number of {unit}, got {value!r}") from None
    if not math.isfinite(years) or years < 0 or (years == 0 and not allow_zero):
        need = "0 or more" if allow_zero else "more than 0"
        raise StatsError(f"{what} must be a finite number of {unit} {need}, got {value!r}")
    return years


def _check_same_length(**seqs: Sequence[Any]) -> int:
    lengths = {name: len(s) for name, s in seqs.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise StatsError(f"the inputs must have the same length: lengths {shown}")
    return next(iter(lengths.values()))


# --------------------------------------------------------------------------- Poisson rate


def poisson_rate_ci(events: int, years: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval of a Poisson rate, such as a pooled ARR.

    With ``k`` events over ``T`` person-years and ``a = 1 - level``::

        lower = chi2.ppf(a/2, 2k) / 2T        (0 when k = 0)
        upper = chi2.ppf(1 - a/2, 2k + 2) / 2T

    computed as ``scipy.special.gammaincinv(k, a/2) / T`` (what ``chi2.ppf`` itself calls)
    and ``scipy.special.chdtri(2k + 2, a/2) / 2T`` (``chi2.isf``, the upper tail without the
    rounding of ``1 - a/2``).  Only ``scipy.special`` is imported, not ``scipy.stats``.

    Parameters
    ----------
    events : int
        Number of relapses, 0 or more.
    years : float
        Person-years of observation, more than 0.
    level : float
        Confidence level, between 0 and 1.

    Returns
    -------
    tuple of float
        ``(lower, upper)`` in events per year.

    Raises
    ------
    StatsError
        ``events`` negative or not whole, ``years`` not > 0, or ``level`` not in (0, 1).

    Examples
    --------
    >>> [round(x, 3) for x in poisson_rate_ci(5, 1.0)]
    [1.623, 11.668]
    >>> poisson_rate_ci(0, 2.0)[0]
    0.0
    """
    k = _check_count(events, "events")
    t = _check_years(years, "years")
    alpha = 1.0 - _check_level(level)
    from scipy.special import chdtri, gammaincinv

    lower = float(gammaincinv(k, alpha / 2)) / t if k > 0 else 0.0
    upper = float(chdtri(2 * k + 2, alpha / 2)) / (2 * t)
    return lower, upper


# --------------------------------------------------------------------------- rate ratio


@dataclass(frozen=True)
class RateRatio:
    """Rate ratio on/before with its exact conditional confidence interval.

    ``None`` stands for a value that is not finite or not defined (see ``note``):
    ``estimate`` and ``ci_high`` are ``None`` when no relapse fell before therapy, and all
    three are ``None`` when there was no relapse at all.
    """

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    level: float
    k_on: int
    years_on: float
    k_before: int
    years_before: float
    method: str
    note: str | None = None


_RR_METHOD = ("exact conditional: Clopper-Pearson interval of k_on / (k_on + k_before), "
              "mapped to rates by p / (1 - p) * years_before / years_on")


def _clopper_pearson(x: int, n: int, alpha: float) -> tuple[float, float]:
    """Clopper-Pearson limits of x successes in n trials (n > 0), via scipy.special."""
    from scipy.special import betainccinv, betaincinv

    lower = float(betaincinv(x, n - x + 1, alpha / 2)) if x > 0 else 0.0
    upper = float(betainccinv(x + 1, n - x, alpha / 2)) if x < n else 1.0
    return lower, upper


def rate_ratio(
    k_on: int, years_on: float, k_before: int, years_before: float, level: float = 0.95
) -> RateRatio:
    """Relapse rate ratio on therapy vs before, with its exact conditional CI.

    Given the total ``n = k_on + k_before``, ``k_on`` is binomial with
    ``p = RR * T_on / (RR * T_on + T_before)``.  The Clopper-Pearson interval ``[pL, pU]``
    of ``p = k_on / n`` (beta quantiles ``B(a/2; k_on, n-k_on+1)`` and
    ``B(1-a/2; k_on+1, n-k_on)``, from ``scipy.special.betaincinv``/``betainccinv``) maps to::

        RR = (k_on / T_on) / (k_before / T_before)
        RR_low  = pL / (1 - pL) * T_before / T_on
        RR_high = pU / (1 - pU) * T_before / T_on

    Edge cases:

    * ``k_on = 0``: estimate 0, lower limit 0, upper limit finite.
    * ``k_before = 0`` (and ``k_on > 0``): the ratio is unbounded: estimate and upper
      limit ``None``, lower limit finite.
    * no relapse at all: nothing can be said: estimate and both limits ``None``.

    Swapping the groups inverts everything: ``RR(a, b) == 1 / RR(b, a)``, and the limits
    become the reciprocals of each other's.

    Parameters
    ----------
    k_on, k_before : int
        Relapses on therapy and before it, 0 or more.
    years_on, years_before : float
        Person-years on therapy and before, more than 0.
    level : float
        Confidence level, between 0 and 1.

    Returns
    -------
    RateRatio

    Examples
    --------
    >>> r = rate_ratio(2, 7.0, 20, 7.0)
    >>> round(r.estimate, 3), round(r.ci_low, 4), round(r.ci_high, 3)
    (0.1, 0.0113, 0.412)
    >>> r = rate_ratio(0, 7.0, 20, 7.0)
    >>> r.estimate, r.ci_low, round(r.ci_high, 3)
    (0.0, 0.0, 0.203)
    >>> rate_ratio(3, 1.0, 0, 1.0).ci_high is None
    True
    """
    kon = _check_count(k_on, "k_on")
    kbe = _check_count(k_before, "k_before")
    ton = _check_years(years_on, "years_on")
    tbe = _check_years(years_before, "years_before")
    lev = _check_level(level)
    n = kon + kbe
    if n == 0:
        return RateRatio(None, None, None, lev, kon, ton, kbe, tbe, _RR_METHOD,
                         "no relapses on therapy or before: the rate ratio is undefined")
    p_low, p_high = _clopper_pearson(kon, n, 1.0 - lev)
    scale = tbe / ton
    low = p_low / (1.0 - p_low) * scale
    if kbe == 0:
        return RateRatio(None, low, None, lev, kon, ton, kbe, tbe, _RR_METHOD,
                         "no relapses before therapy: the rate ratio and its upper limit "
                         "are unbounded")
    high = p_high / (1.0 - p_high) * scale
    estimate = (kon / ton) / (kbe / tbe)
    note = ("no relapses on therapy: estimate and lower limit 0, upper limit exact"
            if kon == 0 else None)
    return RateRatio(estimate, low, high, lev, kon, ton, kbe, tbe, _RR_METHOD, note)


# --------------------------------------------------------------------------- Kaplan-Meier


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier estimate of time to first relapse (one regimen).

    The step table has one row per distinct observed time (event or censoring), in days,
    ascending: ``survival[i]`` is S(t) just after ``times[i]``; ``at_risk[i]`` the number
    still observed just before it (duration >= t); ``events[i]`` and ``censored[i]`` the
    relapses and censorings at it.  Before the first time S = 1.  A censoring at the same
    day as a relapse counts as at risk for that relapse (the usual convention).
    """

    n: int
    n_events: int
    times: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]
    median: float | None
    method: str = "Kaplan-Meier (scipy.stats.ecdf on CensoredData.right_censored)"

    def survival_at(self, days: float) -> float | None:
        """S(days): the share still free of relapse after ``days``.

        ``None`` beyond the longest follow-up (the curve is not estimated there), unless
        survival had already reached 0.

        Examples
        --------
        >>> km = kaplan_meier([100, 200, 400], [True, False, False])
        >>> round(km.survival_at(365), 4), km.survival_at(50), km.survival_at(500)
        (0.6667, 1.0, None)
        """
        i = bisect_right(self.times, days)
        if i == 0:
            return 1.0
        if days > self.times[-1] and self.survival[-1] > 0.0:
            return None
        return self.survival[i - 1]

    def at_risk_at(self, days: float) -> int:
        """Number at risk at ``days`` (still observed, relapse-free: duration >= days).

        This is the "numbers at risk" row printed under a Kaplan-Meier figure.

        Examples
        --------
        >>> kaplan_meier([100, 200, 400], [True, False, False]).at_risk_at(200)
        2
        """
        i = bisect_left(self.times, days)
        return sum(self.events[i:]) + sum(self.censored[i:])


def kaplan_meier(durations_days: Sequence[float], events: Sequence[bool]) -> KaplanMeier:
    """Kaplan-Meier survival for time to first relapse on one regimen.

    Each subject contributes its time from the start of the period to the first relapse
    (``events[i]`` true) or to the end of the period, where it is censored (false).  One
    subject per patient is the usual analysis; the caller chooses.

    The survival probabilities come from ``scipy.stats.ecdf`` on
    ``scipy.stats.CensoredData.right_censored`` (``.sf``), chosen over statsmodels'
    ``SurvfuncRight`` because it needs only scipy (about half the import time: no pandas,
    no statsmodels) and evaluates the step function at any time; the tests check it against
    ``SurvfuncRight``.  The at-risk, event and censoring counts are plain counts.  The
    median is the first time at which S(t) <= 0.5 (the textbook rule, and statsmodels'),
    ``None`` if the curve never gets there; where S is exactly 0.5 over a stretch, R's
    survival package reports the stretch's midpoint instead.

    Parameters
    ----------
    durations_days : sequence of float
        Days from the start of the period to the relapse or censoring, 0 or more.
    events : sequence of bool
        True for a relapse, False for censoring.

    Returns
    -------
    KaplanMeier

    Raises
    ------
    StatsError
        No subjects, lengths differ, or a duration negative or not finite.

    Examples
    --------
    >>> km = kaplan_meier([2, 3, 3, 5, 8, 8], [True, True, False, True, False, True])
    >>> km.times, km.at_risk, km.events, km.censored
    ((2.0, 3.0, 5.0, 8.0), (6, 5, 3, 2), (1, 1, 1, 1), (0, 1, 0, 1))
    >>> [round(s, 4) for s in km.survival], km.median
    ([0.8333, 0.6667, 0.4444, 0.2222], 5.0)
    """
    n = _check_same_length(durations_days=durations_days, events=events)
    if n == 0:
        raise StatsError("Kaplan-Meier needs at least one subject")
    durations = [_check_years(d, "duration", allow_zero=True, unit="days") for d in durations_days]
    flags = [bool(e) for e in events]

    ev_at: dict[float, int] = {}
    cens_at: dict[float, int] = {}
    for d, e in zip(durations, flags, strict=True):
        bucket = ev_at if e else cens_at
        bucket[d] = bucket.get(d, 0) + 1
    times = sorted(set(durations))
    n_ev = [ev_at.get(t, 0) for t in times]
    n_cens = [cens_at.get(t, 0) for t in times]
    at_risk = []
    remaining = n
    for n_e, n_c in zip(n_ev, n_cens, strict=True):
        at_risk.append(remaining)
        remaining -= n_e + n_c

    if any(flags):
        from scipy.stats import CensoredData, ecdf

        data = CensoredData.right_censored(durations, [not e for e in flags])
        survival = [float(s) for s in ecdf(data).sf.evaluate(times)]
    else:
        survival = [1.0] * len(times)

    median = next((t for t, s in zip(times, survival, strict=True) if s <= 0.5), None)
    return KaplanMeier(n=n, n_events=sum(n_ev), times=tuple(float(t) for t in times),
                       survival=tuple(survival), at_risk=tuple(at_risk), events=tuple(n_ev),
                       censored=tuple(n_cens), median=median)


# --------------------------------------------------------------------------- NB2 regression


@dataclass(frozen=True)
class ModelTerm:
    """One regimen's rate ratio against the reference, from the NB2 model."""

    regimen: str
    rate_ratio: float
    ci_low: float
    ci_high: float
    p: float
    events: int
    years: float


@dataclass(frozen=True)
class NegBinModel:
    """Negative binomial (NB2) regression of relapse counts on regimen.

    ``terms`` has one entry per regimen other than ``reference`` (sorted by name);
    ``alpha`` is the NB2 dispersion (variance = mu + alpha * mu**2).  ``warnings`` are plain
    one-line strings (non-convergence, few events, a regimen without relapses, what
    statsmodels warned); they are never emitted as Python warnings.
    """

    family: str
    reference: str
    terms: tuple[ModelTerm, ...]
    alpha: float
    n_periods: int
    n_patients: int
    n_dropped: int
    events: int
    events_per_term: float
    converged: bool
    cov_type: str
    level: float
    warnings: tuple[str, ...]


_NB_FAMILY = "negative binomial (NB2), log link, offset log(person-years)"
_POISSON_FAMILY = "Poisson, log link, offset log(person-years) (NB2 with alpha at its bound 0)"
#: NB2 dispersion below which the fit is taken to sit at the boundary alpha = 0.
_ALPHA_AT_BOUND = 1e-5
_FIT_OPTIONS: dict[str, Any] = {"maxiter": 200, "disp": 0}


def _exp(x: Any) -> float:
    """exp of a log rate ratio as a float; inf past the float range, NaN stays NaN."""
    try:
        return math.exp(float(x))
    except OverflowError:
        return math.inf


def _fit_count_model(
    y: Any, x: Any, exposure: Any, groups: Any, cluster: bool, level: float, *, poisson: bool
) -> tuple[Any, Any, Any, bool, list[str]]:
    """Fit NB2 (or Poisson) with statsmodels; (params, conf_int, pvalues, converged, notes).

    Every Python warning raised during the fit is caught and returned as a one-line note;
    an exception becomes :class:`StatsError`.
    """
    import numpy as np
    from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson

    kw = dict(_FIT_OPTIONS)
    if cluster:
        kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(all="warn"):
                if poisson:
                    model: Any = Poisson(y, x, exposure=exposure)
                else:
                    model = NegativeBinomial(y, x, loglike_method="nb2", exposure=exposure)
                res = model.fit(**kw)
                params = np.asarray(res.params, dtype=float)
                conf = np.asarray(res.conf_int(alpha=1.0 - level), dtype=float)
                pvalues = np.asarray(res.pvalues, dtype=float)
                converged = bool(res.mle_retvals.get("converged", False))
        except Exception as exc:  # statsmodels/numpy failures -> one clear line
            text = str(exc).strip()
            first = text.splitlines()[0] if text else ""
            raise StatsError(f"the {'Poisson' if poisson else 'negative binomial'} model could "
                             f"not be fitted ({type(exc).__name__}: {first})") from None
    notes: list[str] = []
    for w in caught:
        text = str(w.message).strip()
        msg = f"statsmodels: {w.category.__name__}: {text.splitlines()[0] if text else ''}"
        if msg not in notes:
            notes.append(msg)
    return params, conf, pvalues, converged, notes


def negbin_rate_ratios(
    counts: Sequence[int],
    years: Sequence[float],
    regimens: Sequence[str],
    patients: Sequence[str],
    reference: str,
    level: float = 0.95,
    cluster: bool = False,
) -> NegBinModel:
    """Adjusted relapse rate ratios by regimen from an NB2 regression.

    One row per patient-period.  The model is::

        log E[count] = log(years) + b0 + sum_r b_r * [regimen == r],  Var = mu + alpha*mu^2

    fitted with ``statsmodels.discrete.discrete_model.NegativeBinomial(counts, X,
    loglike_method="nb2", exposure=years).fit(maxiter=200, disp=0)`` (statsmodels' default
    optimiser, BFGS) where ``X`` is an intercept plus one indicator per non-reference regimen
    (sorted by name).  Rate ratio = ``exp(b_r)`` with the Wald interval
    ``exp(b_r +- z * se)`` (``conf_int``) and the Wald p value.  With ``cluster=True`` the
    standard errors are cluster-robust by patient (``cov_type="cluster"``), for patients
    with several periods.

    When the counts are not overdispersed, the NB2 likelihood is largest at ``alpha = 0``
    (the Poisson model) and the optimiser runs to that bound (alpha < 1e-5): the rate
    ratios are then taken from the Poisson fit (``statsmodels`` ``Poisson(counts, X,
    exposure=years)``, same options), ``family`` says so, ``alpha`` is 0 and a warning
    explains it.

    Periods of zero length are left out (counted in ``n_dropped``; a warning says how many
    and any relapses in them).  Other warnings (plain strings, never Python warnings): the
    fit did not converge; fewer than 10 events per term (all relapses / number of
    non-reference regimens); a regimen without relapses, whose rate ratio is then near 0
    with a meaningless CI (or the reference without relapses: every ratio unbounded);
    standard errors not computable; whatever statsmodels or numpy warned during the fit.

    Parameters
    ----------
    counts : sequence of int
        Relapses in each period.
    years : sequence of float
        Length of each period in years (0 allowed: the period is dropped).
    regimens : sequence of str
        Regimen of each period.
    patients : sequence of str
        Patient of each period (for ``n_patients`` and the cluster-robust errors).
    reference : str
        The regimen the others are compared with (e.g. ``"untreated"``).
    level : float
        Confidence level, between 0 and 1.
    cluster : bool
        Cluster-robust (by patient) standard errors instead of the model-based ones.

    Returns
    -------
    NegBinModel

    Raises
    ------
    StatsError
        Inputs of different lengths or invalid values; ``reference`` not among the regimens
        of the periods kept; fewer than two regimens; no more periods than parameters; a fit
        that fails (e.g. singular) or gives no usable estimates.

    Examples
    --------
    >>> counts = [5, 0, 4, 1, 2, 0, 0, 0]
    >>> years = [1.0, 1.0, 1.5, 1.0, 1.0, 1.0, 2.0, 1.0]
    >>> regs = ["untreated"] * 4 + ["Rituximab"] * 4
    >>> pats = ["a", "b", "c", "d"] * 2
    >>> m = negbin_rate_ratios(counts, years, regs, pats, reference="untreated")
    >>> [(t.regimen, round(t.rate_ratio, 2)) for t in m.terms], m.n_patients, m.converged
    ([('Rituximab', 0.2)], 4, True)
    >>> m.family.split(",")[0], round(m.alpha, 2), m.warnings
    ('negative binomial (NB2)', 0.68, ())
    """
    _check_same_length(counts=counts, years=years, regimens=regimens,
                       patients=patients)
    lev = _check_level(level)
    notes: list[str] = []

    rows: list[tuple[int, float, str, str]] = []
    dropped = dropped_events = 0
    for c, y, r, p in zip(counts, years, regimens, patients, strict=True):
        k = _check_count(c, "relapse count")
        t = _check_years(y, "period length", allow_zero=True)
        if t == 0:
            dropped += 1
            dropped_events += k
            continue
        rows.append((k, t, str(r), str(p)))
    if dropped:
        notes.append(f"{dropped} period(s) of zero length left out"
                     + (f" ({dropped_events} relapse(s) in them not counted)"
                        if dropped_events else ""))

    present = sorted({r for _, _, r, _ in rows})
    if reference not in present:
        raise StatsError(f"reference regimen {reference!r} has no period of positive length "
                         f"(regimens: {', '.join(present) or 'none'})")
    others = [r for r in present if r != reference]
    if not others:
        raise StatsError("a rate-ratio model needs at least two regimens; only "
                         f"{reference!r} has periods of positive length")
    n_params = len(others) + 2  # intercept, indicators, alpha
    if len(rows) <= n_params:
        raise StatsError(f"{len(rows)} periods are too few for a model with {n_params} "
                         "parameters")

    events_by = {r: 0 for r in present}
    years_by = {r: 0.0 for r in present}
    for k, t, r, _ in rows:
        events_by[r] += k
        years_by[r] += t
    total = sum(events_by.values())
    if total == 0:
        raise StatsError("no relapses in any period: rate ratios cannot be estimated")
    per_term = total / len(others)
    if per_term < MIN_EVENTS_PER_TERM:
        notes.append(f"only {total} relapses for {len(others)} term(s) ({per_term:.1f} per "
                     f"term, fewer than {MIN_EVENTS_PER_TERM} is unreliable)")
    if events_by[reference] == 0:
        notes.append(f"reference regimen {reference!r} has no relapses: every rate ratio "
                     "against it is unbounded and its CI meaningless; choose another reference")
    for r in others:
        if events_by[r] == 0:
            notes.append(f"{r!r} has no relapses: its rate ratio is near 0 and its CI "
                         "meaningless (not estimable by this model); report the crude rate "
                         "with poisson_rate_ci instead")

    import numpy as np

    y_arr = np.array([k for k, _, _, _ in rows], dtype=float)
    t_arr = np.array([t for _, t, _, _ in rows], dtype=float)
    x_arr = np.column_stack([np.ones(len(rows))]
                            + [np.array([r == o for _, _, r, _ in rows], dtype=float)
                               for o in others])
    patient_ids = sorted({p for _, _, _, p in rows})
    codes = {p: i for i, p in enumerate(patient_ids)}
    groups = np.array([codes[p] for _, _, _, p in rows])

    family = _NB_FAMILY
    fit = _fit_count_model(y_arr, x_arr, t_arr, groups, cluster, lev, poisson=False)
    params, conf, pvalues, converged, fit_notes = fit
    alpha = float(params[-1])
    if np.all(np.isfinite(params)) and alpha < _ALPHA_AT_BOUND:
        # Under- or equidispersed counts: the NB2 likelihood is largest at alpha = 0, where
        # NB2 is the Poisson model; the optimiser creeps towards log(alpha) = -inf and may not
        # report convergence.  The Poisson fit is that limit, with usable standard errors.
        family = _POISSON_FAMILY
        params, conf, pvalues, converged, fit_notes = _fit_count_model(
            y_arr, x_arr, t_arr, groups, cluster, lev, poisson=True)
        alpha = 0.0
        fit_notes.insert(0, "no overdispersion: the NB2 dispersion alpha was estimated at its "
                            "bound 0, so the rate ratios come from the Poisson model it "
                            "reduces to")
    notes.extend(fit_notes)
    n_coef = len(others) + 1
    if not np.all(np.isfinite(params[:n_coef])):
        raise StatsError("the rate-ratio model gave no finite estimates (singular fit)")
    if not converged:
        notes.insert(0, "the model did not converge: its estimates are not reliable")
    if not (np.all(np.isfinite(conf[1:n_coef])) and np.all(np.isfinite(pvalues[1:n_coef]))):
        notes.append("standard errors could not be computed for every term (singular "
                     "information matrix): those CIs and p values are NaN")

    terms = tuple(
        ModelTerm(regimen=o, rate_ratio=_exp(params[i]),
                  ci_low=_exp(conf[i, 0]), ci_high=_exp(conf[i, 1]),
                  p=float(pvalues[i]), events=events_by[o], years=years_by[o])
        for i, o in enumerate(others, start=1))
    return NegBinModel(
        family=family, reference=reference, terms=terms, alpha=alpha,
        n_periods=len(rows), n_patients=len(patient_ids), n_dropped=dropped, events=total,
        events_per_term=per_term, converged=converged,
        cov_type="cluster" if cluster else "nonrobust", level=lev, warnings=tuple(notes))


# --------------------------------------------------------------------------- Wilcoxon


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
    n = _check_same_length(before=before, on=on)
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
