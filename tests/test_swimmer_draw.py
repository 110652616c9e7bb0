"""Swimmer plot drawing: artists at scale, labels that fit, an image baseline."""

from __future__ import annotations

import itertools

import pytest
from cohort import write_cohort
from conftest import drawn_texts
from matplotlib.collections import PolyCollection
from swimmer_series import SERIES

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
    fig = render_swimmer(plan, dpi=50)
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
