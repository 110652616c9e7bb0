"""Swimmer plot layout (pure): alignment, sorting, units, labels."""

from __future__ import annotations

import pytest
from swimmer_series import SERIES

from nmo_timeline.domain.colours import KNOWN
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import read_events_text
from nmo_timeline.plan.swimmer import plan_swimmer


@pytest.fixture
def table():
    return read_events_text(SERIES, "s.csv")


def test_rows_in_natural_id_order_with_periods(table):
    plan = plan_swimmer(table, unit="days")
    assert [r.patient for r in plan.rows] == ["P2", "P3", "P10"]
    p10 = plan.rows[2]
    assert [(s.regimen, s.x0, s.x1) for s in p10.segments] == [
        ("Azathioprine", 31.0, 365.0), ("Tocilizumab", 365.0, 730.0)]
    assert p10.relapses == [0.0]
    assert p10.ongoing and p10.last_edss == 3.0
    p2 = plan.rows[0]
    combo = next(s for s in p2.segments if "+" in s.regimen)
    assert combo.colours == (KNOWN["azathioprine"], KNOWN["tocilizumab"])  # stripes
    assert not plan.rows[1].ongoing  # single rituximab dose: nothing ongoing


def test_align_puts_day_zero_at_the_first_dose_and_lists_the_rest(table):
    plan = plan_swimmer(table, align="TOCILIZUMAB", unit="days", sort="aligned")
    assert [r.patient for r in plan.rows] == ["P10", "P2"]  # 365 vs 183 days on it
    p10 = next(r for r in plan.rows if r.patient == "P10")
    assert p10.start == -365.0 and p10.relapses == [-365.0]
    assert plan.warnings[0].startswith("1 patient(s) never received TOCILIZUMAB")
    assert "P3" in plan.warnings[0]


@pytest.mark.parametrize(("unit", "factor"), [("days", 1), ("weeks", 7), ("months", 30.4375),
                                              ("years", 365.25)])
def test_units(table, unit, factor):
    plan = plan_swimmer(table, unit=unit)
    p10 = plan.rows[2]
    assert p10.end == pytest.approx(730 / factor)


def test_sort_by_follow_up_and_arr(table):
    assert [r.patient for r in plan_swimmer(table, sort="follow-up").rows] == ["P10", "P2", "P3"]
    arr = plan_swimmer(table, sort="arr").rows
    # P3: 1 relapse / (180 d / 365.25) = 2.03; P2: 2 / (364 d / 365.25) = 2.01; P10: 1 / 2.0 y
    assert [r.patient for r in arr] == ["P3", "P2", "P10"]


def test_bad_options(table):
    with pytest.raises(NmoTimelineError, match="--sort aligned needs --align"):
        plan_swimmer(table, sort="aligned")
    with pytest.raises(NmoTimelineError, match="no patient received 'eculizumab'"):
        plan_swimmer(table, align="eculizumab")


def test_edss_labels_optional_and_anonymized_rows(table):
    plan = plan_swimmer(table, show_edss=False)
    assert all(r.last_edss is None for r in plan.rows)
    anon = plan_swimmer(table, anonymize=True)
    assert [r.patient for r in anon.rows] == ["1", "2", "3"]


def test_therapy_colours_follow_first_use_for_unknown_names():
    from nmo_timeline.domain.colours import EXTRA
    from nmo_timeline.plan.colours import therapy_colours

    text = ("patient,kind,name,start,end\nB,therapy,Drug Y,2010-01-01,2010-06-30\n"
            "A,therapy,drug  x,2009-01-01,2009-06-30\nB,therapy,Drug X,2011-01-01,\n"
            "A,therapy,Rituximab,2010-01-01,\nA,therapy,PLEX,2008-01-01,\n")
    colours = therapy_colours(read_events_text(text, "s.csv"))
    # patients in order of first appearance (B, then A), each one's rows in file order
    assert colours.by_key == {"drug y": EXTRA[0], "drug x": EXTRA[1],
                              "rituximab": KNOWN["rituximab"],
                              "plasma-exchange": KNOWN["plasma-exchange"]}
    assert list(colours.legend) == ["Drug Y", "Drug X", "drug x", "Rituximab"]  # as written
    assert colours.labels["drug x"] == "Drug X" and colours.patients["Drug X"] == 1
    assert colours.series == [EXTRA[0], EXTRA[1], EXTRA[1], KNOWN["rituximab"], "#D9D9D9"]


def test_legend_lists_at_most_twelve_therapies_most_used_first():
    from nmo_timeline.plan.swimmer import LEGEND_MAX

    rows = ["patient,kind,name,start,end"]
    for i in range(30):  # drug k is given to k + 1 patients
        rows += [f"P{p},therapy,Drug {i:02d},{2000 + i}-01-01,{2000 + i}-06-30"
                 for p in range(i + 1)]
    plan = plan_swimmer(read_events_text("\n".join(rows) + "\n", "s.csv"))
    assert LEGEND_MAX == 12 and plan.legend_more == 18
    assert plan.legend_top == [f"Drug {i:02d}" for i in range(18, 30)]
    assert len(plan.legend) == 31  # every therapy drawn keeps its colour, and untreated


def test_legend_lists_only_therapies_drawn(table):
    plan = plan_swimmer(table, align="tocilizumab")  # P3 (rituximab only) is left out
    assert list(plan.legend) == ["Azathioprine", "Tocilizumab", "untreated"]
    assert plan.legend_top == ["Azathioprine", "Tocilizumab"]


@pytest.mark.parametrize(("rows", "size", "dpi", "dense"), [
    (375, (13.333, 7.5), 200, False), (376, (13.333, 7.5), 200, True),
    (206, (13.333, 7.5), 110, False), (207, (13.333, 7.5), 110, True),
    (160, (3.5, 3.2), 200, False), (161, (3.5, 3.2), 200, True)])
def test_dense_mode_below_three_pixels_a_row(rows, size, dpi, dense):
    from nmo_timeline.plan.swimmer import dense_mode

    assert dense_mode(rows, size, dpi) is dense
