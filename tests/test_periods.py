"""Treatment periods and relapse rates on small hand-made histories.

Expected values are worked out by hand in each test (days / 365.25).
"""

from __future__ import annotations

import itertools
import statistics
from datetime import date, timedelta

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.errors import InputError, NmoTimelineError
from nmo_timeline.load import read_events_text

H = "patient,kind,name,start,end,value,role\n"


def periods_of(text: str, **kw):
    s = summarise(read_events_text(H + text, "h.csv"), **kw)
    return [(p.regimen, p.start.isoformat(), p.end.isoformat(), p.relapses)
            for p in s.patients[0].periods], s


def test_switch_between_two_agents_with_explicit_ends():
    got, s = periods_of(
        "1,relapse,ON,2010-01-01,,,\n"
        "1,therapy,Azathioprine,2010-02-01,2010-12-31,,\n"
        "1,therapy,Tocilizumab,2011-01-01,ongoing,,\n"
        "1,relapse,TM,2010-06-01,,,\n"
        "1,edss,,2012-01-01,,3.0,\n")
    assert got == [
        ("untreated", "2010-01-01", "2010-02-01", 1),
        ("Azathioprine", "2010-02-01", "2011-01-01", 1),
        ("Tocilizumab", "2011-01-01", "2012-01-01", 0),
    ]
    aza = s.patients[0].periods[1]
    assert aza.years == pytest.approx(334 / 365.25)  # 2010-02-01 .. 2011-01-01
    assert aza.arr == pytest.approx(1 / (334 / 365.25))


def test_add_on_combination_is_its_own_regimen():
    got, _ = periods_of(
        "1,therapy,Azathioprine,2010-01-01,ongoing,,\n"
        "1,therapy,Tocilizumab,2011-01-01,ongoing,,\n"
        "1,edss,,2012-01-01,,3.0,\n")
    assert got == [
        ("Azathioprine", "2010-01-01", "2011-01-01", 0),
        ("Azathioprine + Tocilizumab", "2011-01-01", "2012-01-01", 0),
    ]


def test_stop_leaves_an_untreated_gap():
    got, _ = periods_of(
        "1,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
        "1,relapse,ON,2010-09-01,,,\n"
        "1,therapy,Mycophenolate,2011-01-01,2011-12-31,,\n")
    assert got == [
        ("Azathioprine", "2010-01-01", "2010-07-01", 0),
        ("untreated", "2010-07-01", "2011-01-01", 1),
        ("Mycophenolate mofetil", "2011-01-01", "2011-12-31", 0),
    ]


def test_single_dose_agent_lasts_until_a_different_one_starts():
    got, _ = periods_of(
        "1,therapy,Rituximab,2010-01-01,,1000,\n"
        "1,therapy,Rituximab,2010-07-01,,1000,\n"
        "1,relapse,TM,2010-10-01,,,\n"
        "1,therapy,Tocilizumab,2011-01-01,ongoing,,\n"
        "1,edss,,2011-06-01,,4.0,\n")
    assert got == [
        ("Rituximab", "2010-01-01", "2011-01-01", 1),
        ("Tocilizumab", "2011-01-01", "2011-06-01", 0),
    ]


def test_abbreviations_are_one_therapy():
    got, _ = periods_of(
        "1,therapy,RTX,2010-01-01,,,\n"
        "1,therapy,Rituximab,2010-07-01,,,\n"
        "1,edss,,2011-01-01,,2.0,\n")
    assert got == [("Rituximab", "2010-01-01", "2011-01-01", 0)]


def test_relapse_on_the_switch_day_counts_for_the_new_regimen():
    got, _ = periods_of(
        "1,therapy,Azathioprine,2010-01-01,2010-12-31,,\n"
        "1,therapy,Rituximab,2011-01-01,,,\n"
        "1,relapse,ON,2011-01-01,,,\n"
        "1,edss,,2011-12-31,,2.0,\n")
    assert [g[3] for g in got] == [0, 1]


def test_grace_days_attribute_early_relapses_to_the_previous_regimen():
    text = ("1,therapy,Azathioprine,2010-01-01,2010-12-31,,\n"
            "1,therapy,Rituximab,2011-01-01,,,\n"
            "1,relapse,ON,2011-01-20,,,\n"
            "1,relapse,TM,2011-03-01,,,\n"
            "1,edss,,2011-12-31,,2.0,\n")
    got, _ = periods_of(text)
    assert [g[3] for g in got] == [0, 2]
    got, _ = periods_of(text, grace_days=30)  # day 19 after the switch: previous regimen
    assert [g[3] for g in got] == [1, 1]


