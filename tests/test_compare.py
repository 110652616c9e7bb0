"""Tests of nmo_timeline.analysis.compare: the paired Wilcoxon test, calendar windows and
the pooled rate ratio of the before/on comparison."""

from __future__ import annotations

import statistics
import warnings
from datetime import date, timedelta

import pytest
from scipy import stats as sps

from nmo_timeline.analysis.compare import paired_wilcoxon
from nmo_timeline.analysis.inputs import StatsError
from nmo_timeline.analysis.rates import rate_ratio
from nmo_timeline.analysis.summary import summarise
from nmo_timeline.analysis.windows import parse_window
from nmo_timeline.errors import NmoTimelineError, OptionError
from nmo_timeline.load import read_events_text

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


# --------------------------------------------------------------------------- windows


@pytest.mark.parametrize(("text", "label", "back_from", "lands_on"), [
    ("12m", "12 months", date(2012, 6, 1), date(2011, 6, 1)),
    ("1m", "1 month", date(2013, 3, 31), date(2013, 2, 28)),  # the month's last day
    ("1y", "1 year", date(2012, 2, 29), date(2011, 2, 28)),
    ("90d", "90 days", date(2012, 3, 1), date(2011, 12, 2)),
    (" 2Y ", "2 years", date(2012, 6, 1), date(2010, 6, 1)),
])
def test_windows_are_calendar_based(text, label, back_from, lands_on):
    w = parse_window(text, "--before")
    assert w.label == label
    assert w.shift(back_from, -1) == lands_on
    assert w.shift(lands_on, 1) >= back_from - timedelta(days=3)  # month ends may clip


@pytest.mark.parametrize(("text", "message"), [
    ("12", "--before '12': use a whole number and a unit: 12m (months), 90d (days) or 2y "
           "(years)"),
    ("1.5y", "--before '1.5y': use a whole number and a unit: 12m (months), 90d (days) or 2y "
             "(years)"),
    ("0m", "--before '0m': the window must be more than 0 and at most 100 years"),
    ("101y", "--before '101y': the window must be more than 0 and at most 100 years"),
    ("1201m", "--before '1201m': the window must be more than 0 and at most 100 years"),
    ("36526d", "--before '36526d': the window must be more than 0 and at most 100 years"),
])
def test_bad_windows_are_option_errors(text, message):
    # (the limit, 100 years, in each unit: test_the_longest_windows_are_accepted)
    with pytest.raises(OptionError) as info:
        parse_window(text, "--before")
    assert str(info.value) == message


WINDOWED = """patient,kind,name,start,end,value
A,relapse,ON,2010-01-01,,
A,relapse,TM,2011-03-01,,
A,relapse,TM,2012-02-01,,
A,therapy,Tocilizumab,2012-06-01,ongoing,8
A,relapse,ON,2012-09-01,,
A,relapse,ON,2013-08-01,,
A,edss,,2014-01-01,,3.0
B,relapse,ON,2012-01-01,,
B,therapy,Tocilizumab,2012-04-15,ongoing,8
B,relapse,TM,2012-07-01,,
B,edss,,2012-12-31,,3.0
C,therapy,Tocilizumab,2011-01-01,ongoing,8
C,relapse,TM,2011-02-01,,
C,edss,,2012-12-31,,3.0
"""


