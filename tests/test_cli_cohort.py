"""The pathways and occupancy commands: exact messages, JSON on stdout, refusals."""

from __future__ import annotations

import json

import pytest
from test_occupancy import SERIES as TWO
from test_pathways import SERIES as SIX
from typer.testing import CliRunner

from nmo_timeline.analysis.occupancy import regimen_occupancy
from nmo_timeline.analysis.pathways import treatment_pathways
from nmo_timeline.cli import app
from nmo_timeline.load import read_events_text


@pytest.fixture
def six(tmp_path):
    p = tmp_path / "six.csv"
    p.write_text(SIX)
    return p


@pytest.fixture
def two(tmp_path):
    p = tmp_path / "two.csv"
    p.write_text(TWO)
    return p


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_pathways_figure(six, tmp_path):
    out = tmp_path / "pw.png"
    result = run("pathways", six, "-o", out, "--dpi", "60")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (6 patients, 5 pathways)\n"
    assert result.stderr == ""  # every wedge has its label
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_pathways_says_how_many_labels_are_left_out(tmp_path):
    from registry import write_registry

    from nmo_timeline.draw.pathways import render_pathways, wedge_labels
    from nmo_timeline.load import load_events
    from nmo_timeline.plan.pathways import plan_pathways

    p = tmp_path / "reg.csv"
    write_registry(p, 300)
    result = run("pathways", p, "-o", tmp_path / "pw.png", "--dpi", "60", "--min-patients", "5")
    assert result.exit_code == 0, result.output
    labelled, left_out = wedge_labels(render_pathways(
        plan_pathways(load_events(p), min_patients=5), dpi=60))
    assert left_out > 0
    assert result.stderr.splitlines()[-1] == (
        f"note: {left_out} of {labelled + left_out} wedges are too small for their label and "
        "are left unlabelled")


def test_pathways_json_is_the_analysis(six):
    result = run("pathways", six, "--format", "json", "--min-patients", "2", "--depth", "3")
    assert result.exit_code == 0, result.output
    want = treatment_pathways(read_events_text(SIX, "six.csv"), depth=3, min_patients=2)
    assert json.loads(result.stdout) == json.loads(json.dumps(want.as_dict()))
    assert json.loads(result.stdout)["other"] == {"patients": 4, "pathways": 4}
    assert result.stderr == ""


def test_pathways_default_output_name(six, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("pathways", six, "--dpi", "50")
    assert result.exit_code == 0
    assert result.stdout == "wrote pathways.png (6 patients, 5 pathways)\n"
    assert (tmp_path / "pathways.png").is_file()


def test_json_and_an_output_file_are_refused(six, tmp_path):
    result = run("pathways", six, "--format", "json", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert result.stderr == (f"error: --format json prints the numbers and draws no figure; drop "
                             f"-o {tmp_path / 'x.png'}, or run 'pathways' again without "
                             "--format json for the figure\n")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--depth", "0"], "Invalid value for '--depth': 0 is not in the range 1<=x<=8."),
    (["--min-patients", "0"], "Invalid value for '--min-patients': 0 is not in the range x>=1."),
    (["-o", "p.txt"], "p.txt: cannot write '.txt'; the output must end in .png, .svg or .pdf"),
])
def test_pathways_bad_options(six, args, message):
    result = run("pathways", six, *args)
    assert result.exit_code == 1
    assert message in result.stderr


def test_occupancy_figure_and_warning(two, tmp_path):
    out = tmp_path / "oc.svg"
    result = run("occupancy", two, "--align", "rtx", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} (1 patients)\n"
    assert result.stderr == "warning: 1 patient(s) never received rtx and are left out: P1\n"
    assert out.read_text().startswith("<?xml")


def test_occupancy_json(two):
    result = run("occupancy", two, "--format", "json", "--align", "first-therapy")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    want = regimen_occupancy(read_events_text(TWO, "two.csv"), align="first-therapy")
    assert doc == json.loads(json.dumps(want.as_dict()))
    assert doc["anchor"] == "first maintenance therapy" and doc["at_risk"][:5] == [2, 2, 2, 2, 1]
    for month in range(len(doc["times_years"])):
        assert sum(doc["shares"][k][month] for k in doc["shares"]) == pytest.approx(1.0)


def test_occupancy_nobody_with_the_anchor(two, tmp_path):
    result = run("occupancy", two, "--align", "eculizumab", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert result.stderr == "error: no patient received 'eculizumab'; nothing to draw\n"
    assert not (tmp_path / "x.png").exists()


def test_help_lists_the_commands():
    result = run("--help")
    assert "pathways" in result.stdout and "occupancy" in result.stdout
