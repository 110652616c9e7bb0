"""Regimen occupancy (analysis): month by month since the anchor, worked out by hand.

Month k is day floor(k * 365.25 / 12) after the anchor: 0, 30, 60, 91, 121, ... 365 (k = 12).
"""

from __future__ import annotations

import numpy as np
import pytest

from nmo_timeline.analysis.occupancy import patient_anchors, regimen_occupancy
from nmo_timeline.analysis.periods import all_patient_periods
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import read_events_text

SERIES = """patient,kind,name,start,end,value
P1,relapse,TM,2010-01-01,,
P1,therapy,AZA,2010-03-01,2010-12-31,
P1,edss,,2011-06-30,,3.0
P2,edss,,2011-12-01,,2.0
P2,therapy,Rituximab,2012-01-01,,
P2,relapse,ON,2012-04-01,,
"""


@pytest.fixture
def table():
    return read_events_text(SERIES, "s.csv")


def test_shares_month_by_month_since_onset(table):
    occ = regimen_occupancy(table)
    # P1: onset 2010-01-01; azathioprine from day 59 to day 364 (months 2 to 11);
    # cut-off on day 545 (month 17 is day 517, month 18 day 547)
    # P2: its onset is its only relapse, on its cut-off day: one month, on rituximab
    assert occ.patients == ["P1", "P2"] and occ.left_out == []
    assert len(occ.times_years) == 18
    assert occ.times_years[:3].tolist() == [0.0, 1 / 12, 2 / 12]
    assert occ.at_risk.tolist() == [2] + [1] * 17
    shares = dict(zip(occ.names, occ.shares.tolist(), strict=True))
    assert shares["Azathioprine"] == [0, 0] + [1] * 10 + [0] * 6
    assert shares["untreated"] == [0.5, 1] + [0] * 10 + [1] * 6
    assert shares["Rituximab"] == [0.5] + [0] * 17
    assert occ.names[-1] == "untreated"


def test_onset_is_the_first_relapse_else_the_first_record(table):
    periods = all_patient_periods(table)
    anchors, label = patient_anchors(table, periods, "onset")
    days = anchors.astype("datetime64[D]").astype(str).tolist()
    assert (days, label) == (["2010-01-01", "2012-04-01"], "onset")
    text = SERIES.replace("P2,relapse,ON,2012-04-01,,\n", "P2,mri,,2012-04-01,,\n")
    no_relapse = read_events_text(text, "s.csv")
    anchors, _ = patient_anchors(no_relapse, all_patient_periods(no_relapse), "onset")
    assert anchors.astype("datetime64[D]").astype(str).tolist()[1] == "2011-12-01"


def test_first_therapy_anchor(table):
    occ = regimen_occupancy(table, align="first-therapy")
    assert occ.anchor == "first maintenance therapy"
    shares = dict(zip(occ.names, occ.shares.tolist(), strict=True))
    # P1 from 2010-03-01: azathioprine to day 305 (month 10 is day 304), cut-off day 486;
    # P2 from 2012-01-01: rituximab to its cut-off, day 91 (month 3 is day 91)
    assert occ.at_risk.tolist() == [2] * 4 + [1] * 12
    assert shares["Azathioprine"][:5] == [0.5, 0.5, 0.5, 0.5, 1.0]
    assert shares["Rituximab"][:5] == [0.5, 0.5, 0.5, 0.5, 0.0]
    assert shares["Azathioprine"][10:] == [1.0] + [0.0] * 5


def test_a_therapy_anchor_leaves_out_who_never_had_it(table):
    occ = regimen_occupancy(table, align="RTX")
    assert occ.anchor == "first dose of Rituximab"
    assert occ.patients == ["P2"] and occ.left_out == ["P1"]
    assert occ.warnings[0] == "1 patient(s) never received RTX and are left out: P1"
    assert occ.at_risk.tolist() == [1, 1, 1, 1]  # 2012-01-01 to 2012-04-01: day 91
    with pytest.raises(NmoTimelineError, match="no patient received 'tocilizumab'; nothing"):
        regimen_occupancy(table, align="tocilizumab")


