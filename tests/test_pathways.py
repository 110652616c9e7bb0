"""Treatment pathways (analysis): lines of therapy and their counts, worked out by hand."""

from __future__ import annotations

import pytest

from nmo_timeline.analysis.pathways import pathways_of, patient_lines, treatment_pathways
from nmo_timeline.analysis.periods import all_patient_periods
from nmo_timeline.domain.time import DAYS_PER_YEAR
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import read_events_text

SERIES = """patient,kind,name,start,end,value
A,relapse,TM,2010-01-01,,
A,therapy,AZA,2010-02-01,2010-05-31,
A,therapy,Azathioprine,2010-09-01,2010-12-31,
A,therapy,RTX,2011-01-01,,
A,therapy,IV methylprednisolone,2011-03-01,2011-03-05,
A,edss,,2011-12-31,,3.0
B,relapse,ON,2012-01-01,,
B,therapy,Tocilizumab,2012-01-01,ongoing,
B,therapy,Azathioprine,2012-07-01,2012-12-31,
B,edss,,2013-12-31,,2.0
C,relapse,TM,2010-05-01,,
C,therapy,IV methylprednisolone,2010-05-02,2010-05-06,
C,relapse,TM,2011-05-01,,
D,therapy,Rituximab,2010-01-01,,
D,therapy,Azathioprine,2011-01-01,2011-12-31,
D,therapy,Rituximab,2012-01-01,,
D,relapse,TM,2012-06-01,,
E,therapy,Azathioprine,2010-01-01,2010-12-31,
E,therapy,Rituximab,2011-01-01,2011-12-31,
E,therapy,Tocilizumab,2012-01-01,2012-12-31,
E,therapy,Mycophenolate,2013-01-01,2013-12-31,
E,therapy,Eculizumab,2014-01-01,2014-12-31,
F,therapy,Rituximab,2015-03-01,,
F,therapy,Azathioprine,2016-03-01,2016-08-31,
F,therapy,Rituximab,2016-09-01,,
F,relapse,TM,2017-03-01,,
"""


@pytest.fixture
def periods():
    return all_patient_periods(read_events_text(SERIES, "s.csv"))


def test_lines_of_each_patient(periods):
    lines = {pp.patient: patient_lines(pp) for pp in periods}
    # a pause (untreated June to August) does not start a new line; acute pulses are no line
    assert [(x.regimen, x.days, x.on_at_cutoff) for x in lines["A"]] == [
        ("Azathioprine", 120 + 122, False), ("Rituximab", 364, True)]
    # an add-on combination is a regimen of its own; back to the single agent: a new line
    assert [(x.regimen, x.days) for x in lines["B"]] == [
        ("Tocilizumab", 182), ("Azathioprine + Tocilizumab", 184), ("Tocilizumab", 364)]
    assert lines["C"] == []
    # a regimen resumed after another is counted again
    assert [(x.regimen, x.days) for x in lines["D"]] == [
        ("Rituximab", 365), ("Azathioprine", 365), ("Rituximab", 152)]
    assert len(lines["E"]) == 5


def test_pathways_up_to_depth_most_patients_first(periods):
    result = pathways_of(periods)
    assert [(list(p.sequence), p.patients) for p in result.pathways] == [
        (["Rituximab", "Azathioprine", "Rituximab"], 2),
        ([], 1),
        (["Azathioprine", "Rituximab"], 1),
        (["Azathioprine", "Rituximab", "Tocilizumab", "Mycophenolate mofetil"], 1),
        (["Tocilizumab", "Azathioprine + Tocilizumab", "Tocilizumab"], 1),
    ]
    assert (result.patients, result.other_patients, result.other_pathways) == (6, 0, 0)
    deeper = pathways_of(periods, depth=5).pathways
    assert ["Azathioprine", "Rituximab", "Tocilizumab", "Mycophenolate mofetil",
            "Eculizumab"] in [list(p.sequence) for p in deeper]
    assert [list(p.sequence) for p in pathways_of(periods, depth=1).pathways][:3] == [
        ["Azathioprine"], ["Rituximab"], []]


def test_rare_pathways_are_other(periods):
    result = pathways_of(periods, min_patients=2)
    assert [(list(p.sequence), p.patients) for p in result.pathways] == [
        (["Rituximab", "Azathioprine", "Rituximab"], 2)]
    assert (result.other_patients, result.other_pathways) == (4, 4)
    assert sum(p.patients for p in result.pathways) + result.other_patients == result.patients


def test_line_table(periods):
    rows = {(r.line, r.regimen): r for r in pathways_of(periods).lines}
    assert [k for k in rows if k[0] == 1] == [
        (1, "Azathioprine"), (1, "Rituximab"), (1, "Tocilizumab")]
    aza = rows[1, "Azathioprine"]  # A: 242 days, E: 365 days
    assert (aza.patients, aza.on_at_cutoff) == (2, 0)
    assert aza.median_years == pytest.approx((242 + 365) / 2 / DAYS_PER_YEAR)
    rtx3 = rows[3, "Rituximab"]  # D: 152 days, F: 181 days, both still on it
    assert (rtx3.patients, rtx3.on_at_cutoff) == (2, 2)
    assert rtx3.median_years == pytest.approx((152 + 181) / 2 / DAYS_PER_YEAR)
    assert rows[2, "Azathioprine + Tocilizumab"].patients == 1
    assert max(line for line, _ in rows) == 4  # depth 4
    # regimens rarer than --min-patients at a line are one "other" row
    other = {(r.line, r.regimen): r.patients for r in pathways_of(periods, min_patients=2).lines}
    assert other == {(1, "Azathioprine"): 2, (1, "Rituximab"): 2, (1, "other"): 1,
                     (2, "Azathioprine"): 2, (2, "Rituximab"): 2, (2, "other"): 1,
                     (3, "Rituximab"): 2, (3, "Tocilizumab"): 2, (4, "other"): 1}


def test_json_document(periods):
    doc = pathways_of(periods, min_patients=2).as_dict()
    assert doc["patients"] == 6 and doc["depth"] == 4 and doc["min_patients"] == 2
    assert doc["pathways"] == [{"sequence": ["Rituximab", "Azathioprine", "Rituximab"],
                                "patients": 2}]
    assert doc["other"] == {"patients": 4, "pathways": 4}
    assert doc["lines"][0] == {"line": 1, "regimen": "Azathioprine", "patients": 2,
                               "median_years": pytest.approx(303.5 / DAYS_PER_YEAR),
                               "on_at_cutoff": 0}


def test_spellings_are_one_regimen_named_as_first_written():
    text = ("patient,kind,name,start,end\nP,therapy,study  drug,2010-01-01,2010-06-30\n"
            "Q,therapy,Study Drug,2011-01-01,2011-06-30\n")
    result = treatment_pathways(read_events_text(text, "s.csv"))
    assert [(list(p.sequence), p.patients) for p in result.pathways] == [(["study drug"], 2)]


def test_bad_options(periods):
    with pytest.raises(NmoTimelineError, match="--depth must be 1 to 8, not 0"):
        pathways_of(periods, depth=0)
    with pytest.raises(NmoTimelineError, match="--min-patients must be 1 or more, not 0"):
        pathways_of(periods, min_patients=0)


def test_no_median_of_fewer_than_min_patients(periods):
    rows = {(r.line, r.regimen): r for r in pathways_of(periods, min_patients=2).lines}
    assert rows[1, "other"].patients == 1 and rows[1, "other"].median_years is None
    assert rows[1, "Rituximab"].median_years == pytest.approx(365.5 / DAYS_PER_YEAR)
