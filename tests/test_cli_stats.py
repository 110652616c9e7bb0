"""The statistics on the command line: summary's new options, forest and survival; exact
messages for mistakes; what --help imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmo_timeline.cli import app

SERIES = str(Path(__file__).resolve().parents[1] / "examples" / "series.csv")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_forest_writes_a_figure(tmp_path):
    out = tmp_path / "forest.png"
    result = invoke("forest", SERIES, "-o", str(out), "--title", "ARR", "--dpi", "60")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (8 regimens)\n"
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_forest_model_svg_column_print(tmp_path):
    out = tmp_path / "rr.svg"
    result = invoke("forest", SERIES, "-o", str(out), "--model", "negbin", "--cluster",
                    "patient", "--size", "column", "--theme", "print")
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "Rate ratio vs untreated" in svg and "cluster-robust by patient" in svg
    assert "negative binomial model: " in result.stderr


def test_survival_writes_a_figure(tmp_path):
    out = tmp_path / "km.pdf"
    result = invoke("survival", SERIES, "-o", str(out), "--regimens", "rtx, tcz")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (2 regimens)\n"
    assert out.read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize(("args", "message"), [
    (["forest", SERIES, "--ci", "95"],
     "error: --ci: confidence level must be between 0 and 1 (e.g. 0.95), got 95.0\n"),
    (["forest", SERIES, "--reference", "untreated"],
     "error: --reference and --cluster need --model negbin\n"),
    (["forest", SERIES, "--model", "negbin", "--reference", "aza"],
     "error: the reference regimen 'Azathioprine' has no relapses, so every rate ratio "
     "against it is unbounded; choose another with --reference\n"),
    (["survival", SERIES, "--regimens", " , "],
     "error: --regimens: name at least one regimen, e.g. --regimens rituximab,tocilizumab\n"),
    (["survival", SERIES, "--regimens", "ocrelizumab"],
     "error: --regimens 'ocrelizumab': no such regimen; regimens: untreated, Tocilizumab, "
     "Inebilizumab, Rituximab, Eculizumab, Azathioprine, Mycophenolate mofetil, "
     "Satralizumab\n"),
    (["summary", SERIES, "--model", "negbin", "--format", "csv"],
     "error: --model: the csv format has one row per period; the model is reported in the "
     "table, markdown and json formats\n"),
    (["summary", SERIES, "--compare", "tocilizumab", "--format", "csv"],
     "error: --compare: the csv format has one row per period; the comparison is reported "
     "in the table, markdown and json formats\n"),
    (["summary", SERIES, "--before", "12m"],
     "error: --before and --on need --compare THERAPY\n"),
    (["summary", SERIES, "--compare", "tcz", "--on", "5q"],
     "error: --on '5q': use a whole number and a unit: 12m (months), 90d (days) or 2y "
     "(years)\n"),
    (["summary", SERIES, "--cluster", "patient"],
     "error: --reference and --cluster need --model negbin\n"),
])
def test_mistakes_are_one_line_and_exit_1(tmp_path, args, message):
    if args[0] != "summary":
        args = [*args, "-o", str(tmp_path / "x.png")]
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stderr == message
    assert not (tmp_path / "x.png").exists()


def test_summary_model_json(tmp_path):
    result = invoke("summary", SERIES, "--model", "negbin", "--reference", "tcz",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["model"]["reference"] == "Tocilizumab"
    assert doc["warnings"] and all(not w.startswith("statsmodels") for w in doc["warnings"])


def test_summary_warnings_are_the_tools_not_pythons():
    result = invoke("summary", SERIES, "--model", "negbin")
    assert result.exit_code == 0
    for line in result.stderr.splitlines():
        assert line.startswith(("warning: ", "... and ")), line
    assert "Warning:" not in result.stderr  # no raw Python warning


@pytest.mark.parametrize("command", ["forest", "survival"])
def test_help_shows_an_example_and_imports_nothing_heavy(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example: nmo-timeline" in result.stdout
    code = ("import sys; from nmo_timeline.cli import app\n"
            "try:\n    app(sys.argv[1:], prog_name='nmo-timeline')\n"
            "except SystemExit: pass\n"
            "heavy = {'pandas', 'numpy', 'matplotlib', 'scipy', 'statsmodels'}\n"
            "print('HEAVY', sorted(heavy & set(sys.modules)), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, command, "--help"], capture_output=True,
                          text=True, timeout=120)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_what_a_figure_leaves_out_is_said_after_any_number_of_analysis_warnings(tmp_path):
    from stats_series import regimen_series

    close = "".join(f"C{i:02d},relapse,ON,2010-01-01,,\nC{i:02d},relapse,TM,2010-01-11,,\n"
                    for i in range(12))  # twelve warnings of relapses 10 days apart
    csv = tmp_path / "s.csv"
    csv.write_text(regimen_series(20, per_regimen=2) + close)
    result = invoke("survival", str(csv), "-o", str(tmp_path / "km.png"), "--size", "column")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert any(x.startswith("... and ") and x.endswith(" more warnings (summary --format json "
                                                      "lists them all)") for x in lines)
    assert lines[-1].startswith("warning: showing the 5 regimens with the most patients; "
                                "15 more not drawn (")
