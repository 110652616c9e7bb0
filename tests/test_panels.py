"""What the panels draw on crowded records: text within its mark, marks apart, the most
informative labels kept and the others named.  Artist-level (found by gid); each test
fails if its mechanism is switched off."""

from __future__ import annotations

import itertools
from datetime import date

from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from nmo_timeline import load_events, plot_timeline, read_events_text
from nmo_timeline.draw.figure import left_out
from nmo_timeline.draw.labels import LAB_KEY_TITLE
from nmo_timeline.draw.themes import ACUTE_HATCH, THEMES


def table(text: str):
    return read_events_text(text, "t.csv")


def axes(fig: Figure, gid: str):
    return next(a for a in fig.axes if a.get_gid() == gid)


def visible(fig: Figure, prefix: str) -> list[Text]:
    return [t for t in fig.findobj(Text)
            if (t.get_gid() or "").startswith(prefix) and t.get_visible() and t.get_text()]


# -- bar labels ---------------------------------------------------------------------------

def dense_lanes(n: int) -> str:
    rows = ["kind,name,start,end,value,unit,detail", "relapse,TM,2012-01-01,,,,",
            "edss,,2012-01-01,,4.0,,"]
    rows += [f"therapy,Drug {i:02d},2012-{1 + i % 12:02d}-01,2021-12-31,100,mg,every day"
             for i in range(n)]
    return "\n".join(rows) + "\n"


def test_bar_text_is_never_taller_than_its_bar():
    for lanes, size in ((4, (13.333, 7.5)), (24, (13.333, 7.5)), (24, (10, 7.5))):
        fig = plot_timeline(table(dense_lanes(lanes)), size=size, dpi=72)
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        ax = axes(fig, "panel:therapy")
        bar_px = ax.get_window_extent(r).height / lanes * 0.62
        labels = visible(fig, "bar-label")
        if lanes == 4:
            assert labels  # room enough: doses are written
        for t in labels:
            assert t.get_window_extent(r).height <= bar_px * 1.02, (lanes, t.get_text())


def test_doses_too_tall_for_thin_bars_are_named_not_drawn():
    fig = plot_timeline(table(dense_lanes(40)), size=(13.333, 7.5), dpi=72)
    assert visible(fig, "bar-label") == []
    assert "40 doses (Drug 00, Drug 12, Drug 24, ...)" in left_out(fig)


# -- print hatches ------------------------------------------------------------------------

def test_print_hatches_of_maintenance_lanes_never_look_like_the_acute_hatch():
    lanes = [("#0072B2", i % 3 == 0) for i in range(12)]  # acute lanes among them
    paints = THEMES["print"].lane_paints(lanes)
    hatches = [p.maintenance.hatch for p, (_, acute) in zip(paints, lanes, strict=True)
               if not acute]
    assert all("/" not in h and "\\" not in h for h in hatches), hatches
    assert len(set(hatches)) == len(hatches)  # eight lanes, a hatch each
    assert {p.acute.hatch for p in paints} == {ACUTE_HATCH}


# -- period ARRs --------------------------------------------------------------------------

# a long period with relapses between short ones: its rate is the one a reader needs
PERIODS = """kind,name,start,end,value,unit
relapse,ON,2010-01-05,,,
therapy,Rituximab,2010-01-10,2010-01-30,1000,mg
therapy,Azathioprine,2010-02-01,2013-12-31,150,mg
relapse,TM,2011-06-01,,,
relapse,ON,2012-06-01,,,
therapy,Interferon beta,2014-01-01,2014-01-20,44,ug
therapy,Mycophenolate mofetil,2014-01-21,2014-02-10,2000,mg
therapy,Tocilizumab,2014-02-11,2016-12-31,8,mg/kg
edss,,2016-12-01,,3.0,
"""


def test_the_longest_periods_keep_their_arr_and_period_texts_never_touch():
    fig = plot_timeline(table(PERIODS), arr=True, size="column", dpi=150)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    texts = visible(fig, "period-arr")
    shown = [t.get_text() for t in texts]
    assert any(s.endswith("0.51") for s in shown), shown  # azathioprine: 2 in 3.92 years
    assert any(s.endswith("0.00") for s in shown), shown  # tocilizumab
    gap = 2.0 / 72 * fig.dpi
    boxes = sorted((t.get_window_extent(r) for t in texts), key=lambda b: b.x0)
    for a, b in itertools.pairwise(boxes):
        assert b.x0 - a.x1 >= gap * 0.99
    # an ARR that does not fit is named; a period too short for one loses only its dash
    from nmo_timeline.plan.timeline import plan_timeline

    rates = [b for b in plan_timeline(table(PERIODS), arr=True).periods if b.arr is not None]
    missing = len(rates) - len([s for s in shown if not s.endswith("–")])
    assert (f"{missing} period ARR" in left_out(fig)) if missing else (
        "period ARR" not in left_out(fig))  # the four short periods' dashes are not named


