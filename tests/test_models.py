"""Tests of nmo_timeline.analysis.models: the NB2 rate-ratio model against direct
statsmodels calls, its warnings, and the model built from treatment periods."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson

from nmo_timeline.analysis import models
from nmo_timeline.analysis.inputs import StatsError
from nmo_timeline.analysis.models import negbin_rate_ratios

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
    # no estimate: not the optimiser's near-0 ratio, its meaningless CI and tiny p
    assert rtx.events == 0
    assert all(math.isnan(v) for v in (rtx.rate_ratio, rtx.ci_low, rtx.ci_high, rtx.p))
    others = [t for t in m.terms if t.regimen != "Rituximab"]
    assert others and all(math.isfinite(t.rate_ratio) for t in others)
    assert ("'Rituximab' has no relapses: its rate ratio is not estimable by this model "
            "(left empty); report its crude rate and exact CI (the cohort table) instead"
            ) in m.warnings


@pytest.mark.parametrize("cluster", [False, True])
def test_a_regimen_without_relapses_is_left_out_of_the_fit_so_it_converges(cluster):
    # its coefficient would run to -inf: the full fit never converges, and the others'
    # estimates are the limit, the fit without its periods
    c, y, r, p = _cohort(seed=9, patients=100)
    c = [0 if g == "Rituximab" else k for k, g in zip(c, r, strict=True)]
    m = negbin_rate_ratios(c, y, r, p, reference="untreated", cluster=cluster)
    assert m.converged
    assert "the model did not converge: its estimates are not reliable" not in m.warnings
    keep = [i for i, g in enumerate(r) if g != "Rituximab"]
    codes = {q: i for i, q in enumerate(sorted(set(p)))}
    res = _direct_fit([c[i] for i in keep], [y[i] for i in keep], [r[i] for i in keep],
                      groups=np.array([codes[p[i]] for i in keep]) if cluster else None)
    (aza,) = [t for t in m.terms if t.regimen == "Azathioprine"]
    assert aza.rate_ratio == pytest.approx(math.exp(res.params[1]), rel=1e-9)
    assert aza.ci_high == pytest.approx(math.exp(res.conf_int(alpha=0.05)[1, 1]), rel=1e-9)
    assert m.n_periods == len(c) and m.n_patients == 100  # the data, not only the fit


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
    monkeypatch.setitem(models._FIT_OPTIONS, "maxiter", 1)
    c, y, r, p = _cohort(seed=2, patients=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = negbin_rate_ratios(c, y, r, p, "untreated")
    assert not m.converged
    assert m.warnings[0] == "the model did not converge: its estimates are not reliable"
    # said once, in words: statsmodels' own "Check mle_retvals" means nothing to a user
    assert not any("ConvergenceWarning" in w for w in m.warnings)


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
    (([1, 2], [1.0], ["a", "b"], ["p", "q"], "a"),
     "the inputs must have the same length: lengths counts=2, years=1, regimens=2, "
     "patients=2"),
    (([1, 2], [1.0] * 2, ["a", "b"], ["p"], "a"),
     "the inputs must have the same length: lengths counts=2, years=2, regimens=2, "
     "patients=1"),
    (([1, 2, 3, 4], [1.0] * 4, ["a"] * 4, list("pqrs"), "a"),
     "a rate-ratio model needs at least two regimens; only 'a' has periods of positive "
     "length"),
    (([1, 2, 3, 4], [1.0] * 4, ["a", "a", "b", "b"], list("pqrs"), "c"),
     "reference regimen 'c' has no period of positive length (regimens: a, b)"),
    # intercept, one indicator and alpha: 3 parameters need 4 periods
    (([1, 2, 3], [1.0] * 3, ["a", "a", "b"], list("pqr"), "a"),
     "3 periods are too few for a model with 3 parameters"),
    (([0] * 6, [1.0] * 6, ["a"] * 3 + ["b"] * 3, list("pqrstu"), "a"),
     "no relapses in any period: rate ratios cannot be estimated"),
    (([1, -2, 3, 4], [1.0] * 4, ["a", "a", "b", "b"], list("pqrs"), "a"),
     "relapse count cannot be negative, got -2"),
    (([1, 2, 3, 4], [1.0, -1.0, 1, 1], ["a", "a", "b", "b"], list("pqrs"), "a"),
     "period length must be a finite number of years 0 or more, got -1.0"),
])
def test_negbin_refuses_bad_input(args, msg):
    with pytest.raises(StatsError) as info:
        negbin_rate_ratios(*args)
    assert str(info.value) == msg


def test_four_periods_are_enough_for_three_parameters():
    m = negbin_rate_ratios([1, 2, 3, 1], [1.0] * 4, ["a", "a", "b", "b"], list("pqrs"), "a")
    assert m.n_periods == 4 and len(m.terms) == 1


def test_the_poisson_fallback_uses_the_exposure_and_the_clusters():
    # underdispersed counts over periods of different lengths: the Poisson model's rate
    # ratio is the ratio of crude rates, its Wald SE sqrt(1/k_on + 1/k_before)
    c = [3, 2, 3, 3, 2, 3, 1, 0, 1, 1, 1, 0]
    y = [2.0, 1.0, 1.5, 2.5, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 1.5, 1.0]
    r = ["untreated"] * 6 + ["Rituximab"] * 6
    p = [f"P{i % 6}" for i in range(12)]
    m = negbin_rate_ratios(c, y, r, p, "untreated")
    assert m.family.startswith("Poisson") and m.cov_type == "nonrobust" and m.level == 0.95
    (t,) = m.terms
    k0, t0, k1, t1 = sum(c[:6]), sum(y[:6]), sum(c[6:]), sum(y[6:])
    assert t.rate_ratio == pytest.approx((k1 / t1) / (k0 / t0), rel=1e-6)
    se = math.sqrt(1 / k1 + 1 / k0)
    z = sps.norm.ppf(0.975)
    assert (t.ci_low, t.ci_high) == pytest.approx(
        (t.rate_ratio * math.exp(-z * se), t.rate_ratio * math.exp(z * se)), rel=1e-5)
    clustered = negbin_rate_ratios(c, y, r, p, "untreated", cluster=True, level=0.9)
    assert clustered.family.startswith("Poisson") and clustered.cov_type == "cluster"
    assert clustered.level == 0.9
    res = _direct_fit(c, y, r, groups=np.array([i % 6 for i in range(12)]), poisson=True)
    low, high = np.exp(res.conf_int(alpha=0.1)[1])
    assert (clustered.terms[0].ci_low, clustered.terms[0].ci_high) == pytest.approx(
        (low, high), rel=1e-6)
    assert clustered.terms[0].rate_ratio == pytest.approx(t.rate_ratio, rel=1e-6)


# --------------------------------------------------------------------------- from periods


def _series(patients: int = 40, seed: int = 5) -> str:
    """Untreated time with relapses, then azathioprine or rituximab (about half the rate)."""
    rng = np.random.default_rng(seed)
    rows = ["patient,kind,name,start,end,value"]
    for i in range(patients):
        drug = "Rituximab" if i % 2 else "Azathioprine"
        rows.append(f"P{i},relapse,ON,2008-01-01,,")
        for k in range(int(rng.poisson(3))):
            rows.append(f"P{i},relapse,TM,2008-{2 + k % 10:02d}-{1 + k:02d},,")
        rows.append(f"P{i},therapy,{drug},2009-01-01,2011-12-31,")
        for k in range(int(rng.poisson(1.5))):
            rows.append(f"P{i},relapse,TM,2010-{1 + k % 12:02d}-{1 + k:02d},,")
    return "\n".join(rows) + "\n"


def test_summary_model_is_the_function_on_its_periods():
    from nmo_timeline.analysis.summary import summarise
    from nmo_timeline.load import read_events_text

    t = read_events_text(_series(), "s.csv")
    s = summarise(t, model="negbin", cluster=True, level=0.9)
    periods = [p for pp in s.patients for p in pp.periods]
    direct = negbin_rate_ratios([p.relapses for p in periods], [p.years for p in periods],
                                [p.regimen for p in periods], [p.patient for p in periods],
                                reference="untreated", level=0.9, cluster=True)
    assert s.model == direct
    assert s.model.cov_type == "cluster" and s.model.n_patients == 40
    assert [f"negative binomial model: {w}" for w in direct.warnings] == [
        w for w in s.warnings if w.startswith("negative binomial model: ")]
    ref = summarise(t, model="negbin", reference="rtx")
    assert ref.model.reference == "Rituximab"
    assert [x.regimen for x in ref.model.terms] == ["Azathioprine", "untreated"]


def test_negbin_singular_near_the_boundary_uses_poisson():
    # Araki 2014 as reconstructed: 20 relapses in 7 years before, 3 in 7 years on; NB2 stops
    # at alpha ~ 2e-5 with a singular information matrix, which is the Poisson boundary
    counts = [1, 2, 3, 3, 3, 4, 4, 0, 0, 0, 0, 0, 1, 2]
    years = [365 / 365.25] * 14
    regimens = ["untreated"] * 7 + ["Tocilizumab"] * 7
    patients = [f"A{i}" for i in range(1, 8)] * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = negbin_rate_ratios(counts, years, regimens, patients, "untreated")
    (t,) = m.terms
    assert m.family.startswith("Poisson") and m.alpha == 0.0
    assert t.rate_ratio == pytest.approx(3 / 20, rel=1e-6)
    assert math.isfinite(t.ci_low) and t.ci_low < t.rate_ratio < t.ci_high < 1
    res = _direct_fit(counts, years, regimens, poisson=True)
    assert t.ci_high == pytest.approx(math.exp(res.conf_int()[1, 1]), rel=1e-8)
    # with cluster-robust errors the same boundary is the Poisson model too (those errors
    # exist even where the information matrix cannot be inverted)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clustered = negbin_rate_ratios(counts, years, regimens, patients, "untreated",
                                       cluster=True)
    assert clustered.family.startswith("Poisson") and clustered.alpha == 0.0
    assert not any("statsmodels" in w for w in clustered.warnings)
    res = _direct_fit(counts, years, regimens, groups=np.repeat(np.arange(7)[None], 2, 0)
                      .ravel(), poisson=True)
    assert clustered.terms[0].ci_high == pytest.approx(math.exp(res.conf_int()[1, 1]),
                                                       rel=1e-8)
    # 23 relapses for one term is "enough" overall, but 3 on tocilizumab are not
    assert ("fewer than 10 relapses on Tocilizumab (3): a rate ratio from so few relapses "
            "is imprecise") in m.warnings
    assert not any(w.startswith("only ") for w in m.warnings)


def test_each_term_reports_its_own_relapses_and_years():
    c, y, r, p = _cohort()
    m = negbin_rate_ratios(c, y, r, p, reference="untreated")
    for t in m.terms:
        mine = [(k, yy) for k, yy, g in zip(c, y, r, strict=True) if g == t.regimen]
        assert t.events == sum(k for k, _ in mine)
        assert t.years == pytest.approx(sum(yy for _, yy in mine))


def test_exactly_ten_events_per_term_is_enough():
    # 20 relapses for 2 terms: no "unreliable" warning; 19 would be 9.5 per term
    c = [3, 2, 2, 3, 1, 2, 2, 3, 2, 0, 0, 0]
    y = [1.0, 2.0, 1.5, 1.0, 1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0]
    r = ["untreated"] * 3 + ["Azathioprine"] * 3 + ["Rituximab"] * 6
    m = negbin_rate_ratios(c, y, r, [str(i) for i in range(12)], "untreated")
    assert sum(c) == 20 and m.events_per_term == 10.0
    assert not any("unreliable" in w for w in m.warnings)
    c[0] -= 1
    m = negbin_rate_ratios(c, y, r, [str(i) for i in range(12)], "untreated")
    assert any("only 19 relapses for 2 term(s) (9.5 per term" in w for w in m.warnings)


def test_the_default_reference_is_the_regimen_with_most_person_years():
    from nmo_timeline.analysis.models import default_reference
    from nmo_timeline.analysis.periods import all_patient_periods
    from nmo_timeline.load import read_events_text

    text = ("patient,kind,name,start,end,value\n"
            "1,therapy,Azathioprine,2010-01-01,ongoing,\n1,edss,,2014-01-01,,3\n"
            "2,therapy,Rituximab,2010-01-01,,\n2,edss,,2011-01-01,,3\n")
    # Azathioprine (4 years) over Rituximab (1 year), whatever the alphabet says
    assert default_reference(all_patient_periods(read_events_text(text, "r.csv"))) == \
        "Azathioprine"
    with_gap = text + "3,relapse,ON,2010-01-01,,\n3,therapy,Rituximab,2010-06-01,,\n"
    assert default_reference(all_patient_periods(read_events_text(with_gap, "r.csv"))) == \
        "untreated"


def test_the_default_reference_counts_only_periods_long_enough_for_an_arr():
    from nmo_timeline.analysis.models import default_reference
    from nmo_timeline.analysis.periods import all_patient_periods
    from nmo_timeline.load import read_events_text

    # untreated only for the 20 days before the first dose: too short to be a reference
    text = ("patient,kind,name,start,end,value\n"
            "1,relapse,ON,2010-01-01,,\n1,therapy,Azathioprine,2010-01-21,ongoing,\n"
            "1,edss,,2012-01-01,,3\n"
            "2,therapy,Rituximab,2010-01-01,2010-12-31,\n2,edss,,2011-01-01,,3\n")
    periods = all_patient_periods(read_events_text(text, "r.csv"))
    assert default_reference(periods) == "Azathioprine"
    # a tie in person-years: the first regimen in cohort order
    tie = ("patient,kind,name,start,end,value\n"
           "1,therapy,Azathioprine,2010-01-01,2010-12-31,\n1,edss,,2011-01-01,,3\n"
           "2,therapy,Rituximab,2010-01-01,2010-12-31,\n2,edss,,2011-01-01,,3\n")
    assert default_reference(all_patient_periods(read_events_text(tie, "t.csv"))) == \
        "Azathioprine"
