"""The drawing plan, without pixels."""

from __future__ import annotations

import itertools
import sys
from datetime import date, timedelta

import pytest

from nmo_timeline.domain.colours import KNOWN
from nmo_timeline.domain.syndromes import syndrome_of
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import read_events_text
from nmo_timeline.plan.timeline import plan_timeline


def names(plan):
    return [key.name for key in plan.panels]


CASE = """kind,name,start,end,value,unit,detail
relapse,ON,2010-01-10,,,,
therapy,IVMP,2010-01-11,2010-01-15,1000,mg,
edss,,2010-01-10,,3.0,,
therapy,Azathioprine,2010-02-01,2010-12-31,150,mg,
therapy,Rituximab,2011-01-10,,1000,mg,
therapy,rituximab,2011-01-24,,1000,mg,
relapse,TM,2011-06-01,,,,
mri,spinal,2011-06-03,,2,,
mri,brain,2011-12-01,,0,,
therapy,Tocilizumab,2012-01-01,ongoing,8,mg/kg,
edss,,2012-06-01,,4.0,,
"""


@pytest.fixture
def plan():
    return plan_timeline(read_events_text(CASE, "case.csv"), title="T")


def test_panels_top_to_bottom_without_empty_ones(plan):
    assert names(plan) == ["edss", "therapy", "relapse", "mri"]


def test_lab_panel_only_with_lab_rows():
    p = plan_timeline(read_events_text(CASE + "lab,CSF IL-6,2012-03-01,,4.5,pg/mL,\n"))
    assert names(p)[-1] == "lab:csf il-6"
    assert p.labs[0].label == "CSF IL-6 (pg/mL)"


def test_lanes_one_per_name_in_order_of_first_use(plan):
    assert [lane.label for lane in plan.lanes] == [
        "IVMP", "Azathioprine", "Rituximab", "Tocilizumab"]
    rtx = plan.lanes[2]
    assert [t.day for t in rtx.ticks] == [date(2011, 1, 10), date(2011, 1, 24)]
    assert rtx.bars == []


def test_bars_cover_whole_days(plan):
    (bar,) = plan.lanes[1].bars
    assert (bar.start, bar.stop) == (date(2010, 2, 1), date(2011, 1, 1))


def test_ongoing_runs_to_the_record_end(plan):
    (bar,) = plan.lanes[3].bars
    assert bar.ongoing
    assert plan.record_end == date(2012, 6, 1)
    assert bar.stop == date(2012, 6, 2)
    assert plan.x_max > bar.stop  # room for the arrow


def test_acute_is_distinct_from_maintenance(plan):
    ivmp, aza = plan.lanes[0], plan.lanes[1]
    assert ivmp.role == "acute" and ivmp.acute
    assert aza.role == "maintenance" and not aza.acute
    assert aza.colour == KNOWN["azathioprine"] and ivmp.colour == KNOWN["steroid-pulse"]
    assert plan.legend[0].key == "acute"  # the legend explains the hatch


def test_a_therapy_keeps_its_colour_across_patients():
    one = plan_timeline(read_events_text(
        "kind,name,start\ntherapy,Tocilizumab,2011-01-01\ntherapy,Rituximab,2012-01-01\n"))
    two = plan_timeline(read_events_text(
        "kind,name,start\ntherapy,RTX,2011-01-01\ntherapy,Study drug,2012-01-01\n"))
    assert one.lanes[1].colour == two.lanes[0].colour == KNOWN["rituximab"]
    assert two.lanes[1].colour not in KNOWN.values()


def test_markers(plan):
    assert [(m.day, m.group) for m in plan.relapses] == [
        (date(2010, 1, 10), "ON"), (date(2011, 6, 1), "TM")]
    assert [(m.group, m.filled) for m in plan.mri] == [("active", True), ("quiet", False)]
    assert [m.value for m in plan.edss] == [3.0, 4.0]


def test_axis_range_holds_every_event(plan):
    assert plan.x_min < date(2010, 1, 10)
    assert plan.x_max > date(2012, 6, 1)


@pytest.mark.parametrize(
    ("name", "key"),
    [("ON", "ON"), ("optic neuritis", "ON"), ("LETM", "TM"), ("Area postrema", "APS"),
     ("brainstem", "brainstem"), ("", "unspecified"), ("cerebral", "cerebral"),
     ("bilateral ON", "ON"), ("LETM C2-C7", "TM"), ("ADEM", "cerebral"), ("FLAMES", "cerebral"),
     ("Optikusneuritis", "ON"), ("myélite", "TM"), ("síndrome de área postrema", "APS"),
     ("hypothalamic / diencephalic syndrome", "diencephalic"),
     ("relapse on treatment", "other"), ("cerebellar", "other")],
)
def test_syndromes(name, key):
    assert syndrome_of(name) == key


def test_mitoxantrone_cumulative_dose():
    p = plan_timeline(read_events_text(
        "kind,name,start,value,unit\ntherapy,Mitoxantrone,2010-01-01,12,mg/m2\n"
        "therapy,Mitoxantrone,2010-04-01,12,mg/m2\n"))
    assert p.lanes[0].note == "cumulative 24 mg/m²"


def test_multi_patient_table_is_refused():
    t = read_events_text("patient,kind,start\nA,relapse,2011-01-01\nB,relapse,2011-01-02\n",
                         "s.csv")
    with pytest.raises(NmoTimelineError, match="holds 2 patients; choose one with --patient"):
        plan_timeline(t)


def test_layout_does_not_import_matplotlib():
    import subprocess

    code = ("import sys, nmo_timeline.plan.timeline, nmo_timeline.load;"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_period_bands_tile_the_record():
    p = plan_timeline(read_events_text(CASE), arr=True)
    assert names(p)[:3] == ["edss", "periods", "therapy"]
    bands = p.periods
    assert bands[0].start == p.record_start
    assert bands[-1].stop == p.record_end + timedelta(days=1)
    assert all(a.stop == b.start for a, b in itertools.pairwise(bands))
    # the 9 days between azathioprine's end and rituximab's start are a switch (at most
    # --max-gap-days, 30) and count for azathioprine; with 0, every gap is untreated
    assert [b.regimen for b in bands] == ["untreated", "Azathioprine", "Rituximab",
                                          "Tocilizumab"]
    strict = plan_timeline(read_events_text(CASE), arr=True, max_gap_days=0).periods
    assert [b.regimen for b in strict] == ["untreated", "Azathioprine", "untreated",
                                           "Rituximab", "Tocilizumab"]
    assert (strict[2].start, strict[2].stop) == (date(2011, 1, 1), date(2011, 1, 10))