def test_no_maintenance_therapy_is_left_out_of_first_therapy():
    text = SERIES + "P3,relapse,TM,2010-01-01,,\nP3,therapy,PLEX,2010-01-05,2010-01-15,\n"
    occ = regimen_occupancy(read_events_text(text, "s.csv"), align="first-therapy")
    assert occ.left_out == ["P3"]
    assert occ.warnings[0] == ("1 patient(s) never received a maintenance therapy and are "
                               "left out: P3")


def test_json_document(table):
    doc = regimen_occupancy(table).as_dict()
    assert list(doc) == ["patients", "align", "anchor", "times_years", "at_risk", "shares",
                         "left_out", "warnings"]
    assert doc["patients"] == 2 and doc["at_risk"][:2] == [2, 1]
    assert set(doc["shares"]) == {"Azathioprine", "Rituximab", "untreated"}
    total = np.sum([doc["shares"][k] for k in doc["shares"]], axis=0)
    assert total.tolist() == [1.0] * 18


def test_names_that_collide_get_a_number():
    text = ("patient,kind,name,start,end\nP,therapy,untreated,2010-01-01,2010-06-30\n"
            "P,relapse,TM,2009-12-01,\n")
    occ = regimen_occupancy(read_events_text(text, "s.csv"))
    assert sorted(occ.names) == ["untreated", "untreated (2)"]


def test_nobody_with_a_maintenance_therapy():
    text = "patient,kind,name,start,value\nA,relapse,TM,2010-01-01,\nB,edss,,2011-01-01,2.0\n"
    table = read_events_text(text, "s.csv")
    with pytest.raises(NmoTimelineError) as info:
        regimen_occupancy(table, align="first-therapy")
    assert str(info.value) == "no patient received a maintenance therapy; nothing to draw"
    occ = regimen_occupancy(table)  # onset: one day of follow-up each, untreated
    assert occ.names == ["untreated"] and occ.at_risk.tolist() == [2]


PAUSE = """patient,kind,name,start,end,value
P1,relapse,TM,2010-01-01,,
P1,therapy,Azathioprine,2010-01-01,2010-06-30,
P1,therapy,Azathioprine,2010-07-20,ongoing,
P1,therapy,Rituximab,2010-10-01,2010-10-01,
P1,relapse,ON,2010-05,,
P1,edss,,2011-01-01,,3.0
"""


@pytest.mark.parametrize(("options", "month_6", "month_9"), [
    # defaults: the 19-day pause and the 1-day add-on are shorter than 30 days, so they
    # show the state before them
    ({}, "Azathioprine", "Azathioprine"),
    ({"min_period_days": 0}, "Azathioprine", "Azathioprine + Rituximab"),
    ({"min_period_days": 0, "max_gap_days": 0}, "untreated", "Azathioprine + Rituximab"),
])
def test_the_period_rules_reach_the_occupancy(options, month_6, month_9):
    # month 6 is day 182 (2010-07-02, in the pause); month 9 is day 273 (2010-10-01)
    occ = regimen_occupancy(read_events_text(PAUSE, "p.csv"), **options)
    state = {name: share for name, share in zip(occ.names, occ.shares.tolist(), strict=True)}
    assert [n for n in occ.names if state[n][6] == 1.0] == [month_6]
    assert [n for n in occ.names if state[n][9] == 1.0] == [month_9]
    assert occ.warnings == ["patient P1: relapse on line 6 is known only to the month; it is "
                            "counted on 2010-05-01"]


@pytest.mark.parametrize("align", ["onset", "first-therapy", "azathioprine"])
def test_anchors_before_1970_count_like_any_other(align):
    # day numbers before 1970 are negative: they are dates, not "no anchor"
    text = "patient,kind,name,start,end,value\n" + "".join(
        f"{p},relapse,ON,{onset},,\n{p},therapy,Azathioprine,{first},1990-01-01,100\n"
        f"{p},edss,,1995-01-01,,3\n"
        for p, onset, first in [("A", "1969-12-31", "1969-12-31"),
                                ("B", "1970-01-01", "1975-01-01"),
                                ("C", "1900-01-01", "1900-02-01")])
    occ = regimen_occupancy(read_events_text(text, "o.csv"), align=align)
    assert occ.patients == ["A", "B", "C"] and occ.left_out == []
    assert occ.at_risk[0] == 3