def test_windows_by_hand():
    s = summarise(read_events_text(WINDOWED, "w.csv"), compare="tocilizumab", before="12m",
                  on="12m")
    c = s.comparison
    a, b, cc = c.rows
    # A: before = [2011-06-01, 2012-06-01), 366 days (2012 is a leap year), 1 relapse
    # (2012-02-01; 2011-03-01 is earlier); on = [2012-06-01, 2013-06-01), 365 days, 1 relapse
    # (2013-08-01 is after the window)
    assert (a.relapses_before, a.years_before) == (1, pytest.approx(366 / 365.25))
    assert (a.relapses_on, a.years_on) == (1, pytest.approx(365 / 365.25))
    # B: the record starts 2012-01-01, so 105 days before the first dose; on to the cut-off
    # 2012-12-31, which closes the record as it closes the last period: 2012-04-15 ..
    # 2012-12-31 = 260 days, the same days as B's tocilizumab period
    assert (b.relapses_before, b.years_before) == (1, pytest.approx(105 / 365.25))
    assert (b.relapses_on, b.years_on) == (1, pytest.approx(260 / 365.25))
    (last,) = [p for pp in s.patients if pp.patient == "B" for p in pp.periods if p.last]
    assert (last.regimen, last.days) == ("Tocilizumab", 260)
    # C: first dose on the first recorded day: no time before, so no pair for the test
    assert (cc.years_before, cc.arr_before) == (0.0, None)
    assert c.wilcoxon.n_pairs == 2
    assert s.warnings[0] == ("2 patient(s) have less than 12 months before the first dose of "
                             "Tocilizumab in the record; the window is cut to the record: "
                             "B (105 days), C (0 days)")
    cut_on = [w for w in s.warnings if "from the first dose" in w]
    assert cut_on == ["1 patient(s) have less than 12 months from the first dose of Tocilizumab "
                      "to the cut-off; the window is cut there: B (260 days)"]
    # pooled: 3 relapses on in (365 + 260 + 365) days, 2 before in (366 + 105 + 0) days
    r = c.rate
    assert (r.k_on, r.k_before) == (3, 2)
    want = rate_ratio(3, (365 + 260 + 365) / 365.25, 2, (366 + 105) / 365.25)
    assert (r.estimate, r.ci_low, r.ci_high) == (pytest.approx(want.estimate),
                                                 pytest.approx(want.ci_low),
                                                 pytest.approx(want.ci_high))


def test_before_window_cut_names_every_short_patient():
    s = summarise(read_events_text(WINDOWED, "w.csv"), compare="tocilizumab", before="12m")
    (cut,) = [w for w in s.warnings if "before the first dose" in w]
    assert cut == ("2 patient(s) have less than 12 months before the first dose of Tocilizumab "
                   "in the record; the window is cut to the record: B (105 days), C (0 days)")
    # without --on, "on" is the periods on tocilizumab, as before
    a = s.comparison.rows[0]
    assert a.relapses_on == 2 and a.years_on == pytest.approx(
        (date(2014, 1, 1) - date(2012, 6, 1)).days / 365.25)


def test_grace_days_move_early_relapses_before_the_first_dose_in_windows():
    text = ("patient,kind,name,start,end,value\n"
            "A,relapse,ON,2011-01-01,,\nA,therapy,Rituximab,2012-01-01,ongoing,\n"
            "A,relapse,TM,2012-01-20,,\nA,edss,,2013-06-01,,2.0\n")
    plain = summarise(read_events_text(text, "g.csv"), compare="rituximab", before="12m",
                      on="12m").comparison.rows[0]
    grace = summarise(read_events_text(text, "g.csv"), compare="rituximab", before="12m",
                      on="12m", grace_days=30).comparison.rows[0]
    assert (plain.relapses_before, plain.relapses_on) == (1, 1)
    assert (grace.relapses_before, grace.relapses_on) == (2, 0)
    # the same rule as the periods: without windows the relapse also counts before
    periods = summarise(read_events_text(text, "g.csv"), compare="rituximab",
                        grace_days=30).comparison.rows[0]
    assert (periods.relapses_before, periods.relapses_on) == (2, 0)


def test_windows_need_compare_and_rate_ratio_needs_time():
    t = read_events_text(WINDOWED, "w.csv")
    with pytest.raises(OptionError, match="--before and --on need --compare THERAPY"):
        summarise(t, on="12m")
    only_c = read_events_text("\n".join(
        line for line in WINDOWED.splitlines() if not line.startswith(("A,", "B,"))) + "\n")
    s = summarise(only_c, compare="tocilizumab")
    assert s.comparison.rate is None
    assert "no time before the first dose in any record: no rate ratio" in s.warnings
    assert s.comparison.wilcoxon.reason == "fewer than 2 pairs"


def test_comparison_reports_mean_sd_and_median_per_side():
    s = summarise(read_events_text(WINDOWED, "w.csv"), compare="tocilizumab", before="12m",
                  on="12m")
    c = s.comparison
    before = [r.arr_before for r in c.rows if r.arr_before is not None]
    on = [r.arr_on for r in c.rows]
    assert c.arr_before == (pytest.approx(statistics.fmean(before)),
                            pytest.approx(statistics.stdev(before)),
                            pytest.approx(statistics.median(before)))
    assert c.arr_on[0] == pytest.approx(statistics.fmean(on))


