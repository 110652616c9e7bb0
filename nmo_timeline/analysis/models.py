"""Adjusted relapse rate ratios by regimen: negative binomial (NB2) regression.

* :func:`negbin_rate_ratios` -- the model on plain lists (one entry per patient-period).
* :func:`regimen_model` -- the same from the treatment periods, with the reference regimen
  chosen as ``summary --model negbin`` does.

statsmodels and numpy are imported inside the functions (``summary`` imports them only
with ``--model``); importing this module imports nothing heavy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .inputs import StatsError, check_count, check_level, check_same_length, check_years

if TYPE_CHECKING:
    from .periods import PatientPeriods

__all__ = ["MIN_EVENTS_PER_TERM", "ModelTerm", "NegBinModel", "StatsError",
           "default_reference", "negbin_rate_ratios", "regimen_model"]

#: Events per model term below which :func:`negbin_rate_ratios` warns.
MIN_EVENTS_PER_TERM = 10

@dataclass(frozen=True)
class ModelTerm:
    """One regimen's rate ratio against the reference, from the NB2 model; NaN where the
    model cannot give a value (every value of a regimen without relapses)."""

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
#: A dispersion this small with a singular information matrix is the same boundary, reached
#: less far (variance within 1 % of Poisson for means up to 1).
_ALPHA_SMALL = 1e-2
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

    Every Python warning raised during the fit is caught and returned as a one-line note
    (statsmodels' ConvergenceWarning not, when ``converged`` already says so); an exception
    becomes :class:`StatsError`.
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
        if w.category.__name__ == "ConvergenceWarning" and not converged:
            continue  # said once, in words, by the caller ("did not converge")
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
    (the Poisson model) and the optimiser runs to that bound (alpha < 1e-5, or alpha < 0.01
    with a singular information matrix): the rate ratios are then taken from the Poisson
    fit (``statsmodels`` ``Poisson(counts, X, exposure=years)``, same options), ``family``
    says so, ``alpha`` is 0 and a warning explains it.

    Periods of zero length are left out (counted in ``n_dropped``; a warning says how many
    and any relapses in them).  Other warnings (plain strings, never Python warnings): the
    fit did not converge; fewer than 10 events per term (all relapses / number of
    non-reference regimens); a regimen without relapses, which has no estimate (its term
    is NaN, and its periods are left out of the fit: its coefficient would run to -inf,
    and without it the fit is that limit and converges), or the reference without
    relapses (every ratio unbounded);
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
    >>> m.family.split(",")[0], round(m.alpha, 2)
    ('negative binomial (NB2)', 0.68)
    >>> m.warnings  # two relapses on rituximab: a ratio, but an imprecise one
    ('fewer than 10 relapses on Rituximab (2): a rate ratio from so few relapses is imprecise',)
    """
    check_same_length(counts=counts, years=years, regimens=regimens,
                       patients=patients)
    lev = check_level(level)
    notes: list[str] = []

    rows: list[tuple[int, float, str, str]] = []
    dropped = dropped_events = 0
    for c, y, r, p in zip(counts, years, regimens, patients, strict=True):
        k = check_count(c, "relapse count")
        t = check_years(y, "period length", allow_zero=True)
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
    few = [f"{r} ({events_by[r]})" for r in [reference, *others]
           if 0 < events_by[r] < MIN_EVENTS_PER_TERM]
    if few:  # a regimen's own relapses: one of 3 is imprecise, however many the others have
        notes.append(f"fewer than {MIN_EVENTS_PER_TERM} relapses on {', '.join(few)}: a "
                     "rate ratio from so few relapses is imprecise")
    if events_by[reference] == 0:
        notes.append(f"reference regimen {reference!r} has no relapses: every rate ratio "
                     "against it is unbounded and its CI meaningless; choose another reference")
    for r in others:
        if events_by[r] == 0:
            notes.append(f"{r!r} has no relapses: its rate ratio is not estimable by this "
                         "model (left empty); report its crude rate and exact CI (the cohort "
                         "table) instead")

    import numpy as np

    # A regimen without relapses has no estimate: its coefficient runs to -inf, and the fit
    # would never converge.  Its periods then add nothing to the likelihood (nor to the
    # cluster scores) of the others, so the fit leaves them out: the limit of the full fit.
    fitted = [o for o in others if events_by[o]]
    fit_rows = [row for row in rows if row[2] == reference or events_by[row[2]]]
    y_arr = np.array([k for k, _, _, _ in fit_rows], dtype=float)
    t_arr = np.array([t for _, t, _, _ in fit_rows], dtype=float)
    x_arr = np.column_stack([np.ones(len(fit_rows))]
                            + [np.array([r == o for _, _, r, _ in fit_rows], dtype=float)
                               for o in fitted])
    patient_ids = sorted({p for _, _, _, p in rows})
    codes = {p: i for i, p in enumerate(patient_ids)}
    groups = np.array([codes[p] for _, _, _, p in fit_rows])

    family = _NB_FAMILY
    fit = _fit_count_model(y_arr, x_arr, t_arr, groups, cluster, lev, poisson=False)
    params, conf, pvalues, converged, fit_notes = fit
    alpha = float(params[-1])
    n_coef = len(fitted) + 1
    # singular: no standard errors, or none but the cluster-robust ones (the information
    # matrix could not be inverted, as at the Poisson boundary)
    singular = not np.all(np.isfinite(conf[1:n_coef])) or any(
        "HessianInversionWarning" in n for n in fit_notes)
    if np.all(np.isfinite(params)) and (
            alpha < _ALPHA_AT_BOUND or (singular and alpha < _ALPHA_SMALL)):
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
    if not np.all(np.isfinite(params[:n_coef])):
        raise StatsError("the rate-ratio model gave no finite estimates (singular fit)")
    if not converged:
        notes.insert(0, "the model did not converge: its estimates are not reliable")
    if not (np.all(np.isfinite(conf[1:n_coef])) and np.all(np.isfinite(pvalues[1:n_coef]))):
        notes.append("standard errors could not be computed for every term (singular "
                     "information matrix): those CIs and p values are NaN")

    # a regimen without relapses has no estimate: NaN, as for any value the model cannot
    # compute
    column = {o: i for i, o in enumerate(fitted, start=1)}

    def term(o: str) -> ModelTerm:
        i = column.get(o)
        values = ((_exp(params[i]), _exp(conf[i, 0]), _exp(conf[i, 1]), float(pvalues[i]))
                  if i is not None else (math.nan,) * 4)
        return ModelTerm(o, *values, events=events_by[o], years=years_by[o])

    terms = tuple(term(o) for o in others)
    return NegBinModel(
        family=family, reference=reference, terms=terms, alpha=alpha,
        n_periods=len(rows), n_patients=len(patient_ids), n_dropped=dropped, events=total,
        events_per_term=per_term, converged=converged,
        cov_type="cluster" if cluster else "nonrobust", level=lev, warnings=tuple(notes))




