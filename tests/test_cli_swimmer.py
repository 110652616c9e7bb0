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