def test_which_day_counts_the_cutoff_day_closes_the_record():
    # every period lasts end - start days; the last one ends on the cut-off day, which
    # closes the record as a switch day closes a period: 2010-01-01 .. 2010-12-31 is
    # 364 days, and a relapse on the cut-off day is counted (README, worked example)
    got, s = periods_of(
        "1,therapy,Azathioprine,2010-01-01,ongoing,,\n"
        "1,relapse,ON,2010-12-31,,,\n")
    assert got == [("Azathioprine", "2010-01-01", "2010-12-31", 1)]
    (p,) = s.patients[0].periods
    assert (p.days, p.years, p.arr) == (364, pytest.approx(364 / 365.25),
                                        pytest.approx(365.25 / 364))
    assert s.cohort[0].years == pytest.approx(364 / 365.25)


def test_readme_worked_example_numbers():
    # README, "How periods and relapse rates are computed", worked example
    from nmo_timeline import bundled_events_path, load_events

    s = summarise(load_events(bundled_events_path()))
    by = {p.regimen: p for p in s.patients[0].periods}
    mito, toci = by["Mitoxantrone"], by["Tocilizumab"]
    assert (mito.start, mito.end, mito.days, round(mito.years, 2)) == (
        date(2007, 1, 10), date(2008, 6, 2), 509, 1.39)
    assert (mito.relapses, round(mito.arr, 2), mito.edss_start, mito.edss_end) == (
        2, 1.44, 3.5, 5.0)
    assert (toci.start, toci.end, toci.last, toci.days, round(toci.years, 2)) == (
        date(2010, 10, 4), date(2012, 6, 14), True, 619, 1.69)
    assert [p.days for p in s.patients[0].periods] == [245, 509, 595, 259, 619]
    assert sum(p.days for p in s.patients[0].periods) == (date(2012, 6, 14)
                                                          - date(2006, 5, 10)).days == 2227


def test_cutoff_clips_periods_and_drops_later_relapses():
    got, s = periods_of(
        "1,therapy,Azathioprine,2010-01-01,ongoing,,\n"
        "1,relapse,ON,2010-03-01,,,\n"
        "1,relapse,TM,2011-03-01,,,\n"
        "1,edss,,2012-01-01,,3.0,\n", cutoff=date(2010, 12, 31))
    assert got == [("Azathioprine", "2010-01-01", "2010-12-31", 1)]
    assert any("after the cut-off" in w for w in s.warnings)


def test_role_column_overrides_the_registry():
    got, _ = periods_of(
        "1,therapy,Prednisolone,2010-01-01,2010-06-30,,acute\n"
        "1,therapy,Plasma exchange,2010-07-01,2010-12-31,,maintenance\n")
    assert [g[0] for g in got] == ["untreated", "Plasma exchange"]


def test_acute_treatments_do_not_open_periods():
    got, _ = periods_of(
        "1,relapse,ON,2010-01-01,,,\n"
        "1,therapy,IV methylprednisolone,2010-01-02,2010-01-06,,\n"
        "1,therapy,Plasma exchange,2010-01-10,2010-01-20,,\n"
        "1,edss,,2010-06-01,,3.0,\n")
    assert got == [("untreated", "2010-01-01", "2010-06-01", 1)]


def test_edss_at_start_end_and_window():
    _, s = periods_of(
        "1,edss,,2010-01-01,,2.0,\n"
        "1,therapy,Azathioprine,2010-03-01,ongoing,,\n"
        "1,edss,,2010-06-01,,3.5,\n"
        "1,edss,,2011-06-01,,3.0,\n", edss_window_days=90)
    untreated, aza = s.patients[0].periods
    assert (untreated.edss_start, untreated.edss_end) == (2.0, 2.0)  # 59 days before the switch
    assert (aza.edss_start, aza.edss_end, aza.edss_change) == (2.0, 3.0, 1.0)
    _, s = periods_of(
        "1,edss,,2010-01-01,,2.0,\n"
        "1,therapy,Azathioprine,2010-06-01,ongoing,,\n"
        "1,edss,,2011-06-01,,3.0,\n", edss_window_days=90)
    assert s.patients[0].periods[1].edss_start is None  # 151 days old: outside the window


