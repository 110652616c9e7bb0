"""Tests of nmo_timeline.analysis.stats: hand-worked cases, cross-checks against independent
scipy/statsmodels calls, properties, and one published result reproduced (Araki 2014)."""

from __future__ import annotations

import csv
import math
import statistics
import subprocess
import sys
import warnings
from datetime import date
from itertools import combinations_with_replacement, permutations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from nmo_timeline.analysis import stats
from nmo_timeline.analysis.stats import (
    StatsError,
    kaplan_meier,
    negbin_rate_ratios,
    paired_wilcoxon,
    poisson_rate_ci,
    rate_ratio,
)

DATA = Path(__file__).parent / "data"
DAYS_PER_YEAR = 365.25

levels = st.floats(min_value=0.5, max_value=0.999)
counts = st.integers(min_value=0, max_value=200)
person_years = st.floats(min_value=0.05, max_value=500.0, allow_nan=False)


# --------------------------------------------------------------------------- import cost


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_module_import_loads_nothing_heavy():
    loaded = _modules_after("import nmo_timeline.analysis.stats")
    assert not {"numpy", "scipy", "pandas", "statsmodels"} & loaded


def test_rate_cis_use_scipy_special_not_scipy_stats():
    loaded = _modules_after(
        "from nmo_timeline.analysis.stats import poisson_rate_ci, rate_ratio\n"
        "poisson_rate_ci(3, 2.0); rate_ratio(1, 1.0, 4, 2.0)")
    assert "scipy.special" in loaded
    assert "scipy.stats" not in loaded
    assert "statsmodels" not in loaded
    assert "pandas" not in loaded


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


@pytest.mark.parametrize(("events", "years", "msg"), [
    (-1, 1.0, "cannot be negative"),
    (1.5, 1.0, "whole number"),
    (2, 0.0, "more than 0"),
    (2, -1.0, "more than 0"),
    (2, float("inf"), "finite"),
])
def test_poisson_ci_refuses_bad_input(events, years, msg):
    with pytest.raises(StatsError, match=msg):
        poisson_rate_ci(events, years)


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
    assert "no relapses on therapy" in r.note


def test_rate_ratio_no_relapse_before_is_unbounded_above():
    r = rate_ratio(3, 1.0, 0, 2.0)
    assert r.estimate is None and r.ci_high is None
    # lower limit: pL of 3 of 3 = 0.025 ** (1/3), times T_before / T_on = 2
    p_lo = 0.025 ** (1 / 3)
    assert r.ci_low == pytest.approx(p_lo / (1 - p_lo) * 2, rel=1e-12)
    assert "unbounded" in r.note


def test_rate_ratio_without_any_relapse_is_undefined():
    r = rate_ratio(0, 1.0, 0, 1.0)
    assert (r.estimate, r.ci_low, r.ci_high) == (None, None, None)
    assert "undefined" in r.note


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


# --------------------------------------------------------------------------- Kaplan-Meier

SIX_D = [2, 3, 3, 5, 8, 8]
SIX_E = [True, True, False, True, False, True]


def test_kaplan_meier_six_subjects_by_hand():
    # t=2: 6 at risk, 1 relapse        S = 5/6
    # t=3: 5 at risk, 1 relapse, 1 cens S = 5/6 * 4/5 = 2/3
    # t=5: 3 at risk, 1 relapse         S = 2/3 * 2/3 = 4/9
    # t=8: 2 at risk, 1 relapse, 1 cens S = 4/9 * 1/2 = 2/9
    km = kaplan_meier(SIX_D, SIX_E)
    assert km.times == (2.0, 3.0, 5.0, 8.0)
    assert km.at_risk == (6, 5, 3, 2)
    assert km.events == (1, 1, 1, 1)
    assert km.censored == (0, 1, 0, 1)
    assert km.survival == pytest.approx((5 / 6, 2 / 3, 4 / 9, 2 / 9), rel=1e-12)
    assert (km.n, km.n_events, km.median) == (6, 4, 5.0)
    assert km.survival_at(0) == 1.0
    assert km.survival_at(1.99) == 1.0
    assert km.survival_at(2) == pytest.approx(5 / 6)
    assert km.survival_at(4) == pytest.approx(2 / 3)
    assert km.survival_at(8) == pytest.approx(2 / 9)
    assert km.survival_at(9) is None  # beyond follow-up, survival not yet 0
    assert [km.at_risk_at(t) for t in (0, 2, 2.5, 3, 4, 8, 9)] == [6, 6, 5, 5, 3, 2, 0]


