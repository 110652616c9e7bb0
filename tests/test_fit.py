"""Fitting the figure to its canvas: margins from measured labels, collisions resolved,
legible text on bars. Artist-level: each test fails if its mechanism is switched off."""

from __future__ import annotations

import itertools

import pytest
from conftest import drawn_texts
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from nmo_timeline import plot_timeline, read_events_text
from nmo_timeline.draw.figure import Style, left_out, styled_figure
from nmo_timeline.draw.fit import fit_layout, resolve_collisions
from nmo_timeline.plan.options import SIZES

# monthly lab values in a ten-year course, and two callouts nine days apart: labels crowd
CROWDED = "\n".join(
    ["kind,name,start,end,value,unit", "relapse,ON,2005-01-10,,,",
     "therapy,Azathioprine,2005-02-01,2014-12-31,150,mg", "edss,,2005-01-10,,3.0,"]
    + [f"lab,CSF IL-6,2010-{m:02d}-01,,{10 + m * 3.5},pg/mL" for m in range(1, 11)]) + "\n"
CALLOUTS = ["Switch planned@2010-03-01", "Pregnancy@2010-03-10"]

# dark and light bars, each with a dose long enough to be written on it
BARS = """kind,name,start,end,value,unit,detail
therapy,Rituximab,2008-01-01,2009-12-31,1000,mg,every 6 months
therapy,Inebilizumab,2010-01-01,2011-12-31,300,mg,every 6 months
therapy,Azathioprine,2012-01-01,2014-06-30,150,mg,daily
therapy,Tocilizumab,2014-07-01,ongoing,8,mg/kg,every 4 weeks
relapse,ON,2009-05-01,,,,
edss,,2016-06-01,,3.5,,
"""


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    texts = drawn_texts(fig)
    return [(a, b) for (a, x), (b, y) in itertools.combinations(texts, 2) if x.overlaps(y)]


def test_optional_labels_that_would_collide_are_hidden_named_and_the_rest_kept():
    fig = plot_timeline(read_events_text(CROWDED, "c.csv"), dpi=50, annotate=CALLOUTS)
    values = [t for t in fig.findobj()
              if (getattr(t, "get_gid", lambda: "")() or "").startswith("lab-value:")]
    hidden = [t.get_text() for t in values if not t.get_visible()]
    assert len(hidden) >= 3  # monthly values in a ten-year course cannot all be written
    assert overlaps(fig) == []
    assert left_out(fig).startswith(f"{len(hidden)} labels did not fit and are not drawn: "
                                    f"{len(hidden)} lab values")
    lanes = [t.get_text() for ax in fig.axes if ax.get_gid() == "panel:therapy"
             for t in ax.get_yticklabels()]
    assert lanes == ["Azathioprine"]  # fixed texts are never hidden


def test_callouts_close_together_take_rows_and_the_ones_without_room_are_named():
    fig = plot_timeline(read_events_text(CROWDED, "c.csv"), dpi=50, annotate=CALLOUTS)
    callouts = [t for t in fig.findobj() if getattr(t, "get_gid", lambda: "")() == "callout"]
    assert sorted(t.get_text() for t in callouts if t.get_visible()) == [
        "Pregnancy", "Switch planned"]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    first, second = sorted(callouts, key=lambda t: t.get_text())
    assert first.get_window_extent(r).y1 < second.get_window_extent(r).y0 + 1  # stacked
    many = [f"Callout number {i}@2010-03-{i + 1:02d}" for i in range(8)]
    crowded = plot_timeline(read_events_text(CROWDED, "c.csv"), dpi=50, annotate=many,
                            size=SIZES["column"])
    shown = [t for t in crowded.findobj() if getattr(t, "get_gid", lambda: "")() == "callout"
             and t.get_visible()]
    assert 1 <= len(shown) < 8
    assert f"{8 - len(shown)} callouts (Callout number" in left_out(crowded)
    assert overlaps(crowded) == []