# -- lab panels ---------------------------------------------------------------------------

LABS = "\n".join(
    ["kind,name,start,end,value,unit", "relapse,TM,2010-01-01,,,", "edss,,2010-01-01,,4.0,",
     "therapy,Rituximab,2010-02-01,2010-02-15,1000,mg",
     "therapy,Tocilizumab,2011-01-01,ongoing,8,mg/kg"]
    + [f"lab,IgG,{2010 + i}-03-01,,{v},g/L" for i, v in enumerate((11.8, 9.4, 7.2))]
    + [f"lab,CSF IL-6,{2010 + i}-04-01,,{v},pg/mL" for i, v in enumerate((210, 12, 4.2))]
    + [f"lab,CD19 B cells,{2010 + i}-05-01,,{v},cells/uL" for i, v in enumerate((312, 0, 96))]
    + [f"lab,AQP4-IgG titre,{2010 + i}-06-01,,{v},1:x" for i, v in enumerate((1000, 320, 10))]
) + "\n"


def test_compact_lab_strips_keep_every_marker_whole_and_write_or_name_each_value():
    fig = plot_timeline(table(LABS), dpi=72)  # a slide: four strips, compact
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    labs = [a for a in fig.axes if (a.get_gid() or "").startswith("panel:lab")]
    assert len(labs) == 4
    for ax in labs:
        box = ax.get_window_extent(r)
        (line,) = [ln for ln in ax.get_lines() if (ln.get_gid() or "").startswith("lab:")]
        half = line.get_markersize() / 2 / 72 * fig.dpi
        for _, y in ax.transData.transform(line.get_xydata()):
            assert box.y0 + half * 0.9 <= y <= box.y1 - half * 0.9, ax.get_gid()
    values = [t for t in fig.findobj(Text) if (t.get_gid() or "").startswith("lab-value:")]
    assert len(values) == 12
    hidden = [t for t in values if not t.get_visible()]
    assert len(hidden) < 12  # most values are written
    if hidden:
        assert f"{len(hidden)} lab value" in left_out(fig)


def test_merged_labs_name_every_analyte_and_its_highest_value():
    pulses = "".join(f"therapy,Drug {i},2012-0{i + 1}-01,2012-0{i + 1}-20,1,mg\n"
                     for i in range(4))  # six lanes: no room for a strip per analyte
    fig = plot_timeline(table(LABS + pulses), size="column", dpi=150)
    ax = axes(fig, "panel:lab:*")
    key = ax.get_legend()
    assert key is not None and key.get_title().get_text() == LAB_KEY_TITLE
    names = [t.get_text().replace("\n", " ") for t in key.get_texts()]
    assert names == ["IgG (max 11.8 g/L)", "CSF IL-6 (max 210 pg/mL)",
                     "CD19 B cells (max 312 cells/uL)", "AQP4-IgG titre (max 1:1000)"]
    # the key's samples are the panel's lines, one style each
    styles = {(h.get_marker(), h.get_linestyle()) for h in key.legend_handles
              if isinstance(h, Line2D)}
    assert len(styles) == 4
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert key.get_window_extent(r).x1 <= ax.get_window_extent(r).x0  # left of the panel
    assert key.get_window_extent(r).x0 >= 0  # and on the canvas

    centre = (key.get_window_extent(r).y0 + key.get_window_extent(r).y1) / 2
    box = ax.get_window_extent(r)
    assert abs(centre - (box.y0 + box.y1) / 2) < 2  # a key the panel holds sits at its middle


