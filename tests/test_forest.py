"""The forest plot: plan (rows, markers, log axis, capacity) and drawing (artists by gid,
texts that fit at every size and theme)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import drawn_texts
from hypothesis import given
from hypothesis import strategies as st
from stats_series import regimen_series

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.draw.forest import forest_capacity, render_forest
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.forest import ForestRow, Marker, log_axis, plan_forest
from nmo_timeline.plan.options import SIZES

SERIES = str(Path(__file__).resolve().parents[1] / "examples" / "series.csv")


@pytest.fixture(scope="module")
def series():
    return summarise(load_events(SERIES))


def test_arr_rows_are_the_cohort_table(series):
    plan = plan_forest(series)
    assert [r.label for r in plan.rows] == [c.regimen for c in series.cohort]
    for row, c in zip(plan.rows, series.cohort, strict=True):
        assert (row.estimate, row.low, row.high) == (c.arr_pooled, c.arr_ci_low, c.arr_ci_high)
        assert row.cells[:3] == (str(c.patients), str(c.relapses), f"{c.years:.1f}")
    assert plan.columns == ("Patients", "Relapses", "Person-years", "ARR (95 % CI)")
    assert plan.reference_line is None


def test_zero_relapses_is_an_open_marker_at_the_left_edge(series):
    plan = plan_forest(series)
    (aza,) = [r for r in plan.rows if r.label == "Azathioprine"]
    assert aza.marker is Marker.ZERO and aza.estimate == 0.0 and aza.high > 0
    assert aza.cells[3] == f"0.00 (0.00-{aza.high:.2f})"
    assert "◁ No relapses: ARR 0, below the axis" in plan.note
    positive = [v for r in plan.rows for v in (r.estimate, r.low) if v]
    assert plan.x_min < min(positive) / 2  # room for the open marker
    fig = render_forest(plan, dpi=40)
    (ax,) = fig.axes
    (zero,) = [line for line in ax.get_lines() if line.get_gid() == "zero"]
    assert list(zero.get_xdata()) == [plan.x_min]
    (ci,) = [c for c in ax.collections if c.get_gid() == "ci"]
    segments = [s for s in ci.get_segments() if s[0][0] == plan.x_min]
    assert len(segments) == 1 and segments[0][1][0] == pytest.approx(aza.high)


def test_every_regimen_without_relapses_still_draws():
    s = summarise(read_events_text(regimen_series(3, zero=(0, 1, 2)), "z.csv"))
    plan = plan_forest(s)
    assert {r.marker for r in plan.rows if r.label != "untreated"} == {Marker.ZERO}
    assert len(plan.rows) == 4
    fig = render_forest(plan, dpi=40)
    assert fig.axes[0].get_xscale() == "log"


def test_model_rows_have_the_reference_first_and_say_what_is_not_estimable():
    s = summarise(load_events(SERIES), model="negbin")
    plan = plan_forest(s)
    ref, *rest = plan.rows
    assert (ref.label, ref.marker, ref.cells[3]) == ("untreated", Marker.REFERENCE,
                                                     "1 (reference)")
    (aza,) = [r for r in rest if r.label == "Azathioprine"]
    assert aza.marker is Marker.NONE and aza.cells[3] == "not estimable"
    assert plan.reference_line == 1.0 and plan.x_min < 1.0 < plan.x_max
    terms = {t.regimen: t for t in s.model.terms}
    for r in rest:
        if r.marker is Marker.POINT:
            assert r.estimate == terms[r.label].rate_ratio
    fig = render_forest(plan, dpi=40)
    (ax,) = fig.axes
    (text,) = [t for t in ax.texts if t.get_gid() == "not-estimable"]
    assert text.get_text() == "not estimable"
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "reference-line"]
    assert list(line.get_xdata()) == [1.0, 1.0]


def test_rows_beyond_the_capacity_leave_out_the_fewest_person_years():
    s = summarise(read_events_text(regimen_series(30), "m.csv"))
    plan = plan_forest(s, max_rows=10)
    assert len(plan.rows) == 10
    years = {c.regimen: c.years for c in s.cohort}
    kept = min(years[r.label] for r in plan.rows)
    assert all(y <= kept for reg, y in years.items() if reg not in {r.label for r in plan.rows})
    assert plan.warnings[-1] == ("21 regimens with the fewest person-years are left out of the "
                                 "figure to keep it readable (summary lists them all)")
    assert "21 regimens with fewer person-years not shown." in plan.note
    assert [r.label for r in plan.rows] == [c.regimen for c in s.cohort
                                           if c.regimen in {r.label for r in plan.rows}]


def test_capacity_grows_with_the_canvas():
    assert forest_capacity(SIZES["column"]) < forest_capacity((13.333, 15))
    assert forest_capacity(SIZES["slide"]) >= 12


finite = st.floats(min_value=1e-3, max_value=1e3)


@given(st.lists(st.tuples(finite, finite, finite, st.booleans()), min_size=1, max_size=12))
def test_log_axis_holds_every_value_with_readable_ticks(values):
    rows = []
    for a, b, c, zero in values:
        lo, mid, hi = sorted((a, b, c))
        rows.append(ForestRow("r", Marker.ZERO, 0.0, 0.0, hi, ()) if zero
                    else ForestRow("r", Marker.POINT, mid, lo, hi, ()))
    x_min, x_max, ticks = log_axis(rows, None)
    for r in rows:
        for v in (r.estimate, r.low, r.high):
            if v:
                assert x_min < v < x_max
    if any(r.marker is Marker.ZERO for r in rows):
        assert x_min * 2 < min(v for r in rows for v in (r.estimate, r.low, r.high) if v)
    assert 2 <= len(ticks) <= 10
    assert all(x_min <= t <= x_max for t in ticks)
    assert all(math.isclose(t / 10 ** math.floor(math.log10(t)), m, rel_tol=1e-9)
               for t in ticks for m in [round(t / 10 ** math.floor(math.log10(t)))])


CASES = {
    "three": lambda: summarise(read_events_text(regimen_series(2, per_regimen=5), "t.csv")),
    "eight": lambda: summarise(load_events(SERIES)),
    "fifty": lambda: summarise(read_events_text(regimen_series(52), "f.csv")),
    "model": lambda: summarise(load_events(SERIES), model="negbin"),
}


@pytest.mark.parametrize("size", ["slide", "slide-4x3", "double-column", "column"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_texts_never_overlap_or_leave_the_canvas(case, size, theme):
    canvas = SIZES[size]
    plan = plan_forest(CASES[case](), title="A forest plot", max_rows=forest_capacity(canvas))
    fig = render_forest(plan, size=canvas, dpi=50, theme=theme)
    texts = drawn_texts(fig)
    for i, (ta, a) in enumerate(texts):
        assert fig.bbox.x0 - 1 <= a.x0 and a.x1 <= fig.bbox.x1 + 1, ta
        assert fig.bbox.y0 - 1 <= a.y0 and a.y1 <= fig.bbox.y1 + 1, ta
        for tb, b in texts[i + 1:]:
            assert not a.overlaps(b), (ta, tb)
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize"))]
    assert min(sizes) >= 6


def test_narrow_canvas_uses_short_headers_and_drops_the_optional_column(series):
    plan = plan_forest(series)
    wide = render_forest(plan, size=SIZES["slide"], dpi=40)
    narrow = render_forest(plan, size=SIZES["column"], dpi=40)

    def headers(fig):
        return {t.get_gid() for t in fig.texts if (t.get_gid() or "").startswith("table:")}

    assert headers(wide) == {f"table:{c}" for c in plan.columns}
    assert headers(narrow) == {f"table:{c}" for c in plan.columns[:3]}
    shown = {t.get_text() for t in narrow.texts}
    assert {"n", "Rel.", "PY"} <= shown
    (note,) = [t for t in narrow.texts if t.get_gid() == "note"]
    assert "n: patients, Rel.: relapses, PY: person-years." in note.get_text().replace("\n", " ")


def test_table_rows_line_up_with_their_regimen(series):
    plan = plan_forest(series)
    fig = render_forest(plan, dpi=50)
    fig.canvas.draw()
    (ax,) = fig.axes
    label_y = {t.get_text(): t.get_window_extent().y0 for t in ax.get_yticklabels()}
    patients = [t for t in fig.texts if t.get_gid() == "table:Patients"][1:]
    for row, text in zip(plan.rows, patients, strict=True):
        assert text.get_text() == row.cells[0]
        assert text.get_window_extent().y0 == pytest.approx(label_y[row.label], abs=2)


@pytest.mark.mpl_image_compare(tolerance=3, style="default", savefig_kwargs={"dpi": 60},
                               filename="forest_series.png")
def test_baseline_forest(series):
    return render_forest(plan_forest(series, title="ARR by regimen"))