def test_a_side_shorter_than_the_minimum_has_no_arr_and_stays_out_of_the_pooled_ratio():
    text = ("patient,kind,name,start,end,value\n"
            # A: onset 10 days before the first dose: 1 relapse in 10 days is no ARR
            "A,relapse,ON,2012-05-22,,\nA,therapy,Tocilizumab,2012-06-01,ongoing,8\n"
            "A,edss,,2013-06-01,,3.0\n"
            "B,relapse,ON,2011-01-01,,\nB,relapse,TM,2011-06-01,,\n"
            "B,therapy,Tocilizumab,2012-01-01,ongoing,8\nB,relapse,ON,2012-07-01,,\n"
            "B,edss,,2013-01-01,,3.0\n")
    s = summarise(read_events_text(text, "m.csv"), compare="tocilizumab")
    c = s.comparison
    a, b = c.rows
    assert (a.years_before, a.relapses_before, a.arr_before) == (
        pytest.approx(10 / 365.25), 1, None)
    assert a.arr_on == 0.0 and b.arr_before == pytest.approx(2 / (365 / 365.25))
    assert c.wilcoxon.n_pairs == 1  # A has no pair
    assert (c.rate.k_before, c.rate.k_on) == (2, 1)  # A's 10 days are left out
    assert ("1 patient(s) have less than 30 days before the first dose of Tocilizumab or on "
            "it: no ARR on that side, left out of the pooled rate ratio and the paired test "
            "(--min-period-days): A") in s.warnings
    every = summarise(read_events_text(text, "m.csv"), compare="tocilizumab",
                      min_period_days=0).comparison
    assert every.rows[0].arr_before == pytest.approx(365.25 / 10)
    assert every.rate.k_before == 3


def test_a_short_period_is_left_out_of_a_side_that_also_has_long_ones():
    # A: 20 untreated days with the onset relapse, then a year of azathioprine (1 relapse)
    # B: a 10-day azathioprine + tocilizumab overlap with a relapse, then a year on
    # tocilizumab alone (no relapse); the short periods count on neither side
    text = ("patient,kind,name,start,end,value\n"
            "A,relapse,ON,2010-01-01,,\nA,therapy,Azathioprine,2010-01-21,2011-01-20,\n"
            "A,relapse,TM,2010-07-01,,\nA,therapy,Tocilizumab,2011-01-21,ongoing,8\n"
            "A,edss,,2012-01-21,,3.0\n"
            "B,therapy,Azathioprine,2010-01-01,2011-01-10,\nB,relapse,ON,2010-06-01,,\n"
            "B,therapy,Tocilizumab,2011-01-01,ongoing,8\nB,relapse,TM,2011-01-05,,\n"
            "B,edss,,2012-01-11,,3.0\n")
    c = summarise(read_events_text(text, "s.csv"), compare="tocilizumab").comparison
    a, b = c.rows
    assert (a.years_before, a.relapses_before) == (pytest.approx(365 / 365.25), 1)
    assert (a.years_on, a.relapses_on) == (pytest.approx(365 / 365.25), 0)
    assert (b.years_before, b.relapses_before) == (pytest.approx(365 / 365.25), 1)
    assert (b.years_on, b.relapses_on) == (pytest.approx(365 / 365.25), 0)
    assert (c.rate.k_before, c.rate.k_on) == (2, 0)
    every = summarise(read_events_text(text, "s.csv"), compare="tocilizumab",
                      min_period_days=0).comparison
    assert (every.rows[0].relapses_before, every.rows[1].relapses_on) == (2, 1)


@pytest.mark.parametrize(("text", "label"), [
    ("100y", "100 years"), ("1200m", "1200 months"), ("36525d", "36525 days"), ("1d", "1 day")])
def test_the_longest_windows_are_accepted(text, label):
    # 100 years in any unit is accepted, as the message for a longer one promises
    assert parse_window(text, "--on").label == label


EDGES = """patient,kind,name,start,end,value
A,relapse,ON,2010-01-01,,
A,relapse,ON,2011-06-01,,
A,therapy,Tocilizumab,2012-06-01,ongoing,8
A,relapse,TM,2012-06-01,,
A,relapse,TM,2013-06-01,,
A,edss,,2014-01-01,,3.0
B,relapse,ON,2012-01-01,,
B,therapy,Tocilizumab,2012-04-15,ongoing,8
B,relapse,TM,2012-12-31,,
B,edss,,2012-12-31,,3.0
C,relapse,ON,2011-03-01,,
C,therapy,Tocilizumab,2011-06-01,ongoing,8
C,edss,,2012-06-01,,3.0
Z,relapse,ON,2011-01-01,,
Z,edss,,2011-06-01,,3.0
Z,therapy,Tocilizumab,2012-01-01,ongoing,8
"""


