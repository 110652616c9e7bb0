"""Style files: lane order and labels, colours by name or class, fonts, panels; strict errors."""

from __future__ import annotations

import pytest

from nmo_timeline import bundled_events_path, load_events, plot_timeline
from nmo_timeline.plan.style import StyleError, load_style, parse_style
from nmo_timeline.plan.timeline import plan_timeline

FULL = """
[lanes]
order = ["Tocilizumab", "RTX"]
[lanes.labels]
"IV methylprednisolone" = "IVMP"
[colours]
"anti-CD20" = "#332288"
Tocilizumab = "#AA4499"
[font]
family = "DejaVu Sans"
scale = 1.2
[panels]
show = ["edss", "therapy", "relapse"]
"""


@pytest.fixture(scope="module")
def table():
    return load_events(bundled_events_path())


def test_style_shapes_the_plan(table, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(FULL)
    spec = load_style(path)
    plan = plan_timeline(table, style=spec)
    assert [lane.label for lane in plan.lanes] == [
        "Tocilizumab", "Rituximab", "IVMP", "Mitoxantrone", "Plasma exchange", "Alemtuzumab"]
    colours = {lane.label: lane.colour for lane in plan.lanes}
    assert colours["Rituximab"] == "#332288"  # by class: anti-CD20
    assert colours["Tocilizumab"] == "#AA4499"  # by name
    assert [k.name for k in plan.panels] == ["edss", "therapy", "relapse"]


def test_font_scale_reaches_the_figure(table, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[font]\nscale = 1.2\n")
    plain = plot_timeline(table, dpi=30)
    styled = plot_timeline(table, dpi=30, style=path)
    size = lambda f: f.axes[0].yaxis.label.get_fontsize()  # noqa: E731
    assert size(styled) == pytest.approx(size(plain) * 1.2)


def test_errors_name_every_bad_key_at_once():
    with pytest.raises(StyleError) as info:
        parse_style({"lanez": {}, "colours": {"x": "red"}, "font": {"scale": 9, "size": 3},
                     "panels": {"show": ["edss", "pie"]}}, "s.toml")
    lines = str(info.value).splitlines()
    assert lines == [
        "s.toml: [lanez]: unknown section; use lanes, colours, font, panels, therapies",
        "s.toml: font.size: unknown key; use family, scale",
        "s.toml: colours.x: 'red' is not a colour; use #RRGGBB",
        "s.toml: font.scale: must be a number from 0.5 to 2",
        "s.toml: panels.show: unknown panel(s) pie; use edss, periods, therapy, relapse, mri, lab",
    ]


def test_not_toml_and_missing(tmp_path):
    bad = tmp_path / "b.toml"
    bad.write_text("[lanes\n")
    with pytest.raises(StyleError, match="not a valid TOML file"):
        load_style(bad)
    with pytest.raises(StyleError, match="no such style file"):
        load_style(tmp_path / "nope.toml")


def test_readme_style_example_is_valid(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (example,) = [b for b in re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
                  if b.startswith("# nmo-timeline style file")]
    path = tmp_path / "readme.toml"
    path.write_text(example)
    spec = load_style(path)
    assert spec.order and spec.labels and spec.colours and spec.panels


def test_a_hidden_panel_leaves_no_legend_entries(table, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[panels]\nshow = ["edss", "therapy", "relapse"]\n')
    fig = plot_timeline(table, dpi=30, style=path)
    (legend,) = fig.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert "acute treatment" in labels and "Optic neuritis" in labels
    assert not any(label.startswith("MRI") for label in labels)  # the MRI panel is hidden
    full = [t.get_text() for t in plot_timeline(table, dpi=30).legends[0].get_texts()]
    assert "MRI active" in full
