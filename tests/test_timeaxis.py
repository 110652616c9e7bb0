"""Relative time, windows, callouts and de-identification."""

from __future__ import annotations

import re
import warnings
from datetime import date

import pytest
from matplotlib.text import Text

from nmo_timeline import bundled_events_path, load_events, plot_timeline
from nmo_timeline.errors import OptionError
from nmo_timeline.load import read_events_text
from nmo_timeline.output.save import save_figure
from nmo_timeline.plan.timeaxis import auto_unit
from nmo_timeline.plan.timeline import plan_timeline


@pytest.fixture(scope="module")
def table():
    return load_events(bundled_events_path())


@pytest.mark.parametrize(("spec", "anchor", "label"), [
    ("onset", date(2006, 5, 10), "onset"),
    ("first-therapy", date(2007, 1, 10), "first therapy"),
    ("TOCILIZUMAB", date(2010, 10, 4), "first Tocilizumab"),
    ("tcz", date(2010, 10, 4), "first Tocilizumab"),
    ("2008-06-02", date(2008, 6, 2), "2008-06-02"),
])
def test_anchors(table, spec, anchor, label):
    plan = plan_timeline(table, relative=spec)
    assert (plan.axis.anchor, plan.axis.anchor_label) == (anchor, label)
    assert plan.axis.unit == "years"  # six years of record
    assert plan.axis.label == f"Years since {label}"


def test_unit_follows_the_span():
    assert [auto_unit(d) for d in (30, 200, 1000)] == ["days", "months", "years"]


def test_relative_ticks_are_numbers_from_the_anchor(table):
    fig = plot_timeline(table, relative="tocilizumab", dpi=30)
    bottom = next(a for a in fig.axes if (a.get_gid() or "").startswith("panel:lab"))
    fig.canvas.draw()
    labels = [t.get_text().replace("\u2212", "-") for t in bottom.get_xticklabels()]
    assert "0" in labels and "-4" in labels and "1" in labels
    assert bottom.get_xlabel() == "Years since first Tocilizumab"


def test_window_by_dates_and_by_relative_numbers(table):
    plan = plan_timeline(table, window="2009-01-01:2011-01-01")
    assert (plan.x_min, plan.x_max) == (date(2009, 1, 1), date(2011, 1, 1))
    assert all(date(2009, 1, 1) <= m.day <= date(2011, 1, 1) for m in plan.relapses)
    plan = plan_timeline(table, relative="onset", unit="months", window="0:12")
    assert plan.x_min == date(2006, 5, 10)
    assert (plan.x_max - date(2006, 5, 10)).days == 366  # 12 x 30.44 days, rounded up
    # a window's ends round outwards to whole days, so its own end ticks are inside it
    plan = plan_timeline(table, relative="onset", unit="months", window="-1:2")
    assert (plan.x_min - date(2006, 5, 10)).days == -31  # -30.44 days, rounded down
    assert (plan.x_max - date(2006, 5, 10)).days == 61  # 60.88 days, rounded up
    fig = plot_timeline(table, relative="onset", unit="months", window="-1:2", dpi=40)
    bottom = fig.axes[-1]
    fig.canvas.draw()
    shown = [t.get_text().replace("\u2212", "-") for t in bottom.get_xticklabels()
             if bottom.get_xlim()[0] <= t.get_position()[0] <= bottom.get_xlim()[1]]
    assert shown[0] == "-1" and shown[-1] == "2"
    plan = plan_timeline(table, window=":2008-01-01")
    assert plan.x_max == date(2008, 1, 1)



@pytest.mark.parametrize(("window", "lo", "hi"), [
    ("2009:2010", date(2009, 1, 1), date(2010, 12, 31)),  # two years, as a clinician says it
    ("2009-06:2009-07", date(2009, 6, 1), date(2009, 7, 31)),
    ("2009-06-15:2009-07-20", date(2009, 6, 15), date(2009, 7, 20)),
])
def test_a_partial_date_ends_a_window_on_its_last_day(table, window, lo, hi):
    plan = plan_timeline(table, window=window)
    assert (plan.x_min, plan.x_max) == (lo, hi)


@pytest.mark.parametrize("window", ["2030-01-01:2031-01-01", "1990:2000", "2013:", ":2005"])
def test_a_window_outside_the_record_is_refused(table, window):
    with pytest.raises(OptionError) as err:
        plan_timeline(table, window=window)
    assert str(err.value) == (f"--window '{window}' holds nothing of the record, which runs "
                              "from 2006-05-10 to 2012-06-14")