def test_warnings_for_ambiguous_data():
    _, s = periods_of(
        "1,therapy,Alemtuzumab,2010-01-01,2010-01-05,,\n"
        "1,therapy,Tocilizumab,2011-01-01,ongoing,,\n"
        "1,relapse,ON,2010-03-01,,,\n"
        "1,relapse,TM,2010-03-15,,,\n"
        "1,edss,,2011-06-01,,3.0,\n")
    text = "\n".join(s.warnings)
    assert "recorded as a course ending 2010-01-05" in text
    assert "14 days apart" in text
    _, s = periods_of("1,therapy,Rituximab,2010-01-01,,,\n1,edss,,2012-01-01,,3.0,\n")
    assert "last dose on 2010-01-01" in s.warnings[0]


def test_cohort_statistics_by_hand():
    # three patients, each 2 years untreated then 2 years on rituximab (730.5 days = 2 years
    # is not a whole day count, so use 2010-01-01 .. 2012-01-01 = 730 days)
    rows = []
    for pid, before, on in (("A", 4, 0), ("B", 2, 1), ("C", 6, 2)):
        rows.append(f"{pid},edss,,2008-01-01,,2.0,\n")
        rows.append(f"{pid},therapy,Rituximab,2010-01-01,,,\n")
        rows.append(f"{pid},edss,,2012-01-01,,2.0,\n")
        for i in range(before):
            rows.append(f"{pid},relapse,ON,2008-0{i % 9 + 1}-15,,,\n".replace(
                f"2008-0{i % 9 + 1}", f"2008-{i + 1:02d}"))
        for i in range(on):
            rows.append(f"{pid},relapse,TM,2011-{i + 1:02d}-15,,,\n")
    s = summarise(read_events_text(H + "".join(rows), "c.csv"))
    years_before = (date(2010, 1, 1) - date(2008, 1, 1)).days / 365.25
    years_on = (date(2012, 1, 1) - date(2010, 1, 1)).days / 365.25
    untreated, rtx = s.cohort
    assert (untreated.regimen, untreated.patients, untreated.relapses) == ("untreated", 3, 12)
    assert untreated.years == pytest.approx(3 * years_before)
    assert untreated.arr_pooled == pytest.approx(12 / (3 * years_before))
    per = [4 / years_before, 2 / years_before, 6 / years_before]
    assert untreated.arr_median == pytest.approx(per[0])
    assert (untreated.arr_min, untreated.arr_max) == (pytest.approx(per[1]),
                                                      pytest.approx(per[2]))
    assert untreated.arr_mean == pytest.approx(sum(per) / 3)
    assert untreated.arr_sd == pytest.approx(statistics.stdev(per))
    # sample SD (n-1) of 4, 2, 6 relapses is 2 relapses: 2 / years
    assert untreated.arr_sd == pytest.approx(2 / years_before)
    assert rtx.relapses == 3 and rtx.arr_median == pytest.approx(1 / years_on)

    s = summarise(read_events_text(H + "".join(rows), "c.csv"), compare="rituximab")
    c = s.comparison
    assert [r.patient for r in c.rows] == ["A", "B", "C"]
    diffs = [0 / years_on - 4 / years_before, 1 / years_on - 2 / years_before,
             2 / years_on - 6 / years_before]
    assert c.median_difference == pytest.approx(sorted(diffs)[1])
    assert c.mean_difference == pytest.approx(sum(diffs) / 3)


def test_compare_lists_patients_without_the_therapy():
    s = summarise(read_events_text(
        H + "A,therapy,Tocilizumab,2010-01-01,ongoing,,\nA,edss,,2011-01-01,,2.0,\n"
        "B,therapy,Azathioprine,2010-01-01,ongoing,,\nB,edss,,2011-01-01,,2.0,\n"),
        compare="TOCILIZUMAB")
    assert [r.patient for r in s.comparison.rows] == ["A"]
    assert s.comparison.without == ["B"]
    assert any("never received Tocilizumab" in w for w in s.warnings)