def test_kaplan_meier_in_days_survival_at_one_year():
    # 4 patients: relapse at 100 and 300 days; censored at 200 and 500 days.
    km = kaplan_meier([100, 200, 300, 500], [True, False, True, False])
    # S(365) = (3/4) * (1/2) after the relapse at 300 days with 2 at risk
    assert km.survival_at(365) == pytest.approx(0.375)
    assert km.median == 300.0
    assert km.at_risk_at(365) == 1


def test_kaplan_meier_median_not_reached_and_no_events():
    assert kaplan_meier([100, 200, 300], [True, False, False]).median is None
    km = kaplan_meier([10, 20], [False, False])
    assert km.survival == (1.0, 1.0) and km.median is None and km.n_events == 0
    assert km.survival_at(25) is None


def test_kaplan_meier_all_relapse_reaches_zero_and_stays_there():
    km = kaplan_meier([1, 2, 3, 4], [True] * 4)
    assert km.survival[-1] == 0.0
    assert km.median == 2.0  # S(2) = 0.5 exactly: first time S <= 0.5
    assert km.survival_at(100) == 0.0


@pytest.mark.parametrize(("d", "e", "msg"), [
    ([], [], "at least one"),
    ([1, 2], [True], "lengths"),
    ([-1], [True], "0 or more"),
    ([float("nan")], [True], "finite"),
])
def test_kaplan_meier_refuses_bad_input(d, e, msg):
    with pytest.raises(StatsError, match=msg):
        kaplan_meier(d, e)


@pytest.mark.parametrize("seed", range(8))
def test_kaplan_meier_agrees_with_statsmodels_survfuncright(seed):
    rng = np.random.default_rng(seed)
    n = 60
    d = rng.integers(0, 800, n).astype(float)  # days, with ties
    e = rng.random(n) < 0.6
    km = kaplan_meier(d.tolist(), e.tolist())
    sf = SurvfuncRight(d, e.astype(int))
    event_times = [i for i, ev in enumerate(km.events) if ev]
    assert [km.times[i] for i in event_times] == pytest.approx(sf.surv_times)
    assert [km.survival[i] for i in event_times] == pytest.approx(sf.surv_prob, rel=1e-12)
    assert [km.at_risk[i] for i in event_times] == list(sf.n_risk)
    assert [km.events[i] for i in event_times] == list(sf.n_events)
    sm_median = sf.quantile(0.5)
    if km.median is None:
        assert np.isnan(sm_median)
    else:
        assert km.median == sm_median


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 1000), st.booleans()), min_size=1, max_size=40))
def test_kaplan_meier_survival_is_a_non_increasing_step_in_0_1(subjects):
    km = kaplan_meier([d for d, _ in subjects], [e for _, e in subjects])
    assert all(0.0 <= s <= 1.0 for s in km.survival)
    assert all(a >= b for a, b in zip(km.survival, km.survival[1:], strict=False))
    assert all(a >= b for a, b in zip(km.at_risk, km.at_risk[1:], strict=False))
    assert sum(km.events) + sum(km.censored) == km.n == len(subjects)
    assert km.at_risk[0] == km.n


# --------------------------------------------------------------------------- NB2 model

TRUE_RR = {"Azathioprine": 0.5, "Rituximab": 0.2}
BASE_ARR = 1.5
TRUE_ALPHA = 0.5


def _cohort(seed: int = 20140415, patients: int = 200):
    """Three periods per patient (untreated, then two regimens), NB2 counts: Poisson with
    a gamma frailty of mean 1 and variance alpha per period."""
    rng = np.random.default_rng(seed)
    counts, years, regimens, pats = [], [], [], []
    for i in range(patients):
        for reg in ("untreated", "Azathioprine", "Rituximab"):
            t = float(rng.uniform(0.3, 4.0))
            mu = BASE_ARR * TRUE_RR.get(reg, 1.0) * t
            lam = rng.gamma(1 / TRUE_ALPHA, TRUE_ALPHA * mu)
            counts.append(int(rng.poisson(lam)))
            years.append(t)
            regimens.append(reg)
            pats.append(f"P{i:03d}")
    return counts, years, regimens, pats


