"""Sizes, themes and output options: readable at every preset, colour-blind safe."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import drawn_texts
from matplotlib.colors import to_rgb

from nmo_timeline import bundled_events_path, load_events, plot_timeline
from nmo_timeline.draw.plot import BUNDLED_TITLE
from nmo_timeline.draw.themes import THEMES, grey_of, luminance
from nmo_timeline.errors import OptionError
from nmo_timeline.output.save import save_figure
from nmo_timeline.plan.options import SIZES, parse_size
from nmo_timeline.plan.timeline import plan_timeline


@pytest.fixture(scope="module")
def table():
    return load_events(bundled_events_path())


@pytest.mark.parametrize("preset", sorted(SIZES))
@pytest.mark.parametrize("arr", [False, True])
def test_no_text_overlaps_or_is_clipped_at_any_preset(table, preset, arr):
    fig = plot_timeline(table, title=BUNDLED_TITLE, size=SIZES[preset], arr=arr, dpi=72)
    texts = drawn_texts(fig)
    canvas = fig.bbox
    for text, bb in texts:
        assert canvas.x0 - 1 <= bb.x0 and bb.x1 <= canvas.x1 + 1, (preset, text)
        assert canvas.y0 - 1 <= bb.y0 and bb.y1 <= canvas.y1 + 1, (preset, text)
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (preset, ta, tb)
    assert min(t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize"))
               if getattr(t, "get_text", lambda: "")()) >= 6


def test_lane_labels_are_never_dropped(table):
    for preset in SIZES:
        fig = plot_timeline(table, size=SIZES[preset], dpi=72)
        (ax,) = [a for a in fig.axes if a.get_gid() == "panel:therapy"]
        assert len([t for t in ax.get_yticklabels() if t.get_text()]) == 6


def test_fonts_scale_with_the_canvas(table):
    big = plot_timeline(table, size=SIZES["slide"], dpi=72)
    small = plot_timeline(table, size=SIZES["column"], dpi=72)
    size = lambda f: max(t.get_fontsize() for t in f.axes[1].get_yticklabels())  # noqa: E731
    assert size(big) > 13 and 6.5 <= size(small) <= 8


@pytest.mark.parametrize(("text", "expected"), [("slide", (13.333, 7.5)), ("A4", (11.69, 8.27)),
                                                ("column", (3.5, 3.2)), ("10x6", (10.0, 6.0)),
                                                ("7.2x4", (7.2, 4.0))])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["huge", "10", "10x", "0x5", "100x100"])
def test_bad_sizes(bad):
    with pytest.raises(OptionError, match="--size"):
        parse_size(bad)


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_theme_background_is_opaque_unless_asked(table, theme, tmp_path):
    from matplotlib.image import imread

    fig = plot_timeline(table, theme=theme, dpi=30)
    out = save_figure(fig, tmp_path / "t.png")
    pixels = imread(out)
    assert pixels.shape[2] == 4 and pixels[..., 3].min() == 1.0
    corner = pixels[0, 0, :3]
    assert np.allclose(corner, to_rgb(THEMES[theme].paper), atol=0.01)
    clear = save_figure(fig, tmp_path / "c.png", transparent=True)
    assert imread(clear)[0, 0, 3] == 0.0


def test_print_theme_is_greyscale_with_a_hatch_per_lane(table):
    fig = plot_timeline(table, theme="print", dpi=30)
    (ax,) = [a for a in fig.axes if a.get_gid() == "panel:therapy"]
    for coll in ax.collections:
        for rgba in coll.get_facecolors():
            r, g, b, _ = rgba
            assert abs(r - g) < 0.01 and abs(g - b) < 0.01
    bars = [c for c in ax.collections if (c.get_gid() or "").startswith("bars:")]
    fig.canvas.draw()
    wide = [c for c in bars if min(p.get_extents(c.get_transform()).width
                                   for p in c.get_paths()) >= 0.03 * fig.dpi]
    assert wide and all(c.get_hatch() for c in wide)  # every bar with room has a hatch
    narrow = [c for c in bars if c not in wide]
    assert all(not c.get_hatch() for c in narrow)  # no outline turning a pulse black


# --- colour-vision deficiency: Machado, Oliveira & Fernandes (2009), severity 1.0
MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _linear(c):
    c = np.asarray(c)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                  [0.0193, 0.1192, 0.9505]])
    xyz = m @ np.clip(linear_rgb, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, deficiency=None):
    la, lb = _linear(to_rgb(a)), _linear(to_rgb(b))
    if deficiency:
        la, lb = MACHADO[deficiency] @ la, MACHADO[deficiency] @ lb
    return float(np.linalg.norm(_lab(la) - _lab(lb)))


def lane_colours(theme: str, path=None) -> list[str]:
    t = load_events(path or bundled_events_path())
    plan = plan_timeline(t.for_patient(t.patients[0]))
    th = THEMES[theme]
    maint = [lane for lane in plan.lanes if lane.role == "maintenance"]
    return [th.therapy(lane.colour, i, len(maint)) for i, lane in enumerate(maint)]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("deficiency", [None, *MACHADO])
def test_lane_colours_stay_distinguishable_under_cvd(theme, deficiency):
    colours = lane_colours(theme)
    assert len(colours) == 4
    for a, b in itertools.combinations(colours, 2):
        assert delta_e(a, b, deficiency) > 12, (a, b, deficiency)
    # and each stays apart from the relapse colour and the paper
    for c in colours:
        assert delta_e(c, THEMES[theme].relapse, deficiency) > 12
        assert delta_e(c, THEMES[theme].paper, deficiency) > 20


def test_print_greys_differ_in_lightness():
    greys = lane_colours("print")
    lights = sorted(luminance(g) for g in greys)
    assert all(b - a > 0.1 for a, b in itertools.pairwise(lights))  # clearly different greys
    assert grey_of("#FFFFFF") != grey_of("#000000")


def test_svg_text_is_text_for_every_theme(table, tmp_path):
    for theme in THEMES:
        out = save_figure(plot_timeline(table, theme=theme, dpi=30), tmp_path / f"{theme}.svg")
        svg = out.read_text()
        assert "Tocilizumab</text>" in svg or ">Tocilizumab<" in svg


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 60},
                               filename="theme_dark.png")
def test_baseline_dark(table):
    return plot_timeline(table, theme="dark", title=BUNDLED_TITLE, arr=True)


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 60},
                               filename="theme_print.png")
def test_baseline_print(table):
    return plot_timeline(table, theme="print", title=BUNDLED_TITLE)


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 100},
                               filename="size_column.png")
def test_baseline_column(table):
    return plot_timeline(table, size=SIZES["column"], title=BUNDLED_TITLE)


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_the_same_input_saves_to_the_same_bytes(table, tmp_path, ext):
    saved = [save_figure(plot_timeline(table, title=BUNDLED_TITLE, arr=True, dpi=40),
                         tmp_path / f"{i}.{ext}") for i in (1, 2)]
    assert saved[0].read_bytes() == saved[1].read_bytes()