def test_compare_refuses_acute_treatments_and_unknown():
    t = read_events_text(H + "1,therapy,Plasma exchange,2010-01-01,2010-01-10,,\n"
                         "1,edss,,2011-01-01,,2.0,\n")
    with pytest.raises(NmoTimelineError, match="needs a maintenance therapy"):
        summarise(t, compare="plasma exchange")
    with pytest.raises(NmoTimelineError, match="no patient received"):
        summarise(t, compare="eculizumab")


def test_cutoff_before_the_record_is_refused():
    t = read_events_text(H + "1,relapse,ON,2010-01-01,,,\n")
    with pytest.raises(NmoTimelineError, match="before the first recorded date"):
        summarise(t, cutoff=date(2009, 1, 1))


# ---------------------------------------------------------------- properties

day = st.integers(0, 3000).map(lambda n: date(2005, 1, 1) + timedelta(n))
AGENTS = ["Azathioprine", "Rituximab", "Tocilizumab", "Mycophenolate", "IVMP", "Study drug"]


@st.composite
def histories(draw):
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        agent = draw(st.sampled_from(AGENTS))
        start = draw(day)
        kind = draw(st.sampled_from(["single", "end", "ongoing"]))
        end = ""
        if kind == "end":
            end = (start + timedelta(draw(st.integers(0, 900)))).isoformat()
        elif kind == "ongoing":
            end = "ongoing"
        rows.append(f"1,therapy,{agent},{start},{end},,\n")
    relapse_days = draw(st.lists(day, max_size=10, unique=True))
    rows += [f"1,relapse,ON,{d},,,\n" for d in relapse_days]
    rows.append(f"1,edss,,{draw(day)},,2.0,\n")
    return "".join(rows), relapse_days


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(0, 60))
def test_periods_tile_the_record_and_count_each_relapse_once(history, grace):
    text, relapse_days = history
    try:
        table = read_events_text(H + text, "p.csv")
    except InputError as exc:  # duplicates with different ends are (correctly) refused
        assert all("conflicts with line" in p.message for p in exc.problems)
        reject()
    s = summarise(table, grace_days=grace)
    (pp,) = s.patients
    periods = pp.periods
    assert periods[0].start == pp.record_start
    assert periods[-1].end == pp.cutoff and periods[-1].last
    for a, b in itertools.pairwise(periods):
        assert a.end == b.start  # no gap, no overlap
        assert a.start < a.end
        assert a.regimen != b.regimen or a.therapies != b.therapies
    total_days = sum(p.days for p in periods)
    assert total_days == (pp.cutoff - pp.record_start).days
    assert sum(p.relapses for p in periods) == len(relapse_days)
    lines = [line for p in periods for line in p.relapse_lines]
    assert len(lines) == len(set(lines)) == len(relapse_days)


def test_no_zero_length_last_period_when_a_therapy_ends_the_day_before_the_cutoff():
    got, s = periods_of(
        "1,therapy,Azathioprine,2010-01-01,2010-12-30,,\n"
        "1,edss,,2010-12-31,,3.0,\n")
    assert got == [("Azathioprine", "2010-01-01", "2010-12-31", 0)]
    assert s.patients[0].periods[0].years == pytest.approx(364 / 365.25)


# ---------------------------------------------------------------- minimum period, switch gap


def test_a_period_shorter_than_the_minimum_has_no_arr_and_stays_out_of_the_cohort():
    # an onset relapse 5 days before azathioprine: 1 relapse in 5 days would be ARR 73
    text = ("1,relapse,ON,2010-01-01,,,\n"
            "1,therapy,Azathioprine,2010-01-06,ongoing,,\n"
            "1,relapse,TM,2010-06-01,,,\n"
            "1,edss,,2011-01-06,,3.0,\n")
    got, s = periods_of(text)
    assert got == [("untreated", "2010-01-01", "2010-01-06", 1),
                   ("Azathioprine", "2010-01-06", "2011-01-06", 1)]
    short, aza = s.patients[0].periods
    assert (short.days, short.counted, short.arr) == (5, False, None)
    assert (aza.counted, aza.arr) == (True, pytest.approx(365.25 / 365))
    assert [c.regimen for c in s.cohort] == ["Azathioprine"]
    assert [c.regimen for c in s.survival] == ["Azathioprine"]
    assert s.warnings == ["1 period(s) shorter than 30 days have no ARR and are left out of "
                          "the statistics across patients (--min-period-days): 1: untreated from "
                          "2010-01-01 (5 days)"]
    # --min-period-days 0: every period of positive length counts, as before
    _, every = periods_of(text, min_period_days=0)
    assert every.patients[0].periods[0].arr == pytest.approx(365.25 / 5)
    assert [c.regimen for c in every.cohort] == ["untreated", "Azathioprine"]
    assert every.warnings == []


