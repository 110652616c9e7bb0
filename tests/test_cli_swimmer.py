"""The swimmer command, and plot on a series without --patient: exact messages."""

from __future__ import annotations

from swimmer_series import SERIES
from typer.testing import CliRunner

from nmo_timeline.cli import app


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


def test_cli_swimmer_hints_at_the_cohort_views_in_dense_mode(tmp_path):
    from cohort import write_cohort

    p = tmp_path / "c.csv"
    write_cohort(p, 4000)
    out = tmp_path / "sw.png"
    result = CliRunner().invoke(app, ["swimmer", str(p), "-o", str(out), "--dpi", "60"])
    assert result.exit_code == 0, result.output
    n = int(result.stdout.split("(")[1].split()[0])
    assert result.stdout == f"wrote {out} ({n} patients)\n"
    assert result.stderr.splitlines()[-1] == (
        f"hint: {n} patients are too many for labelled rows, so each is one pixel line; "
        "'nmo-timeline pathways' and 'nmo-timeline occupancy' summarise large cohorts")
    small = CliRunner().invoke(app, ["swimmer", str(tmp_path / "c.csv"), "-o", str(out),
                                     "--size", "20x50", "--dpi", "60"])
    assert small.exit_code == 0 and "hint:" not in small.stderr
