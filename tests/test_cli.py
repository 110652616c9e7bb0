"""The command line: exact messages and exit codes (typer's CliRunner), and the entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path
from nmo_timeline.cli import app

runner = CliRunner()


def invoke(*args: str, cwd: Path | None = None):
    if cwd is None:
        return runner.invoke(app, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args))
    finally:
        os.chdir(old)


def test_plot_with_no_arguments_draws_the_bundled_case(tmp_path):
    result = invoke("plot", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote timeline.png\n"
    png = tmp_path / "timeline.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread

    h, w = imread(png).shape[:2]
    assert (w, h) == (2666, 1500)  # 13.33 x 7.5 in at 200 dpi


@pytest.mark.parametrize("ext", ["svg", "pdf"])
def test_format_follows_the_extension(tmp_path, ext):
    out = tmp_path / f"fig.{ext}"
    result = invoke("plot", str(bundled_events_path()), "-o", str(out), "--title", "Case 1")
    assert result.exit_code == 0
    head = out.read_bytes()[:5]
    assert head == (b"%PDF-" if ext == "pdf" else b"<?xml")


def test_bad_input_reports_every_error_and_writes_nothing(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("kind,start,value\nedss,2011-01-01,12\nrelapse,2011-02-30,\n")
    out = tmp_path / "out.png"
    out.write_bytes(b"previous figure")
    result = invoke("plot", str(csv), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{csv}:2:value: EDSS 12 is not on the scale (0 to 10 in steps of 0.5)\n"
        f"{csv}:3:start: '2011-02-30' is not a real date: February 2011 has 28 days\n"
        "2 errors found; nothing was written.\n"
    )
    assert result.stdout == ""
    assert out.read_bytes() == b"previous figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out.png"]


def test_missing_file_is_one_line(tmp_path):
    result = invoke("plot", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.csv'}: no such file\n"
    assert "Traceback" not in result.output


def test_bad_output_extension_is_refused_before_reading(tmp_path):
    result = invoke("plot", "-o", str(tmp_path / "x.jpg"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'x.jpg'}: cannot write '.jpg'; the output must end in .png, "
        ".svg or .pdf\n")


def test_multi_patient_file_needs_patient(tmp_path):
    csv = tmp_path / "series.csv"
    csv.write_text("patient,kind,start\nP2,relapse,2011-01-01\nP1,relapse,2011-01-02\n")
    result = invoke("plot", str(csv), "-o", str(tmp_path / "o.png"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {csv} holds 2 patients; choose one with --patient ID (patients: P2, P1)\n")
    result = invoke("plot", str(csv), "--patient", "P1", "-o", str(tmp_path / "o.png"))
    assert result.exit_code == 0
    result = invoke("plot", str(csv), "--patient", "P9", "-o", str(tmp_path / "o.png"))
    assert result.exit_code == 1 and "no patient 'P9'; patients are P2, P1" in result.stderr


def test_plot_prints_warnings_in_one_line(tmp_path):
    csv = tmp_path / "w.csv"
    csv.write_text("kind,start,dose,comment\nrelapse,2011-01-01,,\n")
    result = invoke("plot", str(csv), "-o", str(tmp_path / "o.png"))
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {csv}:1:dose: unknown column 'dose' ignored (did you mean 'value'?) "
        "(and 1 more; run 'nmo-timeline validate' to list them)\n")


def test_validate_text_summary():
    result = invoke("validate")
    assert result.exit_code == 0
    assert result.stdout == (
        f"{bundled_events_path()}: 55 events (28 therapy, 7 relapse, 11 edss, 6 mri, 3 lab), "
        "1 patient, 2006-05-10 to 2012-06-14\n")


def test_validate_json_valid():
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["valid"] is True and doc["errors"] == [] and len(doc["events"]) == 55
    toci = next(e for e in doc["events"] if e["name"] == "Tocilizumab")
    assert toci["ongoing"] is True and toci["end"] is None and toci["value"] == 8.0


def test_validate_json_invalid(tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("kind,start,value,dose\nedss,2011-01-01,12,\n")
    result = invoke("validate", str(csv), "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc == {
        "file": str(csv), "valid": False, "events": [],
        "warnings": [{"line": 1, "column": "dose",
                      "message": "unknown column 'dose' ignored (did you mean 'value'?)"}],
        "errors": [{"line": 2, "column": "value",
                    "message": "EDSS 12 is not on the scale (0 to 10 in steps of 0.5)"}],
    }


def test_internal_errors_are_one_line(monkeypatch, tmp_path):
    import nmo_timeline.draw.plot as plotting

    def broken(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(plotting, "plot_timeline", broken)
    result = invoke("plot", "-o", str(tmp_path / "o.png"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "internal error: ZeroDivisionError: boom"
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("command", [[], ["plot"], ["validate"], ["summary"], ["swimmer"]])
def test_help_shows_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example: nmo-timeline" in result.stdout


def _entry_point() -> list[str]:
    exe = shutil.which("nmo-timeline", path=str(Path(sys.executable).parent))
    assert exe, "the nmo-timeline console script is not installed"
    return [exe]


def test_installed_entry_point_runs_from_any_directory(tmp_path):
    proc = subprocess.run([*_entry_point(), "plot", "-o", "slide.png"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "wrote slide.png\n"
    assert (tmp_path / "slide.png").stat().st_size > 10_000


def test_python_dash_m_and_no_matplotlib_for_help_and_validate(tmp_path):
    code = (
        "import sys; from nmo_timeline.cli import app\n"
        "try:\n    app(sys.argv[1:], prog_name='nmo-timeline')\n"
        "except SystemExit: pass\n"
        "print('MPL', 'matplotlib' in sys.modules, file=sys.stderr)\n"
    )
    for args in (["--help"], ["validate"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                              text=True, timeout=120)
        assert "MPL False" in proc.stderr, (args, proc.stderr)
    proc = subprocess.run([sys.executable, "-m", "nmo_timeline", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("nmo-timeline ")


def test_a_crash_outside_the_commands_prints_no_local_variables():
    # A crash that escapes the commands' error handling (inside typer's machinery) must
    # not print local variables, which may hold patient data.
    code = (
        "from nmo_timeline.cli import app\n"
        "@app.command()\n"
        "def crash():\n"
        "    patient_record = 'PATIENT-4711 Jane Doe'\n"
        "    raise RuntimeError('boom')\n"
        "app(['crash'], prog_name='nmo-timeline')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode != 0
    assert "RuntimeError" in proc.stderr and "boom" in proc.stderr  # it did crash
    assert "PATIENT-4711" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["plot", "--dpi", "10"],
     "error: Invalid value for '--dpi': 10 is not in the range 50<=x<=1200. "
     "(see 'nmo-timeline plot --help')"),
    (["plot", "--theme", "blue"],
     "error: Invalid value for '--theme': 'blue' is not one of 'light', 'dark', 'print'. "
     "(see 'nmo-timeline plot --help')"),
    (["summary", "--format", "xml"],
     "error: Invalid value for '--format': 'xml' is not one of 'table', 'csv', 'json', "
     "'markdown'. (see 'nmo-timeline summary --help')"),
    (["plot", "--no-such-flag"],
     "error: No such option: --no-such-flag (see 'nmo-timeline plot --help')"),
])
def test_usage_mistakes_are_one_line_and_exit_1(args, message):
    result = invoke(*args)
    assert (result.exit_code, result.stderr) == (1, message + "\n")


def test_no_command_shows_the_help_and_exits_1():
    result = invoke()
    assert result.exit_code == 1
    assert "Usage: nmo-timeline [OPTIONS] COMMAND" in result.stdout