def test_window_edges_by_hand():
    s = summarise(read_events_text(EDGES, "e.csv"), compare="tocilizumab", before="12m",
                  on="12m")
    c = s.comparison
    got = {r.patient: (r.relapses_before, round(r.years_before * 365.25),
                       r.relapses_on, round(r.years_on * 365.25)) for r in c.rows}
    assert got == {
        # before = [2011-06-01, 2012-06-01): its first day counts (2010-01-01 does not);
        # on = [2012-06-01, 2013-06-01): the first-dose day counts, the day a year on does not
        "A": (1, 366, 1, 365),
        # a relapse on the record's first day counts before; one on the cut-off day counts on
        "B": (1, 105, 1, 260),
        # no relapse on therapy: ARR 0, a pair for the paired test like any other
        "C": (1, 92, 0, 366),
        # a first dose on the cut-off day: on the therapy for 0 days, not "never received"
        "Z": (1, 365, 0, 0),
    }
    assert c.without == []
    pairs = [(r.arr_before, r.arr_on) for r in c.rows if r.patient != "Z"]
    assert pairs[2][1] == 0.0 and c.rows[3].arr_on is None
    # the paired test sees the three pairs as they are (an independent scipy call)
    want = sps.wilcoxon([b for b, _ in pairs], [o for _, o in pairs])
    assert (c.wilcoxon.n_pairs, c.wilcoxon.statistic, c.wilcoxon.p) == \
        (3, want.statistic, pytest.approx(want.pvalue))
    assert [r.first_dose for r in c.rows] == [date(2012, 6, 1), date(2012, 4, 15),
                                              date(2011, 6, 1), date(2012, 1, 1)]


def test_grace_days_do_not_apply_when_the_record_starts_with_the_first_dose():
    # nothing before the first dose to move an early relapse to: it stays on therapy
    text = ("patient,kind,name,start,end,value\n"
            "A,therapy,Rituximab,2012-01-01,ongoing,\n"
            "A,relapse,TM,2012-01-20,,\nA,edss,,2013-06-01,,2.0\n")
    row = summarise(read_events_text(text, "g.csv"), compare="rituximab", before="12m",
                    on="12m", grace_days=30).comparison.rows[0]
    assert (row.relapses_before, row.years_before, row.relapses_on) == (0, 0.0, 1)


def test_the_warnings_of_a_comparison_in_order_and_word_for_word():
    text = ("patient,kind,name,start,end,value\n"
            "A,therapy,Azathioprine,2010-01-01,ongoing,\nA,therapy,Rituximab,2010-01-10,,\n"
            "A,therapy,Tocilizumab,2010-01-20,ongoing,\nA,edss,,2011-01-01,,3\n"
            "B,therapy,Rituximab,2010-01-01,,\nB,therapy,Tocilizumab,2010-01-15,ongoing,\n"
            "B,edss,,2011-01-01,,3\nC,edss,,2011-01-01,,3\n")
    s = summarise(read_events_text(text, "s.csv"), compare="tocilizumab")
    assert s.warnings == [
        "1 patient(s) never received Tocilizumab and are left out of the comparison: C",
        "4 period(s) shorter than 30 days have no ARR and are left out of the statistics "
        "across patients (--min-period-days): A: Azathioprine from 2010-01-01 (9 days), "
        "A: Azathioprine + Rituximab from 2010-01-10 (10 days), B: Rituximab from 2010-01-01 "
        "(14 days), C: untreated from 2011-01-01 (0 days)",
        "2 patient(s) have less than 30 days before the first dose of Tocilizumab or on it: "
        "no ARR on that side, left out of the pooled rate ratio and the paired test "
        "(--min-period-days): A, B",
        "no time before the first dose in any record: no rate ratio",
    ]
    with pytest.raises(NmoTimelineError) as err:
        summarise(read_events_text(text, "s.csv"), grace_days=-1)
    assert str(err.value) == "--grace-days must be 0 or more"