@pytest.mark.parametrize("window", ["2009-01-01:2011-01-01", "2011-01-01:2012-01-01",
                                    "2009:2010-12-31"])
@pytest.mark.parametrize("size", [(13.333, 7.5), (7.2, 4.5), (3.5, 3.2)])
def test_a_window_ending_on_a_tick_keeps_every_tick_label_on_the_canvas(table, window, size):
    from layout_measure import measure

    fig = plot_timeline(table, window=window, size=size, dpi=60)
    m = measure(fig)
    assert m.clipped == [] and m.overlaps == []

@pytest.mark.parametrize(("name", "window"), [
    ("german_excel_export", "2007-03-12:2011-06-13"),  # no room over the 5: "Apr 2007" moves
    ("span_50y", "1984-01-01:2009-08-20"),  # a log2 titre axis: 1:5 is lifted
    ("unicode_names", "2015-12-03:2018-06-04"), ("labs_two_analytes", "2020-01-01:2022-01-06"),
])
@pytest.mark.parametrize("size", [(13.333, 7.5), (7.2, 4.5), (3.5, 3.2)])
def test_a_windows_first_date_label_clears_the_lowest_value_label(name, window, size):
    from pathlib import Path

    from layout_measure import measure

    corpus = Path(__file__).parent / "corpus"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plot_timeline(load_events(corpus / f"{name}.csv"), window=window, size=size,
                            dpi=60)
        m = measure(fig)
    assert m.overlaps == [] and m.clipped == []
    # two-line date labels are measured line by line: no "missing glyph" for the newline
    assert not [w for w in caught if "Glyph 10 " in str(w.message)]


@pytest.mark.parametrize(("kw", "message"), [
    ({"window": "2"}, "use FROM:TO"),
    ({"window": "0:5"}, "numbers need --relative"),
    ({"window": "2011-01-01:2010-01-01"}, "FROM must be before TO"),
    ({"unit": "years"}, "--unit goes with --relative"),
    ({"relative": "eculizumab"}, "no such therapy"),
    ({"annotate": ["no at sign"]}, "use LABEL@DATE"),
    ({"annotate": ["x@03/04/2011"]}, "ambiguous"),
])
def test_bad_axis_options(table, kw, message):
    with pytest.raises(OptionError, match=message):
        plan_timeline(table, **kw)


def test_callouts(table):
    plan = plan_timeline(table, relative="onset", annotate=["A@2010-10-04", "B@1"])
    assert plan.callouts == [(date(2010, 10, 4), "A"), (date(2007, 5, 10), "B")]
    fig = plot_timeline(table, annotate=["IL-6R blockade@2010-10-04"], dpi=30)
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "callout"]
    assert [t.get_text() for t in texts] == ["IL-6R blockade"]
    assert texts[0].get_visible()



def _callouts(fig):
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "callout"]
    lines = {round(line.get_xdata()[0], 3) for ax in fig.axes for line in ax.get_lines()
             if line.get_gid() == "callout-line"}
    return texts, lines


def test_a_callout_outside_the_axis_is_named_and_draws_nothing(table):
    from nmo_timeline.draw.figure import left_out

    fig = plot_timeline(table, annotate=["Early@2001-01-01", "Inside@2010-10-04"], dpi=40)
    texts, lines = _callouts(fig)
    assert [t.get_text() for t in texts] == ["Inside"] and len(lines) == 1
    assert "1 callout (Early (outside the time axis))" in left_out(fig)


def test_a_callout_without_room_draws_no_line_and_one_near_the_end_stays_on_the_canvas(
        table):
    from layout_measure import measure

    from nmo_timeline.draw.figure import left_out

    many = [f"Long callout label number {i}@2010-10-{4 + i:02d}" for i in range(6)]
    fig = plot_timeline(table, annotate=many, size=(7.2, 4.5), dpi=60)
    texts, lines = _callouts(fig)
    shown = [t for t in texts if t.get_visible()]
    assert len(lines) == len(shown) < 6  # a line for each box drawn, none for the others
    assert f"{6 - len(shown)} callouts" in left_out(fig)
    for when in ("2012-06-14", "2006-05-10"):  # the record's last and first day
        fig = plot_timeline(table, annotate=[f"A long callout at the record's end@{when}"],
                            size=(7.2, 4.5), dpi=60)
        texts, lines = _callouts(fig)
        assert len(texts) == 1 and texts[0].get_visible() and len(lines) == 1
        m = measure(fig)
        assert m.clipped == [] and m.overlaps == []

