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


# ---------------------------------------------------------------- --registry and the period rules

SERIES = ("patient,kind,name,start,end,value\n"
          "A,relapse,ON,2010-01-01,,\nA,therapy,Ofatu-B,2010-01-06,ongoing,20\n"
          "A,relapse,TM,2010-09-01,,\nA,edss,,2011-06-01,,3.0\n"
          "B,relapse,ON,2011-01-01,,\nB,therapy,Ofatu-B,2011-03-01,2011-12-31,20\n"
          "B,therapy,Azathioprine,2012-01-10,ongoing,150\nB,edss,,2013-01-01,,2.5\n")
EVENT_COMMANDS = {
    "plot": ["--patient", "A", "-o", "{out}.png", "--dpi", "50"],
    "validate": [], "summary": [],
    "swimmer": ["-o", "{out}.png", "--dpi", "50"], "forest": ["-o", "{out}.png", "--dpi", "50"],
    "survival": ["-o", "{out}.png", "--dpi", "50"],
    "pathways": ["-o", "{out}.png", "--dpi", "50"],
    "occupancy": ["-o", "{out}.png", "--dpi", "50"],
}


@pytest.fixture
def series(tmp_path):
    p = tmp_path / "series.csv"
    p.write_text(SERIES)
    return p


@pytest.mark.parametrize("command", list(EVENT_COMMANDS))
def test_every_command_that_reads_events_takes_a_registry(tmp_path, series, command):
    bad = tmp_path / "clinic.toml"
    bad.write_text('[therapies.ofatumumab]\nrole = "sometimes"\n')
    extra = [a.format(out=tmp_path / command) for a in EVENT_COMMANDS[command]]
    result = invoke(command, str(series), *extra, "--registry", str(bad))
    assert result.exit_code == 1
    assert result.stderr == (f"{bad}:2: therapies.ofatumumab.role: 'sometimes' is not a role; "
                             "use acute, maintenance or other\n"
                             "1 error found; nothing was written.\n")
    assert not list(tmp_path.glob(f"{command}*"))
    good = tmp_path / "good.toml"
    good.write_text('[therapies.ofatumumab]\naliases.brands = ["Ofatu-B"]\n')
    result = invoke(command, str(series), *extra, "--registry", str(good))
    assert result.exit_code == 0, result.output


def test_a_registry_file_says_what_a_clinic_name_means(tmp_path, series):
    plain = invoke("summary", str(series), "--format", "json")
    assert "Ofatu-B" in {p["regimen"] for pt in json.loads(plain.stdout)["patients"]
                         for p in pt["periods"]}
    reg = tmp_path / "clinic.toml"
    reg.write_text('[therapies.ofatumumab]\naliases.brands = ["Ofatu-B"]\n')
    named = invoke("summary", str(series), "--format", "json", "--registry", str(reg))
    regimens = [p["regimen"] for pt in json.loads(named.stdout)["patients"]
                for p in pt["periods"]]
    assert "Ofatumumab" in regimens and "Ofatu-B" not in regimens


def test_period_options_reach_the_summary(series):
    default = json.loads(invoke("summary", str(series), "--format", "json").stdout)
    first = default["patients"][0]["periods"][0]
    assert (first["regimen"], first["arr"]) == ("untreated", None)  # 5 days: no ARR
    assert default["rules"]["min_period_days"] == 30
    every = json.loads(invoke("summary", str(series), "--format", "json",
                              "--min-period-days", "0").stdout)
    assert every["patients"][0]["periods"][0]["arr"] == pytest.approx(365.25 / 5)
    # B: 9 days between the end of one therapy and the start of the next
    joined = [p["regimen"] for p in default["patients"][1]["periods"]]
    apart = [p["regimen"] for p in json.loads(invoke(
        "summary", str(series), "--format", "json", "--max-gap-days", "0").stdout
        )["patients"][1]["periods"]]
    assert joined == ["untreated", "Ofatu-B", "Azathioprine"]
    assert apart == ["untreated", "Ofatu-B", "untreated", "Azathioprine"]


@pytest.mark.parametrize("command", ["plot", "summary", "swimmer", "forest", "survival",
                                     "pathways", "occupancy"])
