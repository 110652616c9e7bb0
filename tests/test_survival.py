"""Tests of nmo_timeline.analysis.survival: Kaplan-Meier by hand, against scipy and
statsmodels, its properties, and time to first relapse per regimen from the periods."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import CensoredData, ecdf
from statsmodels.duration.survfunc import SurvfuncRight

from nmo_timeline.analysis.inputs import StatsError
from nmo_timeline.analysis.summary import summarise
from nmo_timeline.analysis.survival import kaplan_meier
from nmo_timeline.load import read_events_text

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


@pytest.mark.parametrize("seed", range(4))
def test_kaplan_meier_equals_scipy_ecdf(seed):
    # the product-limit is written out (no scipy.stats import in summary); scipy's own
    # estimator must give the same curve
    rng = np.random.default_rng(100 + seed)
    d = rng.integers(0, 500, 80).astype(float)
    e = rng.random(80) < 0.5
    km = kaplan_meier(d.tolist(), e.tolist())
    sf = ecdf(CensoredData.right_censored(d, ~e)).sf
    assert list(km.survival) == pytest.approx(sf.evaluate(km.times), rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- per regimen

SERIES = """patient,kind,name,start,end,value
A,relapse,ON,2010-01-01,,
A,therapy,Rituximab,2010-02-01,,
A,relapse,TM,2010-05-12,,
A,relapse,TM,2010-08-01,,
A,therapy,Tocilizumab,2011-01-01,2011-12-31,
A,therapy,Rituximab,2012-01-01,,
A,relapse,ON,2012-01-11,,
A,edss,,2012-06-30,,3.0
B,relapse,ON,2010-01-01,,
B,therapy,Rituximab,2010-03-01,,
B,edss,,2010-12-31,,3.0
C,relapse,ON,2010-01-01,,
C,therapy,Rituximab,2010-03-01,,
C,relapse,TM,2010-03-31,,
C,edss,,2011-03-01,,3.0
"""


def _curves(**kw):
    s = summarise(read_events_text(SERIES, "k.csv"), **kw)
    return {c.regimen: c for c in s.survival}


def test_time_to_first_relapse_by_hand():
    rtx = _curves()["Rituximab"]
    # A: first rituximab period from 2010-02-01, first relapse 2010-05-12 = 100 days (the
    #    later rituximab period from 2012 is not used: one subject per patient);
    # B: no relapse, censored at the cut-off 2010-12-31: 305 days;
    # C: relapse 2010-03-31, 30 days after the start.
    assert (rtx.km.times, rtx.km.events, rtx.km.censored) == ((30.0, 100.0, 305.0),
                                                              (1, 1, 0), (0, 0, 1))
    assert rtx.km.survival == pytest.approx((2 / 3, 1 / 3, 1 / 3))
    assert (rtx.patients, rtx.events, rtx.median_days) == (3, 2, 100.0)
    assert rtx.survival_365 is None  # nobody followed a year without relapse
    toci = _curves()["Tocilizumab"]
    # A only: 2011-01-01 to 2011-12-31 (the course's end + 1 = next regimen), no relapse
    assert (toci.km.times, toci.km.censored, toci.median_days) == ((365.0,), (1,), None)
    assert toci.survival_365 == 1.0


def test_grace_days_apply_to_time_to_first_relapse():
    # with 45 days' grace, C's relapse 30 days after its first rituximab dose counts for the
    # time before it: C is then censored on rituximab
    rtx = _curves(grace_days=45)["Rituximab"]
    assert (rtx.km.times, rtx.km.events) == ((100.0, 305.0, 365.0), (1, 0, 0))


def test_summary_does_not_import_scipy_stats_or_statsmodels():
    code = ("import sys\n"
            "from nmo_timeline import bundled_events_path, load_events\n"
            "from nmo_timeline.analysis.summary import summarise\n"
            "from nmo_timeline.output.report import to_table\n"
            "to_table(summarise(load_events(bundled_events_path())))\n"
            "print(' '.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert "scipy.special" in out
    assert "scipy.stats" not in out and "statsmodels" not in out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 900), st.integers(0, 3)), min_size=1, max_size=8))
def test_one_subject_per_patient_and_regimen(patients):
    rows = ["patient,kind,name,start,end,value"]
    for i, (days, n_rel) in enumerate(patients):
        start = date(2010, 1, 1)
        rows.append(f"P{i},therapy,Azathioprine,{start},{start + timedelta(days)},")
        rows += [f"P{i},relapse,ON,{start + timedelta(days * (k + 1) // (n_rel + 1))},,"
                 for k in range(n_rel)]
    table = read_events_text("\n".join(rows) + "\n", "p.csv")
    s = summarise(table, min_period_days=0)
    (aza,) = s.survival
    assert aza.patients == len(patients)
    assert aza.events == sum(1 for _, k in patients if k > 0)
    assert sum(aza.km.events) + sum(aza.km.censored) == len(patients)
    # periods shorter than the minimum (30 days by default) are no subjects
    long_enough = [(d, k) for d, k in patients if d >= 30]
    curves = summarise(table).survival
    assert [c.patients for c in curves] == ([len(long_enough)] if long_enough else [])
