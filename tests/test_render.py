"""The figure, at the artist level, plus a few image baselines (pytest-mpl)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import drawn_texts
from matplotlib import dates as mdates
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text

from nmo_timeline import bundled_events_path, load_events, plot_timeline
from nmo_timeline.draw.plot import BUNDLED_TITLE
from nmo_timeline.errors import OptionError
from nmo_timeline.load import read_events_text
from nmo_timeline.output.save import save_figure


@pytest.fixture(scope="module")
def table():
    return load_events(bundled_events_path())


@pytest.fixture(scope="module")
def fig(table):
    return plot_timeline(table, title=BUNDLED_TITLE)


def panel(fig: Figure, name: str):
    (ax,) = [ax for ax in fig.axes if ax.get_gid() == f"panel:{name}"]
    return ax


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_canvas_is_a_16_9_slide(fig):
    w, h = fig.get_size_inches()
    assert (round(w, 2), round(h, 2), fig.dpi) == (13.33, 7.5, 200)


def test_lane_labels_in_order_of_first_use(fig):
    labels = [t.get_text() for t in panel(fig, "therapy").get_yticklabels()]
    assert labels[::-1] == ["IV methylprednisolone", "Mitoxantrone", "Plasma exchange",
                            "Rituximab", "Alemtuzumab", "Tocilizumab"]


def test_one_bar_or_tick_per_therapy_row(fig, table):
    ax = panel(fig, "therapy")
    ev = table.events[table.events["kind"] == "therapy"]
    for key, rows in ev.groupby("name_key"):
        n_bars = int(((rows["end"] == rows["end"]) | rows["ongoing"]).sum())
        n_ticks = len(rows) - n_bars
        bars = by_gid(ax, f"bars:{key}")
        ticks = by_gid(ax, f"ticks:{key}")
        assert sum(len(b.get_paths()) for b in bars) == n_bars, key
        assert sum(len(t.get_segments()) for t in ticks) == n_ticks, key


def test_single_administrations_are_visible_ticks(fig):
    ax = panel(fig, "therapy")
    (ticks,) = by_gid(ax, "ticks:rituximab")
    heights = {round(seg[1][1] - seg[0][1], 6) for seg in ticks.get_segments()}
    (bars,) = by_gid(ax, "bars:tocilizumab")
    bar_height = bars.get_paths()[0].get_extents().height
    assert heights == {round(bar_height, 6)}  # as tall as a bar
    assert ticks.get_linewidth()[0] >= 3  # points: visible at any time span


def test_ongoing_arrow(fig):
    (arrow,) = by_gid(panel(fig, "therapy"), "ongoing:tocilizumab")
    assert arrow.get_marker() == ">"


def test_one_marker_per_relapse(fig, table):
    ax = panel(fig, "relapse")
    n = sum(len(line.get_xdata()) for line in ax.get_lines()
            if (line.get_gid() or "").startswith("relapse:"))
    assert n == int((table.events["kind"] == "relapse").sum())
    shapes = {line.get_gid(): line.get_marker() for line in ax.get_lines() if line.get_gid()}
    assert shapes["relapse:ON"] != shapes["relapse:TM"]


def test_relapse_guides_run_through_the_panels_above_and_the_labs(fig, table):
    days = sorted(mdates.date2num(d) for d in table.events.loc[
        table.events["kind"] == "relapse", "start"])
    for name in ("edss", "therapy", "lab:csf il-6"):
        (guides,) = by_gid(panel(fig, name), "relapse-guide")  # one collection per panel
        segments = guides.get_segments()
        assert sorted(seg[0, 0] for seg in segments) == pytest.approx(days)
        assert all(seg[0, 0] == seg[1, 0] for seg in segments)  # vertical
        assert all((seg[0, 1], seg[1, 1]) == (0, 1) for seg in segments)  # full height


def test_mri_filled_and_open(fig, table):
    ax = panel(fig, "mri")
    (active,) = by_gid(ax, "mri:active")
    (quiet,) = by_gid(ax, "mri:quiet")
    mri = table.events[table.events["kind"] == "mri"]
    assert len(active.get_xdata()) == int((mri["value"] > 0).sum())
    assert len(quiet.get_xdata()) == int((mri["value"] == 0).sum())
    assert to_hex(quiet.get_markerfacecolor()) == to_hex(fig.get_facecolor())  # open: paper


def test_edss_step_line_on_0_to_10(fig):
    ax = panel(fig, "edss")
    (step,) = by_gid(ax, "edss-step")
    assert step.get_drawstyle() == "steps-post"
    assert ax.get_ylim() == (0.0, 10.0)


def test_lab_panel_has_unit(fig):
    ax = panel(fig, "lab:csf il-6")
    assert "pg/mL" in ax.get_ylabel()


def test_text_is_projector_sized(fig):
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert min(sizes) >= 10.5


def test_no_two_texts_overlap_and_nothing_is_clipped(fig):
    texts = drawn_texts(fig)
    fig_bb = fig.bbox
    for text, bb in texts:
        assert bb.x0 >= fig_bb.x0 - 1 and bb.x1 <= fig_bb.x1 + 1, text
        assert bb.y0 >= fig_bb.y0 - 1 and bb.y1 <= fig_bb.y1 + 1, text
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (ta, tb)


def test_save_is_atomic_and_never_clobbers(tmp_path, fig, monkeypatch):
    out = tmp_path / "t.png"
    out.write_bytes(b"previous")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, out)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.png"]


def test_saved_file_has_the_usual_permissions(tmp_path, fig):
    out = save_figure(fig, tmp_path / "t.png", dpi=30)
    assert out.stat().st_mode & 0o644 == 0o644


def test_bad_extension_and_missing_folder(tmp_path, fig):
    with pytest.raises(OptionError, match=r"must end in \.png, \.svg or \.pdf"):
        save_figure(fig, tmp_path / "t.jpg")
    with pytest.raises(OptionError, match="does not exist"):
        save_figure(fig, tmp_path / "nope" / "t.png")


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_formats_are_reproducible(tmp_path, ext):
    small = read_events_text("kind,name,start,end\ntherapy,AZA,2011-01-01,2011-06-01\n")
    a, b = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    save_figure(plot_timeline(small), a, dpi=50)
    save_figure(plot_timeline(small), b, dpi=50)
    assert a.read_bytes() == b.read_bytes()


def test_svg_and_pdf_keep_text_as_text(tmp_path, fig):
    svg = save_figure(fig, tmp_path / "t.svg")
    content = svg.read_text()
    assert "<text" in content and "Tocilizumab" in content
    pdf = save_figure(fig, tmp_path / "t.pdf")
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw  # TrueType (Type 42) embedded: text stays text
    assert b"CreationDate" not in raw


BASELINE = dict(tolerance=3, style="default", savefig_kwargs={"dpi": 60})


@pytest.mark.mpl_image_compare(**BASELINE, filename="bundled_case.png")
def test_baseline_bundled_case():
    return plot_timeline(bundled_events_path(), title=BUNDLED_TITLE)


@pytest.mark.mpl_image_compare(**BASELINE, filename="minimal_case.png")
def test_baseline_minimal_case():
    return plot_timeline(read_events_text(
        "kind,name,start,end,value\n"
        "relapse,TM,2015-03-01,,\ntherapy,Plasma exchange,2015-03-05,2015-03-15,\n"
        "therapy,Azathioprine,2015-04-01,2016-08-31,\nrelapse,ON,2016-07-01,,\n"
        "therapy,Rituximab,2016-09-01,,\ntherapy,Rituximab,2017-03-01,,\n"), title="Minimal")


def test_baselines_exist():
    here = Path(__file__).parent / "baseline"
    assert (here / "bundled_case.png").is_file() and (here / "minimal_case.png").is_file()


def test_arr_band_matches_the_summary(table):
    from nmo_timeline.analysis.summary import summarise

    fig = plot_timeline(table, arr=True)
    ax = panel(fig, "periods")
    texts = [t.get_text() for t in ax.texts if t.get_gid() == "period-arr"]
    periods = summarise(table).patients[0].periods
    assert len(by_gid(ax, "period-band")) == len(periods)
    for p in periods:
        assert any(t.endswith(f"ARR {p.arr:.2f}") for t in texts), p.regimen
    order = [a.get_gid() for a in fig.axes]
    assert order.index("panel:periods") == order.index("panel:therapy") - 1


def test_arr_figure_has_no_overlapping_text(table):
    fig = plot_timeline(table, arr=True)
    texts = drawn_texts(fig)
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.overlaps(b), (ta, tb)


def test_unwritable_output_is_a_clear_error(tmp_path, fig, monkeypatch):
    import nmo_timeline.output.atomic as atomic_module

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic_module.tempfile, "mkstemp", denied)
    with pytest.raises(OptionError, match="cannot write there \\(Permission denied\\)"):
        save_figure(fig, tmp_path / "t.png")
    monkeypatch.undo()
    with pytest.raises(OptionError, match="is a folder"):
        (tmp_path / "d.png").mkdir()
        save_figure(fig, tmp_path / "d.png")


@pytest.mark.parametrize("transparent", [False, True])
def test_png_has_the_pixels_and_dpi_of_matplotlibs_own_png(tmp_path, table, transparent):
    import io

    import matplotlib
    import numpy as np
    from PIL import Image

    from nmo_timeline.draw.figure import drawing_rc

    fig = plot_timeline(table, dpi=30)  # saved at another dpi: 13.33 in x 37 = 493.3 px
    ours = Image.open(save_figure(fig, tmp_path / "t.png", dpi=37, transparent=transparent))
    buf = io.BytesIO()
    with matplotlib.rc_context(drawing_rc(fig)):  # the settings the figure was built with
        fig.savefig(buf, format="png", dpi=37, transparent=transparent,
                    facecolor="none" if transparent else fig.get_facecolor())
    theirs = Image.open(buf)
    assert ours.size == theirs.size == (493, 277)
    assert ours.mode == theirs.mode == "RGBA"
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))
    assert ours.info["dpi"] == pytest.approx((37, 37), abs=0.01)
    assert set(ours.info) == {"dpi"}  # no text chunks (software, dates)


def test_figures_are_drawn_with_the_settings_they_were_laid_out_with(fig):
    from matplotlib.figure import Figure as PlainFigure

    from nmo_timeline.draw.figure import BASE_RC, drawing_rc

    rc = drawing_rc(fig)
    assert rc["font.size"] == fig.axes[0].yaxis.label.get_fontsize()  # the slide's 15 pt
    assert rc["text.hinting"] == BASE_RC["text.hinting"]
    assert drawing_rc(PlainFigure()) is BASE_RC