def test_the_summary_json_states_the_period_rules():
    from nmo_timeline.output.report import summary_dict

    _, s = periods_of("1,therapy,Azathioprine,2010-01-06,ongoing,,\n"
                      "1,edss,,2011-01-06,,3.0,\n", min_period_days=60, max_gap_days=10)
    rules = summary_dict(s)["rules"]
    assert (rules["min_period_days"], rules["max_gap_days"]) == (60, 10)


def test_a_short_gap_between_two_therapies_is_a_switch_not_untreated():
    text = ("1,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
            "1,relapse,ON,2010-07-10,,,\n"
            "1,therapy,Rituximab,2010-07-21,,,\n"
            "1,edss,,2011-07-21,,3.0,\n")
    got, _ = periods_of(text)  # 20 days without therapy, under the 30 of the default
    assert got == [("Azathioprine", "2010-01-01", "2010-07-21", 1),
                   ("Rituximab", "2010-07-21", "2011-07-21", 0)]
    got, _ = periods_of(text, max_gap_days=0)  # the user says every gap is untreated
    assert got == [("Azathioprine", "2010-01-01", "2010-07-01", 0),
                   ("untreated", "2010-07-01", "2010-07-21", 1),
                   ("Rituximab", "2010-07-21", "2011-07-21", 0)]
    got, _ = periods_of(text, max_gap_days=19)  # one day short of the gap
    assert [g[0] for g in got] == ["Azathioprine", "untreated", "Rituximab"]
    got, _ = periods_of(text, max_gap_days=20)
    assert [g[0] for g in got] == ["Azathioprine", "Rituximab"]


def test_a_short_pause_of_one_therapy_is_one_period_and_long_ones_stay():
    text = ("1,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
            "1,therapy,Azathioprine,2010-07-15,2010-12-31,,\n"
            "1,therapy,Azathioprine,2011-06-01,2011-12-31,,\n")
    got, _ = periods_of(text)
    assert got == [("Azathioprine", "2010-01-01", "2011-01-01", 0),
                   ("untreated", "2011-01-01", "2011-06-01", 0),
                   ("Azathioprine", "2011-06-01", "2011-12-31", 0)]


def test_untreated_time_before_the_first_and_after_the_last_therapy_is_never_joined():
    got, _ = periods_of("1,relapse,ON,2010-01-01,,,\n"
                        "1,therapy,Azathioprine,2010-01-11,2010-06-30,,\n"
                        "1,edss,,2010-07-10,,3.0,\n")
    assert [g[0] for g in got] == ["untreated", "Azathioprine", "untreated"]


@settings(max_examples=150, deadline=None)
@given(histories(), st.sampled_from([0, 1, 30, 90]), st.sampled_from([0, 30, 120]))
def test_no_arr_from_a_period_shorter_than_the_minimum(history, min_days, max_gap):
    text, _ = history
    try:
        table = read_events_text(H + text, "p.csv")
    except InputError:
        reject()
    s = summarise(table, min_period_days=min_days, max_gap_days=max_gap)
    periods = s.patients[0].periods
    for p in periods:
        assert p.counted == (p.days >= min_days)
        assert (p.arr is None) == (not p.counted or p.days == 0)
    # the cohort sees exactly the periods that count
    counted = [p for p in periods if p.counted]
    assert sum(c.years for c in s.cohort) == pytest.approx(sum(p.years for p in counted))
    assert sum(c.relapses for c in s.cohort) == sum(p.relapses for p in counted)
    # a relapse in a few days can never make an ARR above 365.25 / minimum
    if min_days:
        arrs = [p.arr for p in periods if p.arr is not None]
        arrs += [c.arr_pooled for c in s.cohort if c.arr_pooled is not None]
        arrs += [c.arr_max for c in s.cohort if c.arr_max is not None]
        limit = len(text.splitlines()) * 365.25 / min_days
        assert all(a <= limit for a in arrs)
    # no untreated stretch of at most max_gap days lies between two treated periods
    for a, b, c in zip(periods, periods[1:], periods[2:], strict=False):
        assert not (not b.therapies and a.therapies and c.therapies and b.days <= max_gap)