def test_a_merged_lab_key_taller_than_its_panel_hangs_from_its_top_into_the_axis_band():
    text = ("kind,name,start,end,value,unit\n"
            + "".join(f"therapy,Drug {i},1980-01-01,,,mg\n" for i in range(5))
            + "relapse,ON,1980-01-01,,,\nedss,,1980-01-01,,1.0,\nmri,brain,1980-01-01,,0,\n"
            "lab,CSF IL-6,1980-01-01,,10,pg/mL\nlab,CD19 B cells,1980-01-01,,10,cells/uL\n"
            "lab,Sodium,1980-01-01,,10,mmol/L\nlab,AQP4-IgG titre,1980-01-03,,10,1:x\n")
    fig = plot_timeline(table(text), size=(3.5, 3.2), arr=True, dpi=100)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ax = axes(fig, "panel:lab:*")
    key, box = ax.get_legend().get_window_extent(r), ax.get_window_extent(r)
    assert key.height > box.height  # the case this is about
    assert abs(key.y1 - box.y1) < 2  # hangs from the panel's top
    ticks = [t.get_window_extent(r) for t in ax.get_xticklabels() if t.get_text()]
    legend = fig.legends[0].get_window_extent(r)
    assert key.y0 > legend.y1  # into the axis band, not onto the legend under it
    assert all(key.x1 < t.x0 for t in ticks if t.y1 > key.y0)  # and beside the tick labels


# -- markers ------------------------------------------------------------------------------

def test_relapses_days_apart_are_dodged_and_far_ones_stay_on_the_line():
    text = ("kind,name,start,end,value,unit\nrelapse,ON,2020-06-15,,,\n"
            "relapse,TM,2020-06-25,,,\nrelapse,ON,2015-01-01,,,\n"
            "therapy,Rituximab,2015-02-01,2021-01-01,1000,mg\nedss,,2015-01-01,,3.0,\n")
    fig = plot_timeline(table(text), dpi=72)
    ax = axes(fig, "panel:relapse")
    ys = {}
    for line in ax.get_lines():
        if (line.get_gid() or "").startswith("relapse:"):
            for x, y in line.get_xydata():
                ys[round(x)] = y
    near = [y for x, y in sorted(ys.items())][1:]
    far = sorted(ys.items())[0][1]
    assert far == 0.0
    assert near[0] != near[1]
    fig.canvas.draw()
    points = [ax.transData.transform((x, y)) for x, y in sorted(ys.items())[1:]]
    ms = 15 * 0.75 / 72 * fig.dpi  # at most this wide
    (ax0, ay0), (ax1, ay1) = points
    assert abs(ay1 - ay0) >= ms * 0.9 or abs(ax1 - ax0) >= ms  # apart in one direction



def test_a_row_with_marks_to_dodge_is_tall_enough_to_hold_them():
    from nmo_timeline.draw.panels import crowded

    assert crowded([date(2013, 9, 10), date(2013, 9, 24)], 20.0)
    assert not crowded([date(2013, 9, 10), date(2013, 10, 24)], 20.0)
    text = ("kind,name,start,end,value,unit\nrelapse,TM,2013-09-10,,,\n"
            "relapse,APS,2013-09-24,,,\nrelapse,ON,2012-03-01,,,\n"
            "mri,spinal,2013-09-11,,2,\nmri,brain,2013-09-25,,0,\n"
            "therapy,Rituximab,2012-04-01,2017-10-01,1000,mg\nedss,,2012-04-01,,3.0,\n")
    fig = plot_timeline(table(text), dpi=72)  # a slide: marks 0.16 in wide, 14 days 0.07 in
    ms = 15 * 0.75 / 72  # inches
    for gid in ("panel:relapse", "panel:mri"):
        ax = axes(fig, gid)
        assert ax.get_position().height * 7.5 >= 3.2 * ms - 1e-6  # a mark above and below
    fig.canvas.draw()
    for gid in ("panel:relapse", "panel:mri"):  # every mark inside its own row
        ax = axes(fig, gid)
        box = ax.get_window_extent()
        for line in ax.get_lines():
            for x, y in line.get_xydata():
                _, py = ax.transData.transform((x, y))
                half = line.get_markersize() / 2 * fig.dpi / 72
                assert box.y0 - 1 <= py - half and py + half <= box.y1 + 1

def test_a_short_period_does_not_crowd_out_the_label_of_its_longer_neighbour():
    text = """kind,name,start,end,value,unit
relapse,ON,2019-01-01,,,
therapy,Rituximab,2019-01-10,2019-01-20,1000,mg
therapy,Azathioprine,2019-01-21,2019-09-20,150,mg
relapse,TM,2019-06-01,,,
therapy,Tocilizumab,2019-09-21,2021-12-31,8,mg/kg
edss,,2021-12-01,,3.0,
"""
    fig = plot_timeline(table(text), arr=True, size="column", dpi=150)
    shown = [t.get_text() for t in visible(fig, "period-arr")]
    assert "ARR 1.50" in shown  # azathioprine, 8 months: the words "ARR" kept
    # 10 and 9 days: no ARR, and no room for their dash a space from "ARR 1.50": a dash
    # is no rate, so nothing is said to be left out
    assert "–" not in shown and "period ARR" not in left_out(fig)



