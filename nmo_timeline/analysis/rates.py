"""Relapse rates with exact confidence intervals: a pooled ARR, and a rate ratio.

* :func:`poisson_rate_ci` -- exact (Garwood, chi-square) CI of a pooled relapse rate.
* :func:`rate_ratio` -- rate ratio on/before with its exact conditional (Clopper-Pearson) CI.

Both take plain numbers and import only ``scipy.special`` (its inverse incomplete gamma
and beta functions, i.e. scipy's own chi-square and beta quantiles), never
``scipy.stats``: ``summary`` prints a CI for every regimen, and scipy.stats would add
about half a second to every run.  Importing this module imports nothing heavy.

Years are person-years as elsewhere in the package (days / 365.25).
"""

from __future__ import annotations

from dataclasses import dataclass

from .inputs import StatsError, check_count, check_level, check_years

__all__ = ["RateRatio", "StatsError", "poisson_rate_ci", "rate_ratio"]

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
    k = check_count(events, "events")
    t = check_years(years, "years")
    alpha = 1.0 - check_level(level)
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
    kon = check_count(k_on, "k_on")
    kbe = check_count(k_before, "k_before")
    ton = check_years(years_on, "years_on")
    tbe = check_years(years_before, "years_before")
    lev = check_level(level)
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