def _direct_fit(counts, years, regimens, groups=None, poisson=False):
    others = sorted(set(regimens) - {"untreated"})
    x = np.column_stack([np.ones(len(counts))]
                        + [[float(r == o) for r in regimens] for o in others])
    kw = {"maxiter": 200, "disp": 0}
    if groups is not None:
        kw.update(cov_type="cluster", cov_kwds={"groups": groups})
    if poisson:
        model = Poisson(np.array(counts, float), x, exposure=np.array(years))
    else:
        model = NegativeBinomial(np.array(counts, float), x, loglike_method="nb2",
                                 exposure=np.array(years))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(**kw)


def test_negbin_recovers_known_rate_ratios():
    c, y, r, p = _cohort()
    m = negbin_rate_ratios(c, y, r, p, reference="untreated")
    assert m.converged and m.warnings == ()
    assert (m.n_periods, m.n_patients, m.n_dropped) == (600, 200, 0)
    assert m.reference == "untreated" and m.family.startswith("negative binomial (NB2)")
    assert [t.regimen for t in m.terms] == ["Azathioprine", "Rituximab"]
    for t in m.terms:
        assert t.ci_low < t.rate_ratio < t.ci_high
        assert t.ci_low < TRUE_RR[t.regimen] < t.ci_high
        assert t.p < 1e-6
    assert 0.25 < m.alpha < 1.0
    assert m.events == sum(c)
    assert m.terms[0].events == sum(k for k, g in zip(c, r, strict=True) if g == "Azathioprine")


def test_negbin_equals_a_direct_statsmodels_call():
    c, y, r, p = _cohort(seed=7, patients=120)
    m = negbin_rate_ratios(c, y, r, p, reference="untreated", level=0.9)
    res = _direct_fit(c, y, r)
    conf = res.conf_int(alpha=0.1)
    for i, t in enumerate(m.terms, start=1):
        assert t.rate_ratio == pytest.approx(math.exp(res.params[i]), rel=1e-12)
        assert t.ci_low == pytest.approx(math.exp(conf[i, 0]), rel=1e-12)
        assert t.ci_high == pytest.approx(math.exp(conf[i, 1]), rel=1e-12)
        assert t.p == pytest.approx(res.pvalues[i], rel=1e-12)
        # Wald interval by hand: exp(b +- z * se)
        z = sps.norm.ppf(0.95)
        assert t.ci_high == pytest.approx(math.exp(res.params[i] + z * res.bse[i]), rel=1e-10)
    assert m.alpha == pytest.approx(res.params[-1], rel=1e-12)


def test_negbin_cluster_robust_by_patient_equals_statsmodels():
    c, y, r, p = _cohort(seed=11, patients=120)
    m = negbin_rate_ratios(c, y, r, p, reference="untreated", cluster=True)
    plain = negbin_rate_ratios(c, y, r, p, reference="untreated")
    codes = {q: i for i, q in enumerate(sorted(set(p)))}
    res = _direct_fit(c, y, r, groups=np.array([codes[q] for q in p]))
    conf = res.conf_int(alpha=0.05)
    assert m.cov_type == "cluster"
    for i, t in enumerate(m.terms, start=1):
        assert t.ci_low == pytest.approx(math.exp(conf[i, 0]), rel=1e-12)
        assert t.rate_ratio == pytest.approx(plain.terms[i - 1].rate_ratio, rel=1e-12)
        assert t.ci_low != pytest.approx(plain.terms[i - 1].ci_low, rel=1e-6)


def test_negbin_reference_choice_inverts_ratios():
    c, y, r, p = _cohort(seed=3, patients=100)
    a = negbin_rate_ratios(c, y, r, p, reference="untreated")
    b = negbin_rate_ratios(c, y, r, p, reference="Rituximab")
    rtx = next(t for t in a.terms if t.regimen == "Rituximab")
    untreated = next(t for t in b.terms if t.regimen == "untreated")
    assert untreated.rate_ratio == pytest.approx(1 / rtx.rate_ratio, rel=1e-4)


def test_negbin_drops_zero_length_periods():
    c, y, r, p = _cohort(seed=5, patients=80)
    base = negbin_rate_ratios(c, y, r, p, reference="untreated")
    m = negbin_rate_ratios([*c, 2, 0], [*y, 0.0, 0.0], [*r, "Rituximab", "untreated"],
                           [*p, "X1", "X2"], reference="untreated")
    assert (m.n_dropped, m.n_periods, m.n_patients) == (2, base.n_periods, base.n_patients)
    assert m.warnings == ("2 period(s) of zero length left out (2 relapse(s) in them not "
                          "counted)",)
    assert [t.rate_ratio for t in m.terms] == [t.rate_ratio for t in base.terms]


