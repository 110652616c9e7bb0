"""Swimmer plot drawing: artists at scale, labels that fit, an image baseline."""

from __future__ import annotations

import itertools

import pytest
from cohort import write_cohort
from conftest import drawn_texts
from matplotlib.collections import PolyCollection
from swimmer_series import SERIES

from nmo_timeline.draw.figure import left_out
from nmo_timeline.draw.swimmer import render_swimmer
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.swimmer import plan_swimmer


@pytest.fixture
def table():
    return read_events_text(SERIES, "s.csv")


def test_artists_are_a_handful_of_collections_at_scale(tmp_path):
    path = tmp_path / "cohort.csv"
    write_cohort(path, 3000)
    t = load_events(path)
    plan = plan_swimmer(t)
    assert 300 < len(plan.rows) < 375  # over 3 px a row at 200 dpi: bars, not dense mode
    fig = render_swimmer(plan, dpi=200)
    (ax,) = fig.axes
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    n_bars = sum(len(s.colours) for r in plan.rows for s in r.segments)
    assert len(polys) <= 12  # one per colour, not one per bar
    assert sum(len(c.get_paths()) for c in polys) == n_bars
    (relapses,) = [line for line in ax.get_lines() if line.get_gid() == "relapses"]
    assert len(relapses.get_xdata()) == int((t.events["kind"] == "relapse").sum())
    assert len(ax.get_children()) < 60
    # row labels are thinned so they cannot overlap
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [lab.get_window_extent(r) for lab in ax.get_yticklabels() if lab.get_text()]
    assert 5 < len(boxes) < len(plan.rows)
    assert not any(a.overlaps(b) for a, b in itertools.pairwise(boxes))


def test_small_cohort_shows_every_label_and_edss(table):
    fig = render_swimmer(plan_swimmer(table, title="Series"), dpi=50)
    texts = drawn_texts(fig)
    for i, (ta, a) in enumerate(texts):
        assert fig.bbox.x0 <= a.x0 and a.x1 <= fig.bbox.x1 + 1, ta  # nothing clipped
        for tb, b in texts[i + 1:]:
            assert not a.overlaps(b), (ta, tb)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P2", "P3", "P10"]
    assert sorted(t.get_text() for t in ax.texts) == ["EDSS 2", "EDSS 3", "EDSS 4.5"]


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 60},
                               filename="swimmer_small.png")
def test_baseline_small_cohort(table):
    return render_swimmer(plan_swimmer(table, align="tocilizumab", title="Aligned"))


def test_anonymized_rows_are_numbered_in_the_figure(table):
    fig = render_swimmer(plan_swimmer(table, anonymize=True), dpi=30)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["1", "2", "3"]


def test_dense_mode_one_pixel_line_per_patient(tmp_path):
    from matplotlib.collections import LineCollection

    path = tmp_path / "cohort.csv"
    write_cohort(path, 5000)  # about 600 patients: under 3 px a row on a slide at 200 dpi
    t = load_events(path)
    plan = plan_swimmer(t)
    fig = render_swimmer(plan, dpi=200)
    (ax,) = fig.axes
    (rows,) = [c for c in ax.collections if c.get_gid() == "dense-rows"]
    assert isinstance(rows, LineCollection)
    n_segments = len(plan.rows) + sum(len(r.segments) for r in plan.rows)
    assert len(rows.get_segments()) == n_segments
    assert rows.get_linewidth()[0] == pytest.approx(72 / 200)  # one pixel
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    (relapses,) = [line for line in ax.get_lines() if line.get_gid() == "relapses"]
    assert relapses.get_marker() == "|"
    assert len(relapses.get_xdata()) == int((t.events["kind"] == "relapse").sum())
    assert not [line for line in ax.get_lines() if line.get_gid() == "ongoing"]
    assert ax.get_yticklabels() == [] and not ax.texts  # no row or EDSS labels
    assert ax.get_ylabel() == f"{len(plan.rows):,} patients, one line each"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "relapse" in legend and "ongoing" not in legend