def test_anonymize_leaves_no_date_or_detail_in_the_output(table, tmp_path):
    fig = plot_timeline(table, anonymize=True, arr=True, dpi=30)
    out = save_figure(fig, tmp_path / "anon.svg")
    svg = out.read_text()
    texts = " ".join(re.findall(r">([^<>]+)</text>", svg))
    ev = table.events
    dates = set()
    for col in ("start", "end"):
        for d in ev[col].dropna():
            d = d.date()
            dates |= {d.isoformat(), d.strftime("%d.%m.%Y"), str(d.year), d.strftime("%b %Y")}
    assert not [d for d in dates if d in svg], "a date from the input is in the SVG"
    details = {d for d in ev["detail"] if d}
    assert details and not [d for d in details if d in svg]
    assert "Years since onset" in texts
    for fmt in ("pdf", "png"):
        raw = save_figure(fig, tmp_path / f"anon.{fmt}").read_bytes()
        assert b"CreationDate" not in raw and b"Software" not in raw
        assert not [d for d in dates if d.encode() in raw]


def test_anonymized_batch_has_no_patient_ids(tmp_path):
    from nmo_timeline.output.batch import plot_all_patients
    from nmo_timeline.plan.options import FigureOptions

    p = tmp_path / "s.csv"
    p.write_text("patient,kind,start\nMRN-4711,relapse,2011-01-01\nMRN-0815,relapse,2012-01-01\n")
    result = plot_all_patients(p, tmp_path / "o", FigureOptions(dpi=30, anonymize=True),
                               fmt="svg", workers=1)
    names = sorted(f.name for f in result.written)
    assert names == ["patient-001.svg", "patient-002.svg"]
    for f in result.written:
        text = f.read_text()
        assert "MRN" not in text and "2011" not in text and "2012" not in text


def test_calendar_row_under_relative_time(table):
    fig = plot_timeline(table, relative="onset", dpi=30)
    fig.canvas.draw()
    rows = [c for ax in fig.axes for c in ax.child_axes if c.get_gid() == "calendar-row"]
    assert len(rows) == 1
    years = [t.get_text() for t in rows[0].get_xticklabels() if t.get_text()]
    assert "2008" in years
    fig = plot_timeline(table, relative="onset", calendar_row=False, dpi=30)
    assert not [c for ax in fig.axes for c in ax.child_axes]


def test_short_record_uses_days():
    t = read_events_text("kind,name,start,end\nrelapse,ON,2011-01-01,\n"
                         "therapy,PLEX,2011-01-05,2011-01-15\n")
    assert plan_timeline(t, relative="onset").axis.unit == "days"


@pytest.mark.parametrize("name", ["labs_two_analytes", "long_course_20y", "span_3days",
                                  "partial_dates_history", "starts_mid_year"])
@pytest.mark.parametrize("size", [(13.333, 7.5), (10, 7.5), (7.2, 4.5), (3.5, 3.2)])
def test_relative_axes_keep_the_label_and_the_calendar_row_apart_and_on_the_canvas(name,
                                                                                   size):
    from pathlib import Path

    from layout_measure import measure

    corpus = Path(__file__).parent / "corpus"
    fig = plot_timeline(load_events(corpus / f"{name}.csv"), size=size, relative="onset",
                        dpi=60)
    m = measure(fig)
    assert m.overlaps == [] and m.clipped == []
    years = [t.get_text() for t in fig.findobj(match=lambda a: getattr(a, "get_gid", None)
                                               and a.get_gid() == "calendar-row")[0]
             .xaxis.get_ticklabels()]
    assert years and all(y.isdigit() for y in years)