def test_negbin_regimen_without_relapses_warns_and_does_not_leak_warnings():
    c, y, r, p = _cohort(seed=9, patients=100)
    c = [0 if g == "Rituximab" else k for k, g in zip(c, r, strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any leaked warning fails the test
        m = negbin_rate_ratios(c, y, r, p, reference="untreated")
    rtx = next(t for t in m.terms if t.regimen == "Rituximab")
    assert rtx.events == 0 and rtx.rate_ratio < 1e-6
    assert rtx.ci_high / max(rtx.ci_low, 1e-300) > 1e6  # huge, meaningless CI
    assert any("'Rituximab' has no relapses" in w for w in m.warnings)


def test_negbin_reference_without_relapses_warns():
    c = [0, 0, 0, 0, 0, 3, 1, 4, 2, 0, 5]
    y = [1.0] * 11
    r = ["untreated"] * 5 + ["Azathioprine"] * 6
    m = negbin_rate_ratios(c, y, r, [str(i) for i in range(11)], "untreated")
    assert any("reference regimen 'untreated' has no relapses" in w for w in m.warnings)


def test_negbin_underdispersed_counts_fall_back_to_poisson():
    # Counts less variable than Poisson: NB2 alpha runs to its bound 0.
    c = [3, 3, 3, 2, 3, 1, 1, 1, 1, 0] * 3
    y = [1.0] * 30
    r = (["untreated"] * 5 + ["Rituximab"] * 5) * 3
    p = [f"P{i}" for i in range(30)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = negbin_rate_ratios(c, y, r, p, "untreated")
    assert m.family.startswith("Poisson") and m.alpha == 0.0 and m.converged
    assert m.terms[0].rate_ratio == pytest.approx(12 / 42, rel=1e-8)
    assert m.warnings == ("no overdispersion: the NB2 dispersion alpha was estimated at its "
                          "bound 0, so the rate ratios come from the Poisson model it reduces "
                          "to",)
    res = _direct_fit(c, y, r, poisson=True)
    assert m.terms[0].ci_low == pytest.approx(math.exp(res.conf_int()[1, 0]), rel=1e-10)


def test_negbin_few_events_per_term_warns():
    c = [2, 0, 1, 0, 1, 0, 0, 1, 0]
    y = [1.0, 2.0, 1.5, 1.0, 1.0, 2.0, 1.0, 1.0, 3.0]
    r = ["untreated"] * 3 + ["Azathioprine"] * 3 + ["Rituximab"] * 3
    m = negbin_rate_ratios(c, y, r, [str(i) for i in range(9)], "untreated")
    assert any("only 5 relapses for 2 term(s) (2.5 per term" in w for w in m.warnings)
    assert m.events_per_term == 2.5


def test_negbin_non_convergence_is_flagged_not_warned(monkeypatch):
    monkeypatch.setitem(stats._FIT_OPTIONS, "maxiter", 1)
    c, y, r, p = _cohort(seed=2, patients=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = negbin_rate_ratios(c, y, r, p, "untreated")
    assert not m.converged
    assert m.warnings[0] == "the model did not converge: its estimates are not reliable"
    assert any("ConvergenceWarning" in w for w in m.warnings)


def test_negbin_singular_fit_becomes_one_line_stats_error(monkeypatch):
    def singular(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix\nmore detail")

    monkeypatch.setattr(NegativeBinomial, "fit", singular)
    c, y, r, p = _cohort(seed=2, patients=30)
    with pytest.raises(StatsError) as info:
        negbin_rate_ratios(c, y, r, p, "untreated")
    assert str(info.value) == ("the negative binomial model could not be fitted "
                               "(LinAlgError: Singular matrix)")


@pytest.mark.parametrize(("args", "msg"), [
    (([1, 2], [1.0], ["a", "b"], ["p", "q"], "a"), "lengths"),
    (([1, 2, 3, 4], [1.0] * 4, ["a"] * 4, list("pqrs"), "a"), "at least two regimens"),
    (([1, 2, 3, 4], [1.0] * 4, ["a", "a", "b", "b"], list("pqrs"), "c"), "reference regimen"),
    (([1, 2, 3], [1.0] * 3, ["a", "a", "b"], list("pqr"), "a"), "too few"),
    (([0] * 6, [1.0] * 6, ["a"] * 3 + ["b"] * 3, list("pqrstu"), "a"), "no relapses"),
    (([1, -2, 3, 4], [1.0] * 4, ["a", "a", "b", "b"], list("pqrs"), "a"), "negative"),
    (([1, 2, 3, 4], [1.0, -1.0, 1, 1], ["a", "a", "b", "b"], list("pqrs"), "a"), "years"),
])
def test_negbin_refuses_bad_input(args, msg):
    with pytest.raises(StatsError, match=msg):
        negbin_rate_ratios(*args)


# --------------------------------------------------------------------------- Wilcoxon


def test_wilcoxon_hand_worked_exact():
    # differences 1, 2, 3, 4, -5: W+ = 10, W- = 5, statistic min = 5.  Of the 2**5 sign
    # patterns, 10 have a rank sum <= 5, so the two-sided exact p = 2 * 10/32 = 0.625.
    r = paired_wilcoxon([2, 3, 4, 5, 0], [1, 1, 1, 1, 5])
    assert (r.p, r.statistic, r.n_pairs, r.n_nonzero, r.reason) == (0.625, 5.0, 5, 5, None)


def test_wilcoxon_equals_scipy_defaults_with_ties_and_zeros():
    before = [3.0, 2.0, 4.0, 3.0, 1.0, 2.0, 3.0, 2.5]
    on = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    want = sps.wilcoxon(before, on)
    r = paired_wilcoxon(before, on)
    assert r.p == pytest.approx(want.pvalue, rel=1e-12)
    # One zero difference is dropped; the other 7 are all positive, so the permutation p
    # (scipy >= 1.15 for ties and zeros) is 2 / 2**7.  scipy < 1.15 switched to the normal
    # approximation here (0.0169).
    assert r.p == pytest.approx(1 / 64, rel=1e-12)
    assert r.statistic == want.statistic
    assert (r.n_pairs, r.n_nonzero) == (8, 7)


@pytest.mark.parametrize(("before", "on", "reason"), [
    ([], [], "fewer than 2 pairs"),
    ([2.0], [0.0], "fewer than 2 pairs"),
    ([1.0, 2.0, 0.5], [1.0, 2.0, 0.5], "all differences are zero"),
])
def test_wilcoxon_not_computable_gives_reason(before, on, reason):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = paired_wilcoxon(before, on)
    assert r.p is None and r.statistic is None and r.reason == reason


def test_wilcoxon_refuses_mismatched_or_missing_values():
    with pytest.raises(StatsError, match="lengths"):
        paired_wilcoxon([1, 2], [1])
    with pytest.raises(StatsError, match="finite"):
        paired_wilcoxon([1, float("nan")], [0, 0])
    with pytest.raises(StatsError, match="finite"):
        paired_wilcoxon([1, None], [0, 0])


# --------------------------------------------------------------------------- Araki 2014
#
# Araki M, Matsuoka T, Miyamoto K, et al. Efficacy of the anti-IL-6 receptor antibody
# tocilizumab in neuromyelitis optica: a pilot study. Neurology 2014;82(15):1302-1306,
# PubMed 24634453.  Abstract: 7 patients; "After a year of TCZ treatment, the annualized
# relapse rate decreased from 2.9 ± 1.1 to 0.4 ± 0.8 (p < 0.005)" (mean ± SD).  The test is
# not named in the abstract.  tests/data/araki2014_reconstruction.csv is a reconstruction
# consistent with it (tests/data/README.md), not patient data.

ARAKI_CSV = DATA / "araki2014_reconstruction.csv"


def _araki_pairs() -> list[tuple[int, float, int, float]]:
    """(relapses before, years before, relapses on, years on) per patient, read from the
    reconstruction: 12 months before the first dose vs 12 months on tocilizumab."""
    rows = list(csv.DictReader(ARAKI_CSV.read_text(encoding="utf-8").splitlines()))
    out = []
    for pid in sorted({row["patient"] for row in rows}):
        mine = [row for row in rows if row["patient"] == pid]
        (tcz,) = [row for row in mine if row["kind"] == "therapy"]
        assert tcz["name"] == "Tocilizumab" and tcz["value"] == "8"
        first, stop = date.fromisoformat(tcz["start"]), date.fromisoformat(tcz["end"])
        window = first.replace(year=first.year - 1)
        relapses = [date.fromisoformat(row["start"]) for row in mine if row["kind"] == "relapse"]
        assert all(window <= d <= stop for d in relapses)
        k_before = sum(window <= d < first for d in relapses)
        k_on = sum(first <= d < stop for d in relapses)
        out.append((k_before, (first - window).days / DAYS_PER_YEAR,
                    k_on, (stop - first).days / DAYS_PER_YEAR))
    return out


def test_araki2014_reconstruction_file_has_the_project_columns():
    header = ARAKI_CSV.read_text(encoding="utf-8").splitlines()[0]
    assert header == "patient,kind,name,start,end,value"
    assert len(_araki_pairs()) == 7


def test_araki2014_mean_sd_arr_reproduced():
    pairs = _araki_pairs()
    arr_before = [k / t for k, t, _, _ in pairs]
    arr_on = [k / t for _, _, k, t in pairs]
    assert round(statistics.mean(arr_before), 1) == 2.9
    assert round(statistics.stdev(arr_before), 1) == 1.1
    assert round(statistics.mean(arr_on), 1) == 0.4
    assert round(statistics.stdev(arr_on), 1) == 0.8
    # Pooled view of the same data, with the module's functions.
    k_b, t_b = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    k_o, t_o = sum(p[2] for p in pairs), sum(p[3] for p in pairs)
    assert (k_b, k_o) == (20, 3)
    lo, hi = poisson_rate_ci(k_o, t_o)
    assert lo < k_o / t_o < hi
    rr = rate_ratio(k_o, t_o, k_b, t_b)
    assert rr.estimate == pytest.approx(0.15)
    assert rr.ci_high < 1  # the exact conditional CI excludes no effect


def test_araki2014_counts_are_the_only_integer_sets_consistent_with_the_abstract():
    f = DAYS_PER_YEAR / 365  # every window in the file is 365 days

    def fits(counts_: tuple[int, ...], mean: float, sd: float) -> bool:
        arr = [k * f for k in counts_]
        return (round(statistics.mean(arr), 1), round(statistics.stdev(arr), 1)) == (mean, sd)

    before_sets = [c for c in combinations_with_replacement(range(8), 7) if fits(c, 2.9, 1.1)]
    on_sets = [c for c in combinations_with_replacement(range(5), 7) if fits(c, 0.4, 0.8)]
    assert before_sets == [(1, 2, 3, 3, 3, 4, 4), (2, 2, 2, 2, 4, 4, 4), (2, 2, 2, 3, 3, 3, 5)]
    assert on_sets == [(0, 0, 0, 0, 0, 1, 2)]
    pairs = _araki_pairs()
    assert tuple(sorted(p[0] for p in pairs)) == before_sets[0]
    assert tuple(sorted(p[2] for p in pairs)) == on_sets[0]


def test_araki2014_p_value_wilcoxon_cannot_reach_the_published_bound():
    pairs = _araki_pairs()
    before = [k / t for k, t, _, _ in pairs]
    on = [k / t for _, _, k, t in pairs]
    r = paired_wilcoxon(before, on)
    # All 7 patients improve: the exact (permutation) two-sided p is 2 / 2**7.
    assert r.p == pytest.approx(1 / 64) and r.n_pairs == 7
    # No pairing of any count set consistent with the abstract gets below 1/64 with the
    # signed-rank test, nor below 0.005 with its normal approximation: the abstract's
    # "p < 0.005" is not a Wilcoxon signed-rank p on 7 pairs.
    on_counts = (0, 0, 0, 0, 0, 1, 2)
    for before_counts in [(1, 2, 3, 3, 3, 4, 4), (2, 2, 2, 2, 4, 4, 4), (2, 2, 2, 3, 3, 3, 5)]:
        for on_perm in set(permutations(on_counts)):
            got = paired_wilcoxon(list(before_counts), list(on_perm))
            assert got.p is not None and got.p >= 1 / 64
            assert sps.wilcoxon(before_counts, on_perm, method="asymptotic").pvalue > 0.005
    # A paired t-test on the reconstruction is below the bound (the abstract does not say
    # which test was used, so this only shows the reconstruction is compatible with it).
    assert sps.ttest_rel(before, on).pvalue < 0.005
