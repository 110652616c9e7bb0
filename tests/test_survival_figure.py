"""The Kaplan-Meier figure: plan (which curves, unit, ticks, numbers at risk, colours) and
drawing (curves, censoring ticks, medians and the at-risk table, by gid; texts that fit)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import drawn_texts
from stats_series import regimen_series

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.domain.colours import KNOWN
from nmo_timeline.draw.survival import _contrast, render_survival, survival_capacity
from nmo_timeline.draw.themes import THEMES
from nmo_timeline.errors import NmoTimelineError, OptionError
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.options import SIZES
from nmo_timeline.plan.survival import plan_survival

SERIES = str(Path(__file__).resolve().parents[1] / "examples" / "series.csv")


@pytest.fixture(scope="module")
def series():
    return summarise(load_events(SERIES))


def test_default_curves_leave_out_untreated_and_follow_the_cohort_order(series):
    plan = plan_survival(series)
    want = [s.regimen for s in series.survival if s.regimen != "untreated"]
    assert [c.regimen for c in plan.curves] == want
    assert plan.warnings == ()


def test_curves_are_the_kaplan_meier_steps_in_the_plan_unit(series):
    plan = plan_survival(series)
    assert plan.unit == "years" and plan.ticks[0] == 0.0 and plan.x_max == plan.ticks[-1]
    km = {s.regimen: s.km for s in series.survival}
    for curve in plan.curves:
        k = km[curve.regimen]
        assert curve.x == (0.0, *(t / 365.25 for t in k.times))
        assert curve.y == (1.0, *k.survival)
        assert curve.at_risk == tuple(k.at_risk_at(t * 365.25) for t in plan.ticks)
        assert len(curve.censored_x) == sum(1 for c in k.censored if c)
        assert curve.median == (k.median / 365.25 if k.median is not None else None)
        assert curve.label.endswith(f"(n = {k.n})")
    assert plan.curves[0].at_risk[0] == km[plan.curves[0].regimen].n


def test_a_therapy_keeps_its_colour_and_curves_never_share_one(series):
    plan = plan_survival(series)
    colours = {c.regimen: c.colour for c in plan.curves}
    assert colours["Rituximab"] == KNOWN["rituximab"]
    assert colours["Tocilizumab"] == KNOWN["tocilizumab"]
    assert len(set(colours.values())) == len(colours)


def test_regimens_by_name_abbreviation_or_untreated(series):
    plan = plan_survival(series, regimens=["RTX", "tcz", "untreated", "rituximab"])
    assert [c.regimen for c in plan.curves] == ["Rituximab", "Tocilizumab", "untreated"]
    with pytest.raises(OptionError) as info:
        plan_survival(series, regimens=["ocrelizumab"])
    assert str(info.value).startswith("--regimens 'ocrelizumab': no such regimen; regimens: "
                                      "untreated, Tocilizumab, Inebilizumab")
    with pytest.raises(NmoTimelineError) as info:
        plan_survival(series, regimens=["rtx", "tcz", "aza"], max_curves=2)
    assert str(info.value) == ("--regimens: 3 regimens do not fit this canvas readably; "
                               "choose at most 2")


def test_too_many_regimens_keep_those_with_most_patients():
    s = summarise(read_events_text(regimen_series(20, per_regimen=2)
                                   + "X1,therapy,Study drug 2,2001-01-01,2002-01-01,\n", "m.csv"))
    plan = plan_survival(s, max_curves=4)
    assert len(plan.curves) == 4
    assert "Study drug 2" in {c.regimen for c in plan.curves}  # 3 patients, the others 2
    assert plan.warnings[0].startswith("showing the 4 regimens with the most patients; 16 more "
                                       "not drawn (")
    assert plan.warnings[0].endswith("); choose with --regimens")


def test_a_file_without_maintenance_therapy_needs_regimens():
    s = summarise(read_events_text("kind,start\nrelapse,2010-01-01\nrelapse,2011-01-01\n"))
    with pytest.raises(NmoTimelineError, match="no maintenance therapy in the file"):
        plan_survival(s)
    assert [c.regimen for c in plan_survival(s, regimens=["untreated"]).curves] == ["untreated"]


def test_drawn_artists_follow_the_plan(series):
    plan = plan_survival(series)
    fig = render_survival(plan, dpi=40)
    ax, risk = fig.axes
    assert (ax.get_gid(), risk.get_gid()) == ("panel:survival", "panel:at-risk")
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    for curve in plan.curves:
        line = lines[f"curve:{curve.regimen}"]
        assert tuple(line.get_xdata()) == curve.x and line.get_drawstyle() == "steps-post"
        if curve.censored_x:
            ticks = lines[f"censored:{curve.regimen}"]
            assert ticks.get_marker() == "|"
            assert tuple(ticks.get_xdata()) == curve.censored_x
        if curve.median is not None:
            assert tuple(lines[f"median:{curve.regimen}"].get_xdata()) == (curve.median,) * 2
        numbers = [t.get_text() for t in risk.texts if t.get_gid() == f"at-risk:{curve.regimen}"]
        assert numbers == [str(n) for n in curve.at_risk]
    labels = [t.get_text() for t in risk.get_yticklabels()]
    assert labels == ["Number at risk", *(c.regimen for c in plan.curves)]
    # time 0 sits right of the axis' edge, so the first column of numbers clears the labels
    assert ax.get_xlim()[0] < 0


def test_print_theme_tells_curves_apart_by_dashes(series):
    fig = render_survival(plan_survival(series), dpi=40, theme="print")
    curves = [ln for ln in fig.axes[0].get_lines() if (ln.get_gid() or "").startswith("curve:")]
    styles = [ln._unscaled_dash_pattern for ln in curves]  # the dash pattern as given
    assert len(set(styles)) == len(curves)


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_lines_keep_the_therapy_colour_and_stand_out_from_the_paper(series, theme):
    from matplotlib.colors import to_hex

    plan = plan_survival(series)
    th = THEMES[theme]
    fig = render_survival(plan, dpi=40, theme=theme)
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines()}
    outlined = 0
    for curve, hue in zip(plan.curves, th.series_colours([c.colour for c in plan.curves]),
                          strict=True):
        line = lines[f"curve:{curve.regimen}"]
        assert to_hex(line.get_color()).upper() == hue.upper()  # as in every other figure
        if _contrast(hue, th.paper) < 3.0:  # a pale line gets an outline in the ink
            (effect,) = line.get_path_effects()
            assert to_hex(effect._gc["foreground"]).upper() == th.ink.upper()
            outlined += 1
        else:
            assert line.get_path_effects() == []
    assert theme == "print" or outlined  # the series has a pale colour in light and dark


CASES = {
    "three": lambda: summarise(read_events_text(regimen_series(3, per_regimen=6), "t.csv")),
    "eight": lambda: summarise(load_events(SERIES)),
    "fifty": lambda: summarise(read_events_text(regimen_series(52), "f.csv")),
}


@pytest.mark.parametrize("size", ["slide", "slide-4x3", "double-column", "column"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("theme", ["light", "print"])
def test_texts_never_overlap_or_leave_the_canvas(case, size, theme):
    canvas = SIZES[size]
    plan = plan_survival(CASES[case](), title="Time to first relapse",
                         max_curves=survival_capacity(canvas))
    fig = render_survival(plan, size=canvas, dpi=50, theme=theme)
    texts = drawn_texts(fig)
    for i, (ta, a) in enumerate(texts):
        assert fig.bbox.x0 - 1 <= a.x0 and a.x1 <= fig.bbox.x1 + 1, ta
        assert fig.bbox.y0 - 1 <= a.y0 and a.y1 <= fig.bbox.y1 + 1, ta
        for tb, b in texts[i + 1:]:
            assert not a.overlaps(b), (ta, tb)
    ax, risk = fig.axes
    assert ax.get_position().height > risk.get_position().height  # the curves come first
    assert ax.get_position().y0 > risk.get_position().y1


def test_capacity_is_at_most_eight_and_shrinks_with_the_canvas():
    caps = [survival_capacity(SIZES[s]) for s in ("column", "double-column", "slide")]
    assert caps == sorted(caps) and caps[-1] <= 8 and caps[0] >= 3
    assert survival_capacity((20, 40)) == 8


def test_rows_of_numbers_line_up_with_their_labels(series):
    fig = render_survival(plan_survival(series), dpi=50)
    fig.canvas.draw()
    _, risk = fig.axes
    labels = {t.get_text(): t.get_window_extent() for t in risk.get_yticklabels()}
    for name, group in itertools.groupby(
            sorted(risk.texts, key=lambda t: t.get_gid()), key=lambda t: t.get_gid()):
        regimen = name.split(":", 1)[1]
        for t in group:
            assert t.get_window_extent().y0 == pytest.approx(labels[regimen].y0, abs=2)


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 60},
                               filename="survival_series.png")
def test_baseline_survival(series):
    return render_survival(plan_survival(series, title="Time to first relapse"))