def test_grace_days_boundary_day_n_belongs_to_the_new_regimen():
    # switch on 2011-01-01; with --grace-days 30, day 29 (01-30) counts for azathioprine,
    # day 30 (01-31) for rituximab
    text = ("1,therapy,Azathioprine,2010-01-01,2010-12-31,,\n"
            "1,therapy,Rituximab,2011-01-01,,,\n"
            "1,relapse,ON,2011-01-30,,,\n"
            "1,relapse,TM,2011-03-31,,,\n"
            "1,edss,,2011-12-31,,2.0,\n")
    got, _ = periods_of(text, grace_days=30)
    assert [g[3] for g in got] == [1, 1]
    got, _ = periods_of(text.replace("2011-01-30", "2011-01-31"), grace_days=30)
    assert [g[3] for g in got] == [0, 2]


@pytest.mark.parametrize(("cutoff", "warned"), [("2011-01-01", False), ("2011-01-02", True)])
def test_a_last_single_dose_is_stale_only_after_more_than_a_year(cutoff, warned):
    # no patient column: the warning carries no "patient ..." prefix
    s = summarise(read_events_text(
        f"kind,name,start,end,value\ntherapy,Rituximab,2010-01-01,,\nedss,,{cutoff},,3\n",
        "h.csv"))
    assert s.warnings == ([
        "Rituximab: last dose on 2010-01-01 (line 2) is counted in effect until the cut-off "
        "2011-01-02, 366 days later, because no other maintenance therapy starts; if it was "
        "stopped, record the stop as an 'end' date"] if warned else [])


@pytest.mark.parametrize(("second", "periods"), [
    ("2010-07-01", [("Azathioprine", "2010-01-01", "2011-01-01", 0)]),
    ("2010-06-15", [("Azathioprine", "2010-01-01", "2011-01-01", 0)]),
    ("2010-07-02", [("Azathioprine", "2010-01-01", "2010-07-01", 0),
                    ("untreated", "2010-07-01", "2010-07-02", 0),
                    ("Azathioprine", "2010-07-02", "2011-01-01", 0)]),
])
def test_courses_of_one_therapy_that_touch_or_overlap_are_one_period(second, periods):
    # an end date is the last day taken: a course ending 06-30 and one starting 07-01 leave
    # no day untreated; with --max-gap-days 0 a one-day pause is untreated
    got, _ = periods_of(
        "1,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
        f"1,therapy,Azathioprine,{second},ongoing,,\n"
        "1,edss,,2011-01-01,,3,\n", max_gap_days=0, min_period_days=0)
    assert got == periods


def test_warnings_come_by_rule_then_in_day_order():
    _, s = periods_of(
        "1,therapy,Azathioprine,2010-03,ongoing,,\n"
        "1,relapse,TM,2011-05,,,\n"
        "1,relapse,ON,2010-09-01,,,\n"
        "1,relapse,ON,2010-09-20,,,\n"
        "1,relapse,ON,2012-02-01,,,\n"
        "1,relapse,ON,2012-02-10,,,\n"
        "1,relapse,ON,2011-02,,,\n"
        "1,edss,,2015-01-01,,3,\n")
    assert s.warnings == [
        "patient 1: Azathioprine on line 2 is dated only to the month; the period boundary "
        "is placed on 2010-03-01",
        "patient 1: relapses on lines 4 and 5 are 19 days apart (under 30); counted as two; "
        "if they are one attack, keep one row",
        "patient 1: relapses on lines 6 and 7 are 9 days apart (under 30); counted as two; "
        "if they are one attack, keep one row",
        "patient 1: relapse on line 8 is known only to the month; it is counted on 2011-02-01",
        "patient 1: relapse on line 3 is known only to the month; it is counted on 2011-05-01",
    ]