def test_legend_of_hundreds_of_therapies_is_capped_and_fits(tmp_path):
    rows = ["patient,kind,name,start,end"]
    for i in range(300):
        rows.append(f"P{i:03d},therapy,Therapy number {i:03d},2010-01-01,2010-06-30")
    t = read_events_text("\n".join(rows) + "\n", "s.csv")
    fig = render_swimmer(plan_swimmer(t), dpi=50)
    (legend,) = fig.legends
    texts = [x.get_text() for x in legend.get_texts()]
    assert len(texts) == 12 + 2 and texts[-2:] == ["relapse", "+288 more therapies"]
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).width <= fig.bbox.width
    assert fig.axes[0].get_position().y0 < fig.axes[0].get_position().y1


@pytest.mark.parametrize("labels", [
    ["Rituximab", "Azathioprine", "relapse", "ongoing"],
    [f"Therapy with a long name {i}" for i in range(12)] + ["relapse", "+5 more therapies"],
    ["add-on combination: first therapy's\ncolour, hatched in the second's", "x", "y"]])
@pytest.mark.parametrize("width_in", [3.3, 7.0, 13.2])
def test_legend_columns_from_one_measurement_match_matplotlib(labels, width_in):
    from matplotlib.patches import Patch

    from nmo_timeline.draw.figure import Style, styled_figure
    from nmo_timeline.draw.swimmer import legend_columns

    style = Style.for_canvas(13.333, 7.5)
    with styled_figure(style, (13.333, 7.5), 100) as fig:
        ncol = legend_columns(fig, labels, 12.0, width_in)
        renderer = fig.canvas.get_renderer()

        def width(n):
            legend = fig.legend([Patch() for _ in labels], labels, ncol=n, fontsize=12.0,
                                frameon=False)
            w = legend.get_window_extent(renderer).width / fig.dpi
            legend.remove()
            return w

        assert ncol == 1 or width(ncol) <= width_in + 0.01
        if ncol < len(labels):
            assert width(ncol + 1) > width_in - 0.01


@pytest.mark.parametrize("size", [(2, 1.5), (2.5, 2), (3.5, 3.2)])
def test_small_canvases_keep_every_text_on_the_canvas_and_apart(table, size):
    text = SERIES + "P4,therapy,Mycophenolate,2011-01-01,2012-06-30,\nP4,edss,,2012-06-30,,2.5\n"
    fig = render_swimmer(plan_swimmer(read_events_text(text, "s.csv")), size=size, dpi=100)
    texts = drawn_texts(fig)
    for name, bb in texts:
        assert fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1, name
        assert fig.bbox.y0 - 1 <= bb.y0 and bb.y1 <= fig.bbox.y1 + 1, name
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (ta, tb)


def _series(n: int) -> str:
    rows = ["patient,kind,name,start,end,value"]
    for i in range(n):
        rows += [f"{i:03d},relapse,ON,2010-01-01,,",
                 f"{i:03d},therapy,Rituximab,2010-02-01,{2012 + i % 5}-06-30,",
                 f"{i:03d},edss,,2012-06-30,,{1 + i % 6}.0"]
    return "\n".join(rows) + "\n"


def test_thirty_patients_on_a_slide_keep_every_id_and_edss_label_a_little_smaller():
    fig = render_swimmer(plan_swimmer(read_events_text(_series(30), "s.csv")), dpi=60)
    (ax,) = fig.axes
    ids = [t for t in ax.get_yticklabels() if t.get_text()]
    edss = [t for t in ax.texts if t.get_gid() == "edss-label"]
    assert len(ids) == 30 and len(edss) == 30
    assert ids[0].get_fontsize() < 12  # under the usual 0.8 of the slide's 15 pt
    assert left_out(fig) == ""
    texts = drawn_texts(fig)
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (ta, tb)


def test_rows_too_thin_for_every_id_are_labelled_every_other_and_the_figure_says_so():
    fig = render_swimmer(plan_swimmer(read_events_text(_series(30), "s.csv")),
                         size=(3.5, 3.2), dpi=100)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels() if t.get_text()] == [
        f"{i:03d}" for i in range(0, 30, 2)]
    assert not [t for t in ax.texts if t.get_gid() == "edss-label"]
    assert left_out(fig) == ("15 of 30 patient IDs are not written (every other row is "
                             "labelled) and 30 last EDSS labels are left out; a larger --size "
                             "writes them")
