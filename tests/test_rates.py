"""Tests of nmo_timeline.analysis.rates: the exact Poisson CI of a pooled ARR and the exact
conditional CI of a rate ratio -- hand-worked cases, cross-checks against independent
scipy/statsmodels calls, and properties."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from nmo_timeline.analysis.inputs import StatsError
from nmo_timeline.analysis.models import negbin_rate_ratios
from nmo_timeline.analysis.rates import poisson_rate_ci, rate_ratio
from nmo_timeline.errors import NmoTimelineError

levels = st.floats(min_value=0.5, max_value=0.999)
counts = st.integers(min_value=0, max_value=200)
person_years = st.floats(min_value=0.05, max_value=500.0, allow_nan=False)


# --------------------------------------------------------------------------- import cost


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True)
    return set(out.stdout.split())



def test_statistics_modules_import_nothing_heavy():
    loaded = _modules_after("import nmo_timeline.analysis.rates, nmo_timeline.analysis.models\n"
                            "import nmo_timeline.analysis.survival, nmo_timeline.analysis.compare")
    assert not {"numpy", "scipy", "pandas", "statsmodels"} & loaded


def test_rate_cis_use_scipy_special_not_scipy_stats():
    loaded = _modules_after(
        "from nmo_timeline.analysis.rates import poisson_rate_ci, rate_ratio\n"
        "poisson_rate_ci(3, 2.0); rate_ratio(1, 1.0, 4, 2.0)")
    assert "scipy.special" in loaded
    assert "scipy.stats" not in loaded
    assert "statsmodels" not in loaded
    assert "pandas" not in loaded


def test_stats_error_is_the_packages_error_and_a_value_error():
    with pytest.raises(NmoTimelineError):
        poisson_rate_ci(-1, 1.0)
    assert issubclass(StatsError, ValueError)


# --------------------------------------------------------------------------- level checks


@pytest.mark.parametrize("level", [0, 1, -0.5, 1.5, 95, float("nan"), "high", None])
def test_level_outside_0_1_is_a_clear_value_error(level):
    for call in (lambda: poisson_rate_ci(2, 1.0, level),
                 lambda: rate_ratio(1, 1.0, 2, 1.0, level),
                 lambda: negbin_rate_ratios([1, 2, 3, 4], [1, 1, 1, 1], ["a", "a", "b", "b"],
                                            ["p", "q", "p", "q"], "a", level)):
        with pytest.raises(ValueError, match="confidence level must be"):
            call()


# --------------------------------------------------------------------------- Poisson CI


@pytest.mark.parametrize(("k", "low", "high"), [
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (5, 1.623, 11.668),
])
def test_poisson_ci_matches_published_exact_limits(k, low, high):
    # Exact (Garwood) 95 % limits for a Poisson count, as tabulated in the literature and
    # quoted in issue 14; with T = 1 the rate limits are the count limits.
    lo, hi = poisson_rate_ci(k, 1.0)
    assert lo == pytest.approx(low, abs=5e-4)
    assert hi == pytest.approx(high, abs=5e-4)


@pytest.mark.parametrize("k", [0, 1, 2, 5, 17, 100, 1000])
@pytest.mark.parametrize("years", [0.25, 1.0, 7.3, 321.0])
@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_poisson_ci_equals_chi2_ppf_formula(k, years, level):
    a = 1 - level
    want_lo = sps.chi2.ppf(a / 2, 2 * k) / (2 * years) if k else 0.0
    want_hi = sps.chi2.ppf(1 - a / 2, 2 * k + 2) / (2 * years)
    lo, hi = poisson_rate_ci(k, years, level)
    assert lo == pytest.approx(want_lo, rel=1e-12, abs=0)
    assert hi == pytest.approx(want_hi, rel=1e-10)


def test_poisson_ci_scales_with_years_and_has_lower_zero_without_events():
    assert poisson_rate_ci(0, 4.0) == (0.0, pytest.approx(3.6888794541 / 4))
    lo1, hi1 = poisson_rate_ci(191, 321.0)  # Stellmann 2017: 191 attacks, 321 years
    assert lo1 < 191 / 321 < hi1


@given(counts, person_years, levels)
def test_poisson_ci_contains_the_rate(k, years, level):
    lo, hi = poisson_rate_ci(k, years, level)
    assert 0 <= lo <= k / years <= hi
    assert math.isfinite(hi)


@given(counts, person_years, levels, levels)
def test_poisson_ci_widens_as_level_rises(k, years, l1, l2):
    l1, l2 = sorted((l1, l2))
    lo1, hi1 = poisson_rate_ci(k, years, l1)
    lo2, hi2 = poisson_rate_ci(k, years, l2)
    assert lo2 <= lo1 * (1 + 1e-12)
    assert hi2 >= hi1 * (1 - 1e-12)


# --------------------------------------------------------------------------- rate ratio


def _p_limits(r):
    """Back from RR limits to the binomial share when years_on == years_before."""
    return r.ci_low / (1 + r.ci_low), r.ci_high / (1 + r.ci_high)


@pytest.mark.parametrize(("k_on", "k_before"), [
    (0, 1), (0, 20), (1, 1), (2, 20), (3, 17), (10, 10), (45, 3), (1, 200)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_rate_ratio_limits_are_clopper_pearson(k_on, k_before, level):
    n = k_on + k_before
    r = rate_ratio(k_on, 3.0, k_before, 3.0, level)
    p_lo, p_hi = _p_limits(r)
    scipy_ci = sps.binomtest(k_on, n).proportion_ci(level, method="exact")
    sm_lo, sm_hi = proportion_confint(k_on, n, alpha=1 - level, method="beta")
    # binomtest finds the limits by root finding (about 1e-9 relative); statsmodels uses
    # the beta quantiles as this module does.
    assert p_lo == pytest.approx(scipy_ci.low, rel=1e-7, abs=1e-15)
    assert p_hi == pytest.approx(scipy_ci.high, rel=1e-7)
    assert p_lo == pytest.approx(0.0 if k_on == 0 else sm_lo, rel=1e-10, abs=1e-15)
    assert p_hi == pytest.approx(sm_hi, rel=1e-10)


@pytest.mark.parametrize("n", [1, 2, 7, 201])
def test_clopper_pearson_closed_forms(n):
    # x = 0: pU = 1 - (a/2)**(1/n); x = n: pL = (a/2)**(1/n); x = 1: pL = 1 - (1 - a/2)**(1/n)
    up = rate_ratio(0, 1.0, n, 1.0).ci_high
    assert up / (1 + up) == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-12)
    lo = rate_ratio(n, 1.0, 0, 1.0).ci_low
    assert lo / (1 + lo) == pytest.approx(0.025 ** (1 / n), rel=1e-12)
    lo1 = rate_ratio(1, 1.0, n - 1, 1.0).ci_low
    assert lo1 / (1 + lo1) == pytest.approx(-math.expm1(math.log1p(-0.025) / n), rel=1e-12)


def test_rate_ratio_hand_worked():
    # 2 relapses in 4 years on therapy, 12 in 3 years before: RR = 0.5 / 4 = 0.125.
    # Share on therapy p = 2/14; limits scale by T_before / T_on = 3/4.
    r = rate_ratio(2, 4.0, 12, 3.0)
    assert r.estimate == pytest.approx(0.125)
    ci = sps.binomtest(2, 14).proportion_ci(0.95, method="exact")
    assert r.ci_low == pytest.approx(ci.low / (1 - ci.low) * 0.75, rel=1e-9)
    assert r.ci_high == pytest.approx(ci.high / (1 - ci.high) * 0.75, rel=1e-9)
    assert r.note is None
    assert "Clopper-Pearson" in r.method


def test_rate_ratio_no_relapse_on_therapy_has_finite_upper_limit():
    r = rate_ratio(0, 7.0, 20, 7.0)
    assert (r.estimate, r.ci_low) == (0.0, 0.0)
    # k = 0 of n = 20: pU = 1 - 0.025 ** (1 / 20)
    p_hi = 1 - 0.025 ** (1 / 20)
    assert r.ci_high == pytest.approx(p_hi / (1 - p_hi), rel=1e-12)
    assert r.note == "no relapses on therapy: estimate and lower limit 0, upper limit exact"


def test_rate_ratio_no_relapse_before_is_unbounded_above():
    r = rate_ratio(3, 1.0, 0, 2.0)
    assert r.estimate is None and r.ci_high is None
    # lower limit: pL of 3 of 3 = 0.025 ** (1/3), times T_before / T_on = 2
    p_lo = 0.025 ** (1 / 3)
    assert r.ci_low == pytest.approx(p_lo / (1 - p_lo) * 2, rel=1e-12)
    assert r.note == ("no relapses before therapy: the rate ratio and its upper limit are "
                      "unbounded")


def test_rate_ratio_without_any_relapse_is_undefined():
    r = rate_ratio(0, 1.0, 0, 1.0)
    assert (r.estimate, r.ci_low, r.ci_high) == (None, None, None)
    assert r.note == "no relapses on therapy or before: the rate ratio is undefined"


def test_rate_ratio_refuses_zero_years():
    with pytest.raises(StatsError, match="years_on"):
        rate_ratio(1, 0.0, 1, 1.0)


@given(counts, person_years, counts, person_years, levels)
def test_rate_ratio_ci_contains_estimate(k_on, t_on, k_be, t_be, level):
    r = rate_ratio(k_on, t_on, k_be, t_be, level)
    if r.estimate is not None:
        assert r.ci_low <= r.estimate * (1 + 1e-9)
        assert r.estimate <= r.ci_high * (1 + 1e-9)


@given(counts, person_years, counts, person_years, levels)
def test_rate_ratio_is_symmetric_under_swapping_groups(k_on, t_on, k_be, t_be, level):
    a = rate_ratio(k_on, t_on, k_be, t_be, level)
    b = rate_ratio(k_be, t_be, k_on, t_on, level)

    def inv(x: float | None) -> float | None:
        if x is None:
            return 0.0
        return None if x == 0 else 1 / x

    for got, want in ((a.estimate, inv(b.estimate)), (a.ci_low, inv(b.ci_high)),
                      (a.ci_high, inv(b.ci_low))):
        if k_on + k_be == 0:
            assert got is None
        elif want is None or got is None:
            assert got is want
        else:
            assert got == pytest.approx(want, rel=1e-7, abs=1e-300)


@given(counts, person_years, counts, person_years, levels, levels)
def test_rate_ratio_ci_widens_as_level_rises(k_on, t_on, k_be, t_be, l1, l2):
    l1, l2 = sorted((l1, l2))
    a, b = rate_ratio(k_on, t_on, k_be, t_be, l1), rate_ratio(k_on, t_on, k_be, t_be, l2)
    if a.ci_low is not None:
        assert b.ci_low <= a.ci_low * (1 + 1e-9)
    if a.ci_high is not None:
        assert b.ci_high >= a.ci_high * (1 - 1e-9)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: poisson_rate_ci(-1, 1.0), "events cannot be negative, got -1"),
    (lambda: poisson_rate_ci(1.5, 1.0), "events must be a whole number, got 1.5"),
    (lambda: poisson_rate_ci(1, 0.0), "years must be a finite number of years more than 0, "
                                      "got 0.0"),
    (lambda: poisson_rate_ci(2, -1.0), "years must be a finite number of years more than 0, "
                                       "got -1.0"),
    (lambda: poisson_rate_ci(2, float("inf")), "years must be a finite number of years more "
                                               "than 0, got inf"),
    (lambda: rate_ratio(-1, 1.0, 1, 1.0), "k_on cannot be negative, got -1"),
    (lambda: rate_ratio(1, 1.0, -2, 1.0), "k_before cannot be negative, got -2"),
    (lambda: rate_ratio(1, 1.0, 1, 0.0), "years_before must be a finite number of years more "
                                         "than 0, got 0.0"),
    (lambda: rate_ratio(1, "x", 1, 1.0), "years_on must be a number of years, got 'x'"),
])
def test_bad_input_messages_name_the_argument(call, message):
    with pytest.raises(StatsError) as err:
        call()
    assert str(err.value) == message


@pytest.mark.parametrize(("durations", "message"), [
    ([-1.0], "duration must be a finite number of days 0 or more, got -1.0"),
    (["x"], "duration must be a number of days, got 'x'"),
])
def test_kaplan_meier_input_messages_speak_in_days(durations, message):
    from nmo_timeline.analysis.survival import kaplan_meier

    with pytest.raises(StatsError) as err:
        kaplan_meier(durations, [True])
    assert str(err.value) == message


@pytest.mark.parametrize(("k_on", "k_before"), [(0, 0), (0, 4), (3, 0), (2, 5)])
def test_a_rate_ratio_records_what_it_was_computed_from(k_on, k_before):
    # every branch (undefined, no relapse on therapy, unbounded, ordinary) keeps its inputs
    r = rate_ratio(k_on, 1.5, k_before, 2.5, level=0.9)
    assert (r.level, r.k_on, r.years_on, r.k_before, r.years_before) == \
        (0.9, k_on, 1.5, k_before, 2.5)
    assert r.method.startswith("exact conditional: Clopper-Pearson")


@pytest.mark.parametrize(("level", "label"), [(0.95, "95 %"), (0.975, "97.5 %"), (0.9, "90 %"),
                                              (0.999, "99.9 %")])
def test_level_labels(level, label):
    from nmo_timeline.analysis.inputs import level_label

    assert level_label(level) == label