def test_a_regimen_followed_for_under_a_year_still_has_a_pooled_arr():
    # 2010-01-01 .. 2010-07-20 is 200 days: 1 relapse / (200 / 365.25) = 1.82625
    _, s = periods_of("1,therapy,Azathioprine,2010-01-01,ongoing,,\n"
                      "1,relapse,ON,2010-03-01,,,\n"
                      "1,edss,,2010-07-20,,3,\n")
    (row,) = s.cohort
    assert row.years == pytest.approx(200 / 365.25)
    assert row.arr_pooled == pytest.approx(365.25 / 200)
    assert row.arr_median == pytest.approx(365.25 / 200) and row.arr_sd is None


def test_a_cutoff_on_the_first_recorded_day_is_a_record_of_no_days():
    text = "1,therapy,Azathioprine,2010-01-01,ongoing,,\n1,edss,,2011-01-01,,3,\n"
    got, _ = periods_of(text, cutoff=date(2010, 1, 1))
    assert got == [("Azathioprine", "2010-01-01", "2010-01-01", 0)]
    with pytest.raises(NmoTimelineError) as err:
        periods_of(text, cutoff=date(2009, 12, 31))
    assert str(err.value) == ("patient 1: the cut-off 2009-12-31 is before the first recorded "
                              "date 2010-01-01")
    unnamed = read_events_text("kind,name,start,end\ntherapy,Azathioprine,2010-01-01,ongoing\n",
                               "u.csv")
    with pytest.raises(NmoTimelineError) as err:
        summarise(unnamed, cutoff=date(2009, 12, 31))
    assert str(err.value) == "the cut-off 2009-12-31 is before the first recorded date 2010-01-01"


def test_a_pause_is_joined_within_one_patient_never_across_two():
    # A pauses azathioprine for 9 days (one period); B switches after the same pause
    s = summarise(read_events_text(
        H + "A,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
            "A,therapy,Azathioprine,2010-07-10,ongoing,,\nA,edss,,2011-01-01,,3,\n"
            "B,therapy,Azathioprine,2012-01-01,2012-06-30,,\nB,therapy,Rituximab,2012-07-10,,,\n"
            "B,edss,,2013-01-01,,3,\n", "h.csv"))
    assert {pp.patient: [(p.regimen, str(p.start), str(p.end)) for p in pp.periods]
            for pp in s.patients} == {
        "A": [("Azathioprine", "2010-01-01", "2011-01-01")],
        "B": [("Azathioprine", "2012-01-01", "2012-07-10"),
              ("Rituximab", "2012-07-10", "2013-01-01")]}


OPTIONS = [
    {},
    {"cutoff": date(2011, 6, 1)},
    {"grace_days": 30},
    {"edss_window_days": 10},
    {"min_period_days": 0},
    {"max_gap_days": 0, "min_period_days": 0},
]


@pytest.mark.parametrize("options", OPTIONS)
def test_one_patients_periods_follow_every_option_as_the_cohorts_do(options):
    from nmo_timeline.analysis.periods import all_patient_periods, patient_periods

    table = read_events_text(
        H + "A,relapse,ON,2010-01-01,,,\n"
            "B,edss,,2009-12-20,,2.0,\nB,therapy,Azathioprine,2010-01-01,2010-06-30,,\n"
            "B,therapy,Azathioprine,2010-07-10,ongoing,,\nB,therapy,Rituximab,2011-01-01,,,\n"
            "B,relapse,ON,2011-01-15,,,\nB,relapse,TM,2011-02-01,,,\nB,edss,,2012-01-01,,3.5,\n",
        "o.csv")
    one: list[str] = []
    every: list[str] = []
    got = patient_periods(table, "B", warnings=one, **options)
    (want,) = [pp for pp in all_patient_periods(table, warnings=every, **options)
               if pp.patient == "B"]
    assert got == want
    assert options == {} or got != patient_periods(table, "B")  # the option matters here
    assert one == [w for w in every if w.startswith("patient B")]
    assert one, "the record was made to warn (two relapses 17 days apart)"


@pytest.mark.parametrize("options", [{"min_period_days": -1}, {"max_gap_days": -1}])
def test_negative_period_options_are_refused(options):
    from nmo_timeline.analysis.periods import all_patient_periods

    with pytest.raises(NmoTimelineError) as err:
        all_patient_periods(read_events_text(H + "1,relapse,ON,2010-01-01,,,\n", "n.csv"),
                            **options)
    assert str(err.value) == "--min-period-days and --max-gap-days must be 0 or more"