def test_numbers_spilling_out_of_short_periods_keep_a_space_from_their_neighbours(tmp_path):
    # short periods side by side write "0.00" each; one that spills out of its band must
    # not touch the next, or the two read as "0.000.00" (large text: a style file's scale)
    from pathlib import Path

    from nmo_timeline.plan.style import load_style

    style = tmp_path / "big.toml"
    style.write_text("[font]\nscale = 1.6\n")
    corpus = Path(__file__).parent / "corpus" / "addon_aza_tocilizumab.csv"
    fig = plot_timeline(load_events(corpus), arr=True, style=load_style(style), dpi=100)
    fig.canvas.draw()
    texts = sorted(visible(fig, "period-arr"), key=lambda t: t.get_window_extent().x0)
    size_px = texts[0].get_fontsize() * 100 / 72
    for a, b in itertools.pairwise(texts):
        gap = b.get_window_extent().x0 - a.get_window_extent().x1
        assert gap >= 0.4 * size_px, (a.get_text(), b.get_text())

def test_fallback_fonts_are_tried_only_for_text_that_needs_them():
    from nmo_timeline.draw.figure import Style

    latin = Style.for_canvas(13.333, 7.5, texts=["Rituximab", "Interféron β-1a", "µg/mL"])
    assert latin.families == ["DejaVu Sans"]  # no CJK font opened for these
    cjk = Style.for_canvas(13.333, 7.5, texts=["Rituximab", "血漿交換 (PE)"])
    assert cjk.fallback and cjk.families[0] == "DejaVu Sans"
    assert Style.for_canvas(13.333, 7.5).fallback  # texts unknown: always tried


def test_a_lab_whose_values_sit_far_from_zero_gets_an_axis_that_shows_the_change():
    base = ("kind,name,start,end,value,unit\nrelapse,APS,2021-11-15,,,\n"
            "edss,,2021-11-15,,2.0,\n")
    sodium = "".join(f"lab,serum sodium,2021-11-{15 + i},,{v},mmol/L\n"
                     for i, v in enumerate((129, 132, 136)))
    fig = plot_timeline(table(base + sodium), dpi=72)
    lo, hi = axes(fig, "panel:lab:serum sodium").get_ylim()
    assert 100 <= lo < 129 and hi > 136
    with_zero = sodium.replace(",129,", ",0,")  # a zero keeps the axis at zero
    fig = plot_timeline(table(base + with_zero), dpi=72)
    assert axes(fig, "panel:lab:serum sodium").get_ylim()[0] == 0


def test_a_date_known_to_the_month_or_year_spans_it_and_the_legend_says_so():
    from datetime import date

    from nmo_timeline import plan_timeline

    text = ("kind,name,start,end,value,unit\nrelapse,ON,1998,,,\nrelapse,TM,2001-02,,,\n"
            "relapse,ON,2003-05-06,,,\nmri,brain,2002,,0,\n"
            "therapy,Azathioprine,2001-05-01,2004-01-01,100,mg\n")
    plan = plan_timeline(table(text))
    assert [(m.day, m.until) for m in plan.relapses] == [
        (date(1998, 1, 1), date(1998, 12, 31)), (date(2001, 2, 1), date(2001, 2, 28)),
        (date(2003, 5, 6), None)]
    assert plan.mri[0].until == date(2002, 12, 31)
    assert plan.legend[-1].label == "date known to the month or year"
    fig = plot_timeline(table(text), dpi=40)
    (spans,) = [c for c in axes(fig, "panel:relapse").collections
                if c.get_gid() == "known-until:relapse"]
    assert len(spans.get_segments()) == 2  # the full date has none
    full = text.replace("1998,", "1998-03-01,").replace("2001-02,", "2001-02-02,").replace(
        "2002,", "2002-01-01,")
    assert "date known" not in [e.label for e in plan_timeline(table(full)).legend][-1]


def test_secondary_text_keeps_a_contrast_of_4_5_on_every_theme():
    from nmo_timeline.draw.themes import THEMES, contrast

    for theme in THEMES.values():
        assert contrast(theme.muted, theme.paper) >= 4.5, theme.name
        fig = plot_timeline(table(PERIODS), relative="onset", theme=theme.name, dpi=40)
        (row,) = [a for a in fig.findobj() if getattr(a, "get_gid", lambda: "")() ==
                  "calendar-row"]
        fig.canvas.draw()
        colours = {to_hex(t.get_color()) for t in row.xaxis.get_ticklabels() if t.get_text()}
        assert colours == {theme.muted.lower()}, theme.name