def test_resolving_collisions_on_a_figure_made_elsewhere():
    with styled_figure(Style.for_canvas(6, 4), (6, 4), 50) as fig:
        ax = fig.add_subplot()
        ax.set_xlim(0, 10)
        keep = ax.text(5, 0.5, "fixed label")
        first = ax.annotate("first", (5, 0.5), gid="callout")
        second = ax.annotate("second", (5, 0.5), gid="lab-value")
        outside = ax.annotate("far away", (50, 0.5), gid="bar-label")
    hidden = resolve_collisions(fig)
    assert keep.get_visible() and first.get_visible()
    assert second in hidden and outside in hidden
    assert not second.get_visible() and not outside.get_visible()


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, written out here as an independent oracle."""
    def lum(h: str) -> float:
        lin = [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
               for c in (int(h[i : i + 2], 16) / 255 for i in (1, 3, 5))]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    la, lb = sorted((lum(a), lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_on_bars_is_the_more_legible_of_white_and_ink(theme):
    fig = plot_timeline(read_events_text(BARS, "b.csv"), theme=theme, dpi=50)
    (ax,) = [a for a in fig.axes if a.get_gid() == "panel:therapy"]
    fig.canvas.draw()
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("bar-label:")
              and t.get_visible()]
    assert len(labels) == 4
    faces = []
    for label in labels:
        x, y = label.xy
        (bar,) = [c for c in ax.collections if (c.get_gid() or "").startswith("bars:")
                  and any(p.contains_point((x + 1, y)) for p in c.get_paths())]
        face = to_hex(bar.get_facecolor()[0])
        text = to_hex(label.get_color())
        other = "#1a1a1a" if text == "#ffffff" else "#ffffff"
        assert contrast(text, face) >= contrast(other, face), (label.get_text(), face, text)
        faces.append(face)
    assert {contrast(f, "#ffffff") > 4.5 for f in faces} == {True, False}  # dark, light


def test_margins_fit_the_longest_lane_label():
    wide = read_events_text("kind,name,start\ntherapy,Rituximab biosimilar 375 mg/m2,2011-01-01\n"
                            "therapy,AZA,2012-01-01\n", "w.csv")
    fig = plot_timeline(wide, dpi=50)
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    (ax,) = [a for a in fig.axes if a.get_gid() == "panel:therapy"]
    label = max((t for t in ax.get_yticklabels() if t.get_text()),
                key=lambda t: t.get_window_extent(r).width)
    assert label.get_window_extent(r).x0 >= fig.bbox.x0  # inside the canvas
    assert label.get_window_extent(r).x1 <= ax.get_window_extent(r).x0  # left of the axes


def test_a_long_title_is_wrapped_to_the_canvas():
    with styled_figure(Style.for_canvas(*SIZES["column"]), SIZES["column"], 72) as fig:
        ax = fig.add_subplot()
        title = fig.suptitle("A very long title " * 6)
        fit_layout(fig, [ax], title=title)
    fig.canvas.draw()
    bb = title.get_window_extent(fig.canvas.get_renderer())
    assert "\n" in title.get_text()
    assert bb.x0 >= 0 and bb.x1 <= fig.bbox.x1


def test_the_legend_takes_as_many_columns_as_fit():
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", label=f"entry number {i}") for i in range(8)]
    made = {}
    for size in ("slide", "column"):
        w, h = SIZES[size]
        with styled_figure(Style.for_canvas(w, h), (w, h), 72) as fig:
            ax = fig.add_subplot()

            def legend(ncol: int, fig: Figure = fig) -> object:
                return fig.legend(handles=handles, loc="lower center", ncol=ncol)

            fit_layout(fig, [ax], legend=legend, legend_entries=len(handles))
        (made[size],) = fig.legends
        fig.canvas.draw()
        bb = made[size].get_window_extent(fig.canvas.get_renderer())
        assert bb.x0 >= 0 and bb.x1 <= fig.bbox.x1, size
        assert bb.y1 <= ax.get_window_extent(fig.canvas.get_renderer()).y0, size  # below
    assert made["slide"]._ncols > made["column"]._ncols


def test_names_cut_short_on_the_figure_are_given_in_full_every_one():
    from nmo_timeline.draw.labels import left_out_note

    names = [f"Agent {i} given as a very long protocol name of many words, {i * 11} mg"
             for i in range(5)]
    note = left_out_note([("full lane name", n) for n in names] + [("dose", n) for n in names])
    lanes, doses = note.split(": ", 1)[1].split("; ")[:2]
    assert lanes == f"5 full lane names ({', '.join(names)})"  # whole, and all five
    assert doses.startswith("5 doses (Agent 0 given as a very long protocol n…, ")
    assert doses.endswith(", ...)")  # other labels: three, shortened


def test_a_lab_key_entry_cut_short_is_named_in_full():
    text = ("kind,name,start,end,value,unit\n"
            + "".join(f"therapy,Drug {i},2012-0{i + 1}-01,2012-0{i + 1}-20,1,mg\n"
                      for i in range(5))
            + "".join(f"lab,{name},2012-0{m}-01,,{v},{unit}\n"
                      for name, unit in [("CH50 complement activity assay", "U/mL"),
                                         ("IgG", "g/L"), ("CSF IL-6", "pg/mL"),
                                         ("Sodium", "mmol/L")]
                      for m, v in [(1, 48), (6, 30)])
            + "relapse,ON,2012-01-01,,,\nedss,,2012-01-01,,3.0,\nmri,brain,2012-02-01,,0,\n")
    fig = plot_timeline(read_events_text(text, "k.csv"), size=(3.5, 3.2), dpi=72)
    (ax,) = [a for a in fig.axes if a.get_gid() == "panel:lab:*"]
    entry = ax.get_legend().get_texts()[0].get_text()
    assert entry.endswith("…")  # the case this is about
    assert "1 full lab name (CH50 complement activity assay (max 48 U/mL))" in left_out(fig)


def test_long_lane_names_are_shortened_with_a_mark_and_given_in_full_as_footnotes():
    tail = " secondo il protocollo concordato con il centro di riferimento regionale"
    names = ["Rituximab biosimilare (Truxima) secondo protocollo di mantenimento guidato da "
             "CD27+" + tail,
             "Satralizumab (Enspryng) 120 mg sottocute settimane 0-2-4 poi ogni quattro "
             "settimane" + tail]
    text = ("kind,name,start,end,value,unit\n"
            + "".join(f"therapy,{n},201{i}-01-01,201{i}-06-30,1,mg\n"
                      for i, n in enumerate(names))
            + "edss,,2010-01-01,,3.0,\n")  # no legend: room for the footnotes
    fig = plot_timeline(read_events_text(text, "f.csv"), dpi=50)
    (lanes,) = [a for a in fig.axes if a.get_gid() == "panel:therapy"]
    labels = [t.get_text() for t in lanes.get_yticklabels()]
    assert {label[-1] for label in labels} == {"¹", "²"}
    assert all("…" in label for label in labels)
    (foot,) = [t for t in fig.texts if t.get_gid() == "footnote"]
    flat = foot.get_text().replace("\n", " ")
    for label in labels:  # each mark with its full name, never broken from it
        name = next(n for n in names if n.startswith(label.replace("\n", " ")[:20]))
        assert f"{label[-1]}\u00a0{name}" in flat
    assert overlaps(fig) == []
