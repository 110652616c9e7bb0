"""The pathways sunburst, at the artist level: wedges, labels, colours, layout."""

from __future__ import annotations

import itertools
import math

import pytest
from conftest import drawn_texts
from matplotlib.colors import to_hex
from matplotlib.path import Path as MplPath
from registry import write_registry
from test_pathways import SERIES

from nmo_timeline.domain.colours import KNOWN
from nmo_timeline.draw.pathways import render_pathways, wedge_labels
from nmo_timeline.draw.swimmer import render_swimmer
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.pathways import NO_THERAPY, RARE, plan_pathways
from nmo_timeline.plan.swimmer import plan_swimmer


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg") / "registry.csv"
    write_registry(path, 300)
    return load_events(path)


@pytest.fixture
def table():
    return read_events_text(SERIES, "s.csv")


def wedge_collections(fig):
    return [c for c in fig.axes[0].collections if (c.get_gid() or "").startswith("wedges:")]


def label_corners(fig):
    """Each wedge label's box as drawn (turned with the text), in pixels."""
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.axes[0].texts:
        if not (t.get_gid() or "").startswith("wedge-label:"):
            continue
        rotation = t.get_rotation()
        centre = t.get_window_extent(renderer)
        t.set_rotation(0)
        bb = t.get_window_extent(renderer)
        t.set_rotation(rotation)
        c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
        cx, cy = (centre.x0 + centre.x1) / 2, (centre.y0 + centre.y1) / 2
        hw, hh = bb.width / 2, bb.height / 2
        out.append((t.get_text(), [(cx + x * c - y * s, cy + x * s + y * c)
                                   for x, y in ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))]))
    return out


def test_one_wedge_per_plan_wedge_in_few_artists(registry):
    plan = plan_pathways(registry)
    fig = render_pathways(plan, dpi=60)
    collections = wedge_collections(fig)
    assert sum(len(c.get_paths()) for c in collections) == len(plan.wedges) > 100
    assert len(collections) < 40  # grouped by ring and paint, not one artist per wedge
    assert {int(c.get_gid().split(":")[1]) for c in collections} == {1, 2, 3, 4}
    labelled, left_out = wedge_labels(fig)
    assert labelled + left_out == len(plan.wedges) and labelled >= 3


@pytest.mark.parametrize("size", [(13.333, 7.5), (3.5, 3.2)])
@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_labels_never_overlap_and_stay_on_the_canvas(registry, size, theme):
    plan = plan_pathways(registry, title="Registry")
    fig = render_pathways(plan, size=size, dpi=100, theme=theme)
    texts = drawn_texts(fig)
    for text, bb in texts:
        assert fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1, text
        assert fig.bbox.y0 - 1 <= bb.y0 and bb.y1 <= fig.bbox.y1 + 1, text
    labels = label_corners(fig)
    ax = fig.axes[0]
    (cx, cy), (rx, _) = ax.transData.transform([(0, 0), (1, 0)])  # the circle, in pixels
    hole = min(w.inner for w in plan.wedges) * (rx - cx)
    for text, corners in labels:  # inside the circle, clear of the hole
        assert all(hole - 1 <= math.hypot(x - cx, y - cy) <= rx - cx + 1
                   for x, y in corners), text
    for (ta, a), (tb, b) in itertools.combinations(labels, 2):
        assert not MplPath(a).intersects_path(MplPath(b), filled=True), (ta, tb)
    fixed = [(t, bb) for t, bb in texts if t not in {text for text, _ in labels}]
    for (ta, a), (tb, b) in itertools.combinations(fixed, 2):
        assert not a.overlaps(b), (ta, tb)
    # the legend and caption stay clear of the circle
    ax = fig.axes[0].get_window_extent()
    for legend in fig.legends:
        assert not legend.get_window_extent().overlaps(ax)


