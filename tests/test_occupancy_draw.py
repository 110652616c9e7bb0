"""The occupancy chart, at the plan and artist level: layers, at-risk row, colours, layout."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import drawn_texts
from matplotlib.colors import to_hex
from registry import write_registry
from test_occupancy import SERIES

from nmo_timeline.domain.colours import KNOWN, UNTREATED
from nmo_timeline.draw.figure import left_out
from nmo_timeline.draw.occupancy import areas, render_occupancy
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.occupancy import LEGEND_MAX, plan_occupancy


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("reg") / "registry.csv"
    write_registry(path, 300)
    return load_events(path)


def test_layers_stack_to_everyone_at_risk(registry):
    plan = plan_occupancy(registry)
    stacked = np.sum([layer.counts for layer in plan.layers], axis=0)
    assert (stacked == plan.at_risk).all()
    assert plan.layers[-1].untreated and plan.layers[-1].colours == (UNTREATED,)
    assert len(plan.layers) <= LEGEND_MAX + 2
    # the chart ends where fewer than 10 are at risk; the numbers keep every month
    assert plan.at_risk[-1] >= 10 > plan.occupancy.at_risk[len(plan.at_risk)]
    assert plan.xlabel == "Years since onset" and plan.tick_labels[:3] == ["0", "1", "2"]


def test_small_series_ends_at_half_the_series():
    plan = plan_occupancy(read_events_text(SERIES, "s.csv"))
    assert plan.min_at_risk == 1  # two patients: half is one
    assert len(plan.at_risk) == 18 and plan.xlabel == "Months since onset"
    assert plan.tick_labels == ["0", "3", "6", "9", "12", "15", "18"][:len(plan.ticks)]


def test_one_area_per_layer_in_the_therapy_colours(registry):
    plan = plan_occupancy(registry)
    fig = render_occupancy(plan, dpi=50)
    drawn = areas(fig)
    assert list(drawn) == [layer.name for layer in plan.layers]
    assert to_hex(drawn["Rituximab"].get_facecolor()[0]).upper() == KNOWN["rituximab"]
    assert to_hex(drawn["untreated"].get_facecolor()[0]).upper() == UNTREATED
    combos = [name for name in drawn if " + " in name]
    assert combos and all(drawn[name].get_hatch() for name in combos)
    # the top of the stack is 100 % at every month
    top = drawn["untreated"].get_paths()[0].vertices
    assert np.isclose(top[:, 1].max(), 1.0)
    # the legend lists the layers top to bottom, as stacked
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [x.name for x in plan.layers[::-1]]


@pytest.mark.parametrize("size", [(13.333, 7.5), (3.5, 3.2)])
@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_at_risk_row_and_texts_fit(registry, size, theme):
    plan = plan_occupancy(registry, title="Registry")
    fig = render_occupancy(plan, size=size, dpi=100, theme=theme)
    texts = drawn_texts(fig)
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (ta, tb)
    for text, bb in texts:
        assert fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1, text
        assert fig.bbox.y0 - 1 <= bb.y0 and bb.y1 <= fig.bbox.y1 + 1, text
    numbers = [t for t in fig.texts if t.get_gid() == "at-risk"]
    ticks = list(fig.axes[0].get_xticks())
    assert [t.get_text() for t in numbers] == [f"{plan.at_risk_at(x):,}" for x in ticks]
    assert numbers[0].get_text() == "300"
    # under the axis: below the x axis label
    renderer = fig.canvas.get_renderer()
    label_bottom = fig.axes[0].xaxis.label.get_window_extent(renderer).y0
    assert all(t.get_window_extent(renderer).y1 <= label_bottom for t in numbers)


def test_other_regimens_beyond_the_legend_cap(tmp_path):
    rows = ["patient,kind,name,start,end"]
    for i in range(20):  # twenty regimens, each one patient's
        rows.append(f"P{i},therapy,Drug {i:02d},2010-01-01,2010-12-31")
    rows.append("P0,relapse,TM,2009-12-01,")
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n")
    plan = plan_occupancy(load_events(path))
    names = [layer.name for layer in plan.layers]
    assert len(names) == LEGEND_MAX + 2 and names[-2:] == ["other regimens (8)", "untreated"]
    fig = render_occupancy(plan, dpi=40)
    assert to_hex(areas(fig)["other regimens (8)"].get_facecolor()[0]) != to_hex(UNTREATED)
    grouped = [f"Drug {i:02d}" for i in range(LEGEND_MAX, 20)]  # a patient-year each: by name
    assert plan.notes == ["the 8 regimens with the fewest patient-months drawn as one grey "
                          "layer, 'other regimens (8)': " + ", ".join(grouped)]


@pytest.mark.parametrize("size", [(2, 1.5), (2.5, 2), (3, 2)])
def test_smallest_canvases_draw_without_clipping(registry, size):
    plan = plan_occupancy(registry)
    fig = render_occupancy(plan, size=size, dpi=100)
    for text, bb in drawn_texts(fig):
        assert fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1, text
        assert fig.bbox.y0 - 1 <= bb.y0 and bb.y1 <= fig.bbox.y1 + 1, text
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-1].startswith("+") and legend[-1].endswith(" more regimens")
    k = int(legend[-1][1:].split()[0])  # and the figure's note names each of them
    unnamed = [layer.name for layer in plan.layers if layer.colours and not layer.untreated][-k:]
    assert left_out(fig) == (f"{k} regimens are drawn but not named in the legend "
                             f"({', '.join(unnamed)}); a larger --size names them")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_untreated_is_the_themes_faint_grey_as_the_swimmers_follow_up_line(registry, theme):
    from nmo_timeline.draw.themes import THEMES

    fig = render_occupancy(plan_occupancy(registry), dpi=40, theme=theme)
    face = to_hex(areas(fig)["untreated"].get_facecolor()[0]).upper()
    assert face == THEMES[theme].faint.upper()  # on the dark theme, not a bright block