def test_a_window_writes_the_labels_of_what_it_shows_and_counts_nothing_outside(table):
    from nmo_timeline.draw.figure import left_out

    # tocilizumab runs from 2010-10 past the window's end; CSF IL-6 has one value inside
    fig = plot_timeline(table, window="2010-06-01:2011-01-01", dpi=60)
    values = [t.get_text() for t in fig.findobj(Text)
              if (t.get_gid() or "").startswith("lab-value:")]
    assert values == ["45"]  # 12 and 4.5 lie after the window: not written, not "left out"
    assert "lab value" not in left_out(fig)
    # a bar that starts before the window writes its dose on the part inside it
    fig = plot_timeline(table, window="2011-01-01:2012-06-14", dpi=60)
    labels = [t.get_text() for t in fig.findobj(Text)
              if (t.get_gid() or "").startswith("bar-label:Tocilizumab") and t.get_visible()]
    assert labels and "dose" not in left_out(fig)


def test_an_open_window_side_is_padded_for_the_window_not_the_whole_record():
    from pathlib import Path

    long = load_events(Path(__file__).parent / "corpus" / "span_50y.csv")
    full = plan_timeline(long)
    plan = plan_timeline(long, relative="onset", unit="years", window="40:")
    window_days = (plan.record_end - plan.x_min).days
    assert 0 < (plan.x_max - plan.record_end).days <= 0.06 * window_days  # not a year on
    assert (full.x_max - full.record_end).days > (plan.x_max - plan.record_end).days


@pytest.mark.parametrize("kw", [{"window": "2008-03-26:2009-03-01"},
                                {"relative": "onset", "unit": "months", "window": "0:12"}])
def test_a_mark_on_a_windows_edge_is_drawn_whole(table, kw):
    fig = plot_timeline(table, dpi=60, **kw)
    fig.canvas.draw()
    for ax in fig.axes:
        if ax.get_gid() not in ("panel:relapse", "panel:mri"):
            continue
        box = ax.get_window_extent()
        for line in ax.get_lines():
            if not (line.get_gid() or "").startswith(("relapse:", "mri:")):
                continue
            half = line.get_markersize() / 2 * fig.dpi / 72
            for x, y in line.get_xydata():
                px, _ = ax.transData.transform((x, y))
                assert box.x0 - 0.5 <= px - half and px + half <= box.x1 + 0.5



@pytest.mark.parametrize(("kw", "message"), [
    ({"relative": "onset", "unit": "days", "window": "1:1"},
     "--window '1:1': FROM must be before TO"),
    ({"relative": "onset", "unit": "days", "window": "0:2009"},
     "--window '0:2009': '2009' could be a year or 2009 days; write the date as 2009-01-01, "
     "or the number as 2009.0"),
    ({"relative": "onset", "unit": "years", "window": "2:2.002"},
     "--window '2:2.002': shorter than a fiftieth of a year; choose a smaller --unit (days, "
     "weeks, months)"),
    ({"relative": "onset", "unit": "days", "window": "2:2.01"},
     "--window '2:2.01': shorter than a fiftieth of a day; choose a wider window"),
    ({"relative": "onset", "annotate": ["X@2010"]},
     "--annotate 'X@2010': '2010' could be a year or 2010 years; write the date as "
     "2010-01-01, or the number as 2010.0"),
    ({"annotate": ["X@5"]}, "--annotate 'X@5': numbers need --relative; or give dates "
                            "(YYYY-MM-DD)"),
])
def test_window_and_callout_numbers_that_cannot_be_read_one_way_are_refused(table, kw,
                                                                            message):
    with pytest.raises(OptionError) as err:
        plan_timeline(table, **kw)
    assert str(err.value) == message


def test_the_shortest_windows_draw_and_a_year_written_as_a_date_is_one(table):
    fig = plot_timeline(table, relative="onset", unit="years", window="2:2.05", dpi=30)
    assert fig.axes  # a window of a few weeks in years: ticks, no crash
    plan = plan_timeline(table, relative="onset", unit="days", window="0:2009.0")
    assert (plan.x_max - plan.axis.anchor).days == 2009
    plan = plan_timeline(table, relative="onset", annotate=["X@2010-01-01", "Y@2.5"])
    assert [d for d, _ in plan.callouts] == [date(2010, 1, 1), date(2008, 11, 8)]


def test_relative_ticks_of_a_sliver_are_its_two_ends():
    from nmo_timeline.draw.axis import relative_ticks

    assert relative_ticks(1.99863, 2.00137, 5) == [1.999, 2.001]  # figures enough to differ
    assert relative_ticks(0.0, 0.001, 5) == [0.0, 0.001]  # never an empty search (a crash)