def test_small_series_wedges_and_labels(table):
    plan = plan_pathways(table)
    ring1 = [(w.regimen, w.patients) for w in plan.wedges if w.ring == 1]
    assert ring1 == [("Azathioprine", 2), ("Rituximab", 2), ("Tocilizumab", 1),
                     ("no maintenance therapy", 1)]
    assert plan.wedges[-1].kind == NO_THERAPY
    # named as in the legend where it fits, "no therapy" only where that is all that fits
    assert plan.wedges[-1].labels[:2] == ("no maintenance therapy\n17%",
                                          "no maintenance therapy 17%")
    assert plan.wedges[-1].labels[-3:] == ("no therapy\n17%", "no therapy 17%", "no\ntherapy\n17%")
    fig = render_pathways(plan, dpi=60)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "6\npatients" in texts
    assert "Azathioprine\n33%" in texts or "Azathioprine 33%" in texts


def test_colours_are_those_of_the_swimmer(table):
    fig = render_pathways(plan_pathways(table), dpi=40)
    faces = {to_hex(f).upper() for c in wedge_collections(fig) for f in c.get_facecolor()}
    for key in ("azathioprine", "rituximab", "tocilizumab", "mycophenolate"):
        assert KNOWN[key] in faces
    # the add-on combination: azathioprine's colour, hatched in tocilizumab's
    (combo,) = [c for c in wedge_collections(fig) if c.get_hatch()]
    assert to_hex(combo.get_facecolor()[0]).upper() == KNOWN["azathioprine"]
    assert to_hex(combo.get_hatchcolor()).upper() == KNOWN["tocilizumab"]
    # print: the same grey for a therapy as in the swimmer
    swim = render_swimmer(plan_swimmer(read_events_text(SERIES, "s.csv")), dpi=40,
                          theme="print")
    swim_greys = {c.get_gid()[len("bars:"):] for c in swim.axes[0].collections
                  if (c.get_gid() or "").startswith("bars:")}
    pw = render_pathways(plan_pathways(table, depth=5), dpi=40, theme="print")  # eculizumab
    greys = {to_hex(f).upper() for c in wedge_collections(pw) for f in c.get_facecolor()}
    assert swim_greys <= greys


def test_rare_pathways_are_one_hatched_other_wedge_in_print(registry):
    plan = plan_pathways(registry, min_patients=10)
    rare = [w for w in plan.wedges if w.kind == RARE]
    assert rare and all(w.patients > 0 for w in rare)
    assert all(w.patients >= 10 for w in plan.wedges if w.kind != RARE)
    # each ring accounts for every patient who reached that line
    for ring in (1, 2):
        reached = sum(1 for seq, n in plan.pathways.counts.items() for _ in range(n)
                      if len(seq) >= ring)
        if ring == 1:
            reached = plan.patients
        assert sum(w.patients for w in plan.wedges if w.ring == ring) == reached
    fig = render_pathways(plan, dpi=40, theme="print")
    hatched = [c for c in wedge_collections(fig) if c.get_hatch() == "xx"]
    assert hatched
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "other: continued by fewer\nthan 10 patients each" in legend_texts


@pytest.mark.parametrize("size", [(2, 1.5), (2.5, 2), (3, 2)])
def test_smallest_canvases_keep_the_legend_on_the_canvas(registry, size):
    fig = render_pathways(plan_pathways(registry), size=size, dpi=100)
    for text, bb in drawn_texts(fig):
        assert fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1, text
        assert fig.bbox.y0 - 1 <= bb.y0 and bb.y1 <= fig.bbox.y1 + 1, text
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.startswith("+") and t.endswith(" more therapies") for t in legend)


def test_thin_wedges_have_no_edge_to_vanish_under(registry):
    fig = render_pathways(plan_pathways(registry), dpi=60)
    ring1 = next(c for c in wedge_collections(fig) if c.get_gid() == "wedges:1")
    assert all(w > 0 for w in ring1.get_linewidths())  # wide wedges, parted by edges
    rows = ["patient,kind,name,start,end"]
    rows += [f"P{i},therapy,Drug {i},2010-01-01,2010-06-30" for i in range(600)]
    many = render_pathways(plan_pathways(read_events_text("\n".join(rows) + "\n", "s.csv")),
                           dpi=60)
    (thin,) = wedge_collections(many)  # 600 wedges of 0.6 degrees: an edge would hide them
    assert len(thin.get_paths()) == 600 and set(thin.get_linewidths()) == {0.0}
