"""Swimmer plot: layout (alignment, sorting, units), artists at scale, CLI, batch mode."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import drawn_texts
from matplotlib.collections import PolyCollection
from typer.testing import CliRunner

from nmo_timeline.cli import app
from nmo_timeline.domain.colours import KNOWN
from nmo_timeline.draw.swimmer import render_swimmer
from nmo_timeline.errors import NmoTimelineError
from nmo_timeline.load import load_events, read_events_text
from nmo_timeline.plan.swimmer import plan_swimmer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import itertools

from cohort import write_cohort

SERIES = """patient,kind,name,start,end,value
P10,relapse,ON,2010-01-01,,
P10,therapy,Azathioprine,2010-02-01,2010-12-31,
P10,therapy,Tocilizumab,2011-01-01,ongoing,
P10,edss,,2012-01-01,,3.0
P2,relapse,TM,2011-01-01,,
P2,therapy,Tocilizumab,2011-07-01,ongoing,
P2,therapy,Azathioprine,2011-09-01,ongoing,
P2,relapse,TM,2011-08-01,,
P2,edss,,2011-12-31,,4.5
P3,relapse,TM,2011-01-01,,
P3,therapy,Rituximab,2011-03-01,,
P3,edss,,2011-06-30,,2.0
"""


@pytest.fixture
def table():
    return read_events_text(SERIES, "s.csv")


def test_rows_in_natural_id_order_with_periods(table):
    plan = plan_swimmer(table, unit="days")
    assert [r.patient for r in plan.rows] == ["P2", "P3", "P10"]
    p10 = plan.rows[2]
    assert [(s.regimen, s.x0, s.x1) for s in p10.segments] == [
        ("Azathioprine", 31.0, 365.0), ("Tocilizumab", 365.0, 730.0)]
    assert p10.relapses == [0.0]
    assert p10.ongoing and p10.last_edss == 3.0
    p2 = plan.rows[0]
    combo = next(s for s in p2.segments if "+" in s.regimen)
    assert combo.colours == (KNOWN["azathioprine"], KNOWN["tocilizumab"])  # stripes
    assert not plan.rows[1].ongoing  # single rituximab dose: nothing ongoing


def test_align_puts_day_zero_at_the_first_dose_and_lists_the_rest(table):
    plan = plan_swimmer(table, align="TOCILIZUMAB", unit="days", sort="aligned")
    assert [r.patient for r in plan.rows] == ["P10", "P2"]  # 365 vs 183 days on it
    p10 = next(r for r in plan.rows if r.patient == "P10")
    assert p10.start == -365.0 and p10.relapses == [-365.0]
    assert plan.warnings[0].startswith("1 patient(s) never received TOCILIZUMAB")
    assert "P3" in plan.warnings[0]


@pytest.mark.parametrize(("unit", "factor"), [("days", 1), ("weeks", 7), ("months", 30.4375),
                                              ("years", 365.25)])
def test_units(table, unit, factor):
    plan = plan_swimmer(table, unit=unit)
    p10 = plan.rows[2]
    assert p10.end == pytest.approx(730 / factor)


def test_sort_by_follow_up_and_arr(table):
    assert [r.patient for r in plan_swimmer(table, sort="follow-up").rows] == ["P10", "P2", "P3"]
    arr = plan_swimmer(table, sort="arr").rows
    # P3: 1 relapse / (180 d / 365.25) = 2.03; P2: 2 / (364 d / 365.25) = 2.01; P10: 1 / 2.0 y
    assert [r.patient for r in arr] == ["P3", "P2", "P10"]


def test_bad_options(table):
    with pytest.raises(NmoTimelineError, match="--sort aligned needs --align"):
        plan_swimmer(table, sort="aligned")
    with pytest.raises(NmoTimelineError, match="no patient received 'eculizumab'"):
        plan_swimmer(table, align="eculizumab")


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


def test_cli_swimmer(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    out = tmp_path / "sw.png"
    result = CliRunner().invoke(app, ["swimmer", str(p), "-o", str(out), "--align",
                                      "tocilizumab"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (2 patients)\n"
    assert result.stderr.startswith("warning: 1 patient(s) never received tocilizumab")
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_plot_refuses_a_series_without_patient(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    result = CliRunner().invoke(app, ["plot", str(p), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 1
    assert "holds 3 patients; choose one with --patient ID (patients: P10, P2, P3)" in \
        result.stderr


def test_batch_draws_every_patient_and_reports_failures(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES + "P3,edss,,2011-07-32,,2.0\nP/4,relapse,ON,2011-01-01,,\n")
    outdir = tmp_path / "figs"
    result = CliRunner().invoke(app, ["plot", str(p), "--all-patients", "--outdir",
                                      str(outdir)])
    assert result.exit_code == 1
    assert result.stdout == f"wrote 3 figures to {outdir}\n"
    assert result.stderr == (
        "1 patient failed:\n"
        "  P3:\n"
        f"    {p}:14:start: '2011-07-32' is not a real date: July 2011 has 31 days\n")
    assert sorted(f.name for f in outdir.iterdir()) == ["P10.png", "P2.png", "P_4.png"]


def test_batch_in_parallel_processes(tmp_path):
    from nmo_timeline.output.batch import plot_all_patients
    from nmo_timeline.plan.options import FigureOptions

    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    seen = []
    result = plot_all_patients(p, tmp_path / "o", FigureOptions(dpi=50), fmt="svg", workers=2,
                               progress=lambda done, total: seen.append((done, total)))
    assert sorted(f.name for f in result.written) == ["P10.svg", "P2.svg", "P3.svg"]
    assert result.failed == {}
    assert seen[-1] == (3, 3)


def test_safe_filenames_are_unique():
    from nmo_timeline.output.batch import safe_filename

    taken: set[str] = set()
    assert [safe_filename(x, taken) for x in ["a/b", "a_b", "../x", ""]] == [
        "a_b", "a_b-2", "x", "patient"]


def test_edss_labels_optional_and_anonymized_rows(table):
    plan = plan_swimmer(table, show_edss=False)
    assert all(r.last_edss is None for r in plan.rows)
    anon = plan_swimmer(table, anonymize=True)
    assert [r.patient for r in anon.rows] == ["1", "2", "3"]
    fig = render_swimmer(anon, dpi=30)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["1", "2", "3"]


def test_batch_refuses_options_it_would_ignore(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    result = CliRunner().invoke(app, ["plot", str(p), "--all-patients", "--outdir",
                                      str(tmp_path / "o"), "--build", "--pptx",
                                      str(tmp_path / "d.pptx")])
    assert result.exit_code == 1
    assert result.stderr == ("error: --all-patients draws every patient once; it does not go "
                             "with --build, --pptx\n")
    assert not (tmp_path / "o").exists()