def default_reference(patients: list[PatientPeriods]) -> str:
    """``untreated`` if any patient has untreated time of positive length, else the
    regimen with the most person-years (the first in the cohort order on a tie)."""
    from .periods import UNTREATED

    days: dict[str, int] = {}
    for pp in patients:
        for p in pp.periods:
            if p.days > 0 and p.counted:
                days[p.regimen] = days.get(p.regimen, 0) + p.days
    if UNTREATED in days or not days:
        return UNTREATED
    return max(days, key=lambda r: days[r])


def regimen_model(
    patients: list[PatientPeriods],
    reference: str | None = None,
    level: float = 0.95,
    cluster: bool = False,
) -> NegBinModel:
    """NB2 rate ratios of every regimen against ``reference``, one row per patient-period.

    Parameters
    ----------
    patients : list of PatientPeriods
        Every patient's periods; each period is one observation (relapses, years), except
        those shorter than the minimum (:attr:`~.periods.Period.counted`), left out.
    reference : str, optional
        A regimen name as in the periods; default :func:`default_reference`.
    level : float
        Confidence level of the Wald intervals.
    cluster : bool
        Cluster-robust standard errors by patient (periods of one patient are not
        independent).

    Returns
    -------
    NegBinModel
    """
    periods = [p for pp in patients for p in pp.periods if p.counted]
    return negbin_rate_ratios(
        [p.relapses for p in periods], [p.years for p in periods],
        [p.regimen for p in periods], [p.patient for p in periods],
        reference=reference if reference is not None else default_reference(patients),
        level=level, cluster=cluster)