def test_commands_that_use_periods_take_the_period_options(tmp_path, series, command):
    extra = [a.format(out=tmp_path / command) for a in EVENT_COMMANDS[command]]
    result = invoke(command, str(series), *extra, "--min-period-days", "10",
                    "--max-gap-days", "0")
    assert result.exit_code == 0, result.output
    result = invoke(command, str(series), *extra, "--max-gap-days", "-1")
    assert result.exit_code == 1 and "--max-gap-days" in result.stderr


def test_the_command_line_defaults_are_the_analysis_defaults():
    import inspect

    from nmo_timeline.analysis.periods import MAX_GAP_DAYS, MIN_PERIOD_DAYS
    from nmo_timeline.cli import cohort, plot, stats, summary, swimmer
    from nmo_timeline.plan.options import FigureOptions, parse_size

    for fn in (plot.plot, summary.summary, swimmer.swimmer, stats.forest, stats.survival,
               cohort.pathways, cohort.occupancy):
        params = inspect.signature(fn).parameters
        assert params["max_gap_days"].default == MAX_GAP_DAYS, fn.__name__
        assert params["min_period_days"].default == MIN_PERIOD_DAYS, fn.__name__
    assert (FigureOptions().min_period_days, FigureOptions().max_gap_days) == (
        MIN_PERIOD_DAYS, MAX_GAP_DAYS)
    # the plot flags that become FigureOptions start from its defaults
    params = inspect.signature(plot.plot).parameters
    defaults = FigureOptions()
    assert parse_size(params["size"].default) == defaults.size
    assert params["theme"].default.value == defaults.theme
    assert params["dpi"].default == defaults.dpi
    assert params["calendar"].default is defaults.calendar_row


def test_a_style_files_therapies_reach_the_roles_and_the_figure(tmp_path):
    from nmo_timeline.cli.base import read_registry
    from nmo_timeline.load import read_events_text
    from nmo_timeline.plan.style import StyleError, load_style
    from nmo_timeline.plan.timeline import plan_timeline

    style = tmp_path / "s.toml"
    style.write_text('[therapies.antiemetic]\nlabel = "Ondansetron"\nclass = "supportive"\n'
                     'role = "acute"\ncolour = "#777777"\n')
    spec = load_style(style)
    text = "kind,name,start,end\ntherapy,Ondansetron,2021-11-15,2021-11-16\n"
    table = read_events_text(text, "s.csv", registry=read_registry(None, spec))
    assert table.events.loc[0, "role"] == "acute"
    (lane,) = plan_timeline(table, style=spec).lanes
    assert (lane.colour, lane.acute) == ("#777777", True)
    # through the API, the style still colours a table read without it
    (lane,) = plan_timeline(read_events_text(text, "s.csv"), style=spec).lanes
    assert (lane.colour, lane.acute) == ("#777777", False)
    style.write_text('[lanes]\norder = ["x"]\n\n[therapies.antiemetic]\nrole = "never"\n')
    with pytest.raises(StyleError) as info:
        load_style(style)
    assert str(info.value).splitlines() == [
        f"{style}:4: therapies.antiemetic: a new therapy needs label (a therapy of the "
        "registry is changed by its key)",
        f"{style}:5: therapies.antiemetic.role: 'never' is not a role; use acute, "
        "maintenance or other"]


@pytest.mark.parametrize("command", ["plot", "swimmer", "forest", "occupancy"])
def test_an_output_named_like_the_registry_file_is_refused(tmp_path, series, command):
    reg = tmp_path / "clinic.svg"  # a registry file, oddly named
    text = '[therapies.ofatumumab]\naliases.brands = ["Ofatu-B"]\n'
    reg.write_text(text)
    extra = ["--patient", "A"] if command == "plot" else []
    result = invoke(command, str(series), *extra, "--registry", str(reg), "-o", str(reg))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {reg}: this is the input file {reg}; writing there "
                             "would replace your data with the output; choose another name\n")
    assert reg.read_text() == text


def test_an_output_named_like_the_style_file_is_refused(tmp_path, series):
    style = tmp_path / "house.svg"
    style.write_text("[font]\nscale = 1.2\n")
    result = invoke("plot", str(series), "--patient", "A", "--style", str(style),
                    "-o", str(style))
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"error: {style}: this is the input file {style}; writing there "
                             "would replace your data with the output; choose another name\n")
    assert style.read_text() == "[font]\nscale = 1.2\n"
