"""The cohort table's statistics: exact CI of each pooled ARR, EDSS medians, finding a
regimen by name, and the summary's statistics options."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from nmo_timeline.analysis.cohort import find_regimen, regimen_keys
from nmo_timeline.analysis.models import default_reference
from nmo_timeline.analysis.summary import summarise
from nmo_timeline.errors import OptionError
from nmo_timeline.load import read_events_text

H = "patient,kind,name,start,end,value\n"
# A: 2 years untreated (2 relapses), 2 years on azathioprine (1 relapse)
# B: 1 year untreated (1 relapse), 2 years on azathioprine (0), then rituximab
SERIES = H + """A,edss,,2008-01-01,,2.0
A,relapse,ON,2008-06-01,,
A,relapse,TM,2009-06-01,,
A,therapy,Azathioprine,2010-01-01,2011-12-31,
A,edss,,2010-01-01,,3.0
A,relapse,TM,2011-01-01,,
A,edss,,2011-12-01,,4.0
B,edss,,2009-01-01,,5.0
B,relapse,ON,2009-02-01,,
B,therapy,AZA,2010-01-01,2011-12-31,
B,edss,,2011-12-15,,4.5
B,therapy,Rituximab,2012-01-01,,
B,edss,,2012-06-01,,4.5
"""


def test_pooled_arr_ci_is_garwood_by_hand():
    s = summarise(read_events_text(SERIES, "c.csv"))
    aza = next(c for c in s.cohort if c.regimen == "Azathioprine")
    # A's record ends with the course on 2011-12-31 (the last period runs to the cut-off
    # day: 729 days); B's course is followed by rituximab from 2012-01-01 (730 days)
    years = (729 + 730) / 365.25
    assert (aza.relapses, aza.years) == (1, pytest.approx(years))
    assert aza.arr_ci_low == pytest.approx(sps.chi2.ppf(0.025, 2) / (2 * years))
    assert aza.arr_ci_high == pytest.approx(sps.chi2.ppf(0.975, 4) / (2 * years))
    s90 = summarise(read_events_text(SERIES, "c.csv"), level=0.9)
    aza90 = next(c for c in s90.cohort if c.regimen == "Azathioprine")
    assert aza90.arr_ci_high == pytest.approx(sps.chi2.ppf(0.95, 4) / (2 * years))


def test_edss_medians_across_patients():
    s = summarise(read_events_text(SERIES, "c.csv"))
    aza = next(c for c in s.cohort if c.regimen == "Azathioprine")
    # A: 3.0 at the start (same day), 4.0 at the end (2011-12-01, within 180 days) -> +1.0
    # B: 5.0 at 2009-01-01 is a year old at the start -> none; 4.5 at the end -> no change
    assert (aza.edss_start_median, aza.edss_end_median, aza.edss_change_median) == (
        3.0, 4.25, 1.0)


def test_edss_of_a_regimen_is_first_period_start_and_last_period_end():
    text = H + ("A,therapy,Azathioprine,2010-01-01,2010-06-30,\nA,edss,,2010-01-01,,2.0\n"
                "A,therapy,Rituximab,2010-07-01,2010-12-31,\nA,edss,,2010-08-01,,3.0\n"
                "A,therapy,Azathioprine,2011-01-01,2011-06-30,\nA,edss,,2011-06-01,,6.0\n")
    aza = next(c for c in summarise(read_events_text(text, "e.csv")).cohort
               if c.regimen == "Azathioprine")
    assert (aza.edss_start_median, aza.edss_end_median, aza.edss_change_median) == (
        2.0, 6.0, 4.0)


@pytest.mark.parametrize(("name", "found"), [
    ("azathioprine", "Azathioprine"), ("AZA", "Azathioprine"), (" Untreated ", "untreated"),
    ("rtx", "Rituximab")])
def test_find_regimen_understands_names_and_abbreviations(name, found):
    s = summarise(read_events_text(SERIES, "c.csv"))
    assert find_regimen(name, regimen_keys(s.patients), "--reference") == found


def test_find_regimen_combinations_in_any_order():
    regs = {"Azathioprine + Tocilizumab": ("azathioprine", "tocilizumab")}
    assert find_regimen("TCZ + aza", regs, "--regimens") == "Azathioprine + Tocilizumab"
    with pytest.raises(OptionError) as info:
        find_regimen("tocilizumab", regs, "--regimens")
    assert str(info.value) == ("--regimens 'tocilizumab': no such regimen; regimens: "
                               "Azathioprine + Tocilizumab")


def test_statistics_options_are_checked():
    t = read_events_text(SERIES, "c.csv")
    with pytest.raises(OptionError) as info:
        summarise(t, level=95)
    assert str(info.value) == ("--ci: confidence level must be between 0 and 1 (e.g. 0.95), "
                               "got 95")
    with pytest.raises(OptionError, match="--reference and --cluster need --model negbin"):
        summarise(t, reference="untreated")
    with pytest.raises(OptionError, match="unknown model 'poisson'; use negbin"):
        summarise(t, model="poisson")
    with pytest.raises(OptionError, match="--reference 'ocrelizumab': no such regimen"):
        summarise(t, model="negbin", reference="ocrelizumab")


def test_default_reference_is_untreated_else_most_person_years():
    s = summarise(read_events_text(SERIES, "c.csv"))
    assert default_reference(s.patients) == "untreated"
    treated = H + ("A,therapy,Azathioprine,2010-01-01,2010-12-31,\n"
                   "A,therapy,Rituximab,2011-01-01,,\nA,edss,,2013-01-01,,2.0\n")
    s = summarise(read_events_text(treated, "t.csv"))
    assert default_reference(s.patients) == "Rituximab"  # 2 years vs 1


day = st.integers(0, 2000).map(lambda n: date(2008, 1, 1) + timedelta(n))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(day, st.sampled_from(["Azathioprine", "Rituximab", "Study drug"]),
                          st.lists(day, max_size=4, unique=True)), min_size=1, max_size=6),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]), st.sampled_from([0, 30, 400]))
def test_every_pooled_arr_lies_in_its_ci(patients, level, min_days):
    rows = []
    for i, (start, drug, relapses) in enumerate(patients):
        rows.append(f"P{i},therapy,{drug},{start},ongoing,\n")
        rows += [f"P{i},relapse,ON,{d},,\n" for d in relapses]
        rows.append(f"P{i},edss,,{date(2014, 1, 1)},,2.0\n")
    s = summarise(read_events_text(H + "".join(rows), "p.csv"), level=level,
                  min_period_days=min_days)
    # every relapse of a period long enough to count is in the cohort table, no other
    counted = [p for pp in s.patients for p in pp.periods if p.counted]
    assert sum(c.relapses for c in s.cohort) == sum(p.relapses for p in counted)
    assert sum(c.years for c in s.cohort) == pytest.approx(sum(p.years for p in counted))
    assert all(p.days >= min_days for p in counted)
    if min_days == 0:
        assert sum(c.relapses for c in s.cohort) == sum(len(r) for _, _, r in patients)
    for c in s.cohort:
        if c.arr_pooled is not None:
            assert c.arr_ci_low <= c.arr_pooled * (1 + 1e-12) <= c.arr_ci_high * (1 + 1e-12)
            assert (c.arr_ci_low == 0.0) == (c.relapses == 0)
