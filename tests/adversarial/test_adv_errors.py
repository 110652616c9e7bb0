"""Clear errors, not internal ones (issue 13): the user's or the machine's problems are
one line and exit status 1; exit 2 is for bugs only."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from swimmer_series import SERIES
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path
from nmo_timeline.cli import app

EXE = shutil.which("nmo-timeline", path=str(Path(sys.executable).parent))


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    assert EXE
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120, **kwargs)


# ---- style files


@pytest.mark.parametrize("text,message", [
    ('lanes = "x"\n', "[lanes]: must be a table"),
    ('colours = "x"\n', "[colours]: must be a table"),
    ('font = 3\n', "[font]: must be a table"),
    ('[panels]\nshow = "edss"\n', "panels.show: must be a list of panel names"),
    ('[font]\nscale = true\n', "font.scale: must be a number from 0.5 to 2"),
    ('[font]\nscale = nan\n', "font.scale: must be a number from 0.5 to 2"),
    ('[colours]\nA = [1, 2]\n', "colours.A: a list is not a colour; use #RRGGBB"),
    ('[colours]\nA = {b = 1}\n', "colours.A: a table is not a colour; use #RRGGBB"),
    ("[lanes]\norder = " + "[" * 2000 + "]" * 2000 + "\n",
     "not a style file: its arrays or tables are nested too deeply"),
])
def test_bad_style_files_are_one_message(tmp_path, text, message):
    style = tmp_path / "s.toml"
    style.write_text(text)
    result = run("plot", "-o", str(tmp_path / "o.png"), "--style", str(style))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {style}: ")
    assert message in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "o.png").exists()


def test_three_digit_colour_is_read_as_six(tmp_path):
    from nmo_timeline.plan.style import load_style

    style = tmp_path / "s.toml"
    style.write_text('[colours]\nTocilizumab = "#abc"\n')
    assert load_style(style).colours == {"tocilizumab": "#aabbcc"}
    result = run("plot", "-o", str(tmp_path / "o.png"), "--style", str(style), "--dpi", "50")
    assert result.exit_code == 0, result.output


# ---- numbers no axis can show


@pytest.mark.parametrize("args,message", [
    (["--window", "1e308:"], "--window '1e308:': '1e+308' years from the anchor is not a "
                             "time the axis can show (at most 200 years either side)"),
    (["--window", "nan:inf"], "--window 'nan:inf': 'nan' years from the anchor is not a time "
                              "the axis can show (at most 200 years either side)"),
    (["--window", "-inf:0"], "--window '-inf:0': '-inf' years"),
    (["--annotate", "X@1e308"], "'1e+308' years from the anchor is not a time the axis can "
                                "show"),
    (["--annotate", "X@nan"], "'nan' years from the anchor"),
    (["--annotate", "X@-1e+07", "--unit", "days"], "'-1e+07' days from the anchor"),
])
def test_relative_times_out_of_reach_are_one_line(tmp_path, args, message):
    result = run("plot", "-o", str(tmp_path / "o.png"), "--relative", "onset", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


# ---- the machine: permissions, closed and full streams


def _unprivileged() -> list[str]:
    """A prefix that runs a command as a user without root's override of permissions."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_dir():
    """A folder any user can use (tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="nmo-adv-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _as_user(*args: str) -> subprocess.CompletedProcess:
    assert EXE
    config = Path(tempfile.mkdtemp(prefix="nmo-mpl-"))
    config.chmod(0o777)
    env = {**os.environ, "MPLCONFIGDIR": str(config), "HOME": str(config)}
    try:
        return subprocess.run([*_unprivileged(), EXE, *args], capture_output=True, text=True,
                              timeout=120, env=env)
    finally:
        shutil.rmtree(config, ignore_errors=True)


def test_unreadable_file_is_one_line(shared_dir):
    data = shared_dir / "e.csv"
    data.write_text(bundled_events_path().read_text())
    data.chmod(0o000)
    proc = _as_user("validate", str(data))
    assert proc.returncode == 1
    assert proc.stderr == f"{data}: cannot be read (Permission denied)\n"


def test_unreadable_folder_is_one_line(shared_dir):
    folder = shared_dir / "locked"
    folder.mkdir()
    (folder / "e.csv").write_text(bundled_events_path().read_text())
    folder.chmod(0o000)
    try:
        proc = _as_user("validate", str(folder / "e.csv"))
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1
    assert proc.stderr == f"error: {folder / 'e.csv'}: Permission denied\n"


def test_read_only_output_folder_is_one_line(shared_dir):
    folder = shared_dir / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    proc = _as_user("plot", "-o", str(folder / "x.png"), "--dpi", "50")
    assert proc.returncode == 1
    assert proc.stderr == f"error: {folder / 'x.png'}: cannot write there (Permission denied)\n"
    assert list(folder.iterdir()) == []


def test_read_only_batch_folder_is_one_line(shared_dir):
    series = shared_dir / "s.csv"
    series.write_text(SERIES)
    parent = shared_dir / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    proc = _as_user("plot", str(series), "--all-patients", "--outdir", str(parent / "figs"))
    assert proc.returncode == 1
    assert proc.stderr == f"error: {parent / 'figs'}: Permission denied\n"


def test_stdout_closed_by_the_reader_is_quiet():
    """`nmo-timeline summary | head -1` printed a traceback."""
    proc = subprocess.run(f"'{EXE}' validate --format json | head -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout == "{\n" and proc.stderr == ""
    big = subprocess.Popen([EXE, "summary"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert big.stdout is not None and big.stderr is not None
    big.stdout.readline()
    big.stdout.close()
    big.wait(timeout=120)
    assert big.returncode in (0, 1) and b"Traceback" not in big.stderr.read()


def test_a_reader_that_stops_early_leaves_output_unwritten_status_1(tmp_path):
    # more JSON than a pipe holds: the run cannot finish writing, so it does not claim to
    # have (validate's 0 would read as "valid and delivered"); quietly, no message
    rows = "".join(f"edss,,{2000 + i // 300}-{1 + i // 25 % 12:02d}-{1 + i % 25:02d},,3,,\n"
                   for i in range(6000))
    many = tmp_path / "many.csv"
    many.write_text("kind,name,start,end,value,unit,detail\n" + rows)
    proc = subprocess.run(f"set -o pipefail; '{EXE}' validate '{many}' --format json | head -1",
                          shell=True, executable="/bin/bash", capture_output=True, text=True,
                          timeout=120)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "{\n", "")
    whole = subprocess.run([EXE, "validate", str(many), "--format", "json"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    assert whole.returncode == 0


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["validate"], ["validate", "--format", "json"],
                                     ["summary"], ["summary", "--format", "json"]])
def test_stdout_full_is_one_line(command):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([EXE, *command], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    assert proc.returncode == 1
    assert proc.stderr == "error: cannot write to standard output (No space left on device)\n"


def test_stdout_closed_before_the_run_is_one_line(tmp_path):
    proc = subprocess.run(f"'{EXE}' plot -o '{tmp_path / 'o.png'}' >&-", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr == "error: standard output is closed; nothing was done\n"
    assert not (tmp_path / "o.png").exists()


# ---- batch file names


def test_batch_file_names_are_safe_everywhere(tmp_path):
    long_id = "x" * 150
    rows = [f"{pid},relapse,ON,2011-01-0{i + 1},," for i, pid in
            enumerate(["CON", "nul.txt", "-rf", "COM1", long_id, "a" * 250])]
    series = tmp_path / "s.csv"
    series.write_text("patient,kind,name,start,end,value\n" + "\n".join(rows) + "\n")
    result = run("plot", str(series), "--all-patients", "--outdir", str(tmp_path / "o"),
                 "--dpi", "50")
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted(
        ["CON_.png", "nul_.txt.png", "rf.png", "COM1_.png", "x" * 100 + ".png"])
    assert result.stderr == (
        "1 patient failed:\n"
        f"  {'a' * 40}...:\n"
        f"    {series}: patient ID of 250 characters (from '{'a' * 40}...'); IDs of up to 200 "
        "characters are drawn: is the patient column holding something else?\n")


# ---- library warnings


def test_missing_glyphs_are_one_warning(tmp_path):
    # Linear B: in no font the tool uses or falls back to
    data = tmp_path / "rare.csv"
    data.write_text("kind,name,start,end,role\n"
                    "therapy,\U00010000\U00010001\U00010002,2011-01-01,2011-03-01,maintenance\n"
                    "therapy,\U00010003\U00010005,2011-04-01,2011-05-01,maintenance\n"
                    "relapse,TM,2011-02-01,,\n", encoding="utf-8")
    proc = cli("plot", str(data), "-o", str(tmp_path / "o.png"), "--dpi", "50")
    assert proc.returncode == 0
    assert proc.stderr == (
        "warning: the font has no glyphs for 5 characters in the figure's text (e.g. "
        "'\U00010000\U00010001\U00010002\U00010003\U00010005'), drawn as empty boxes; "
        "install a font with them and name it in a style file's [font] family\n")


def test_japanese_and_chinese_names_fall_back_to_an_installed_cjk_font(tmp_path):
    from nmo_timeline.draw.figure import installed_fallbacks

    if not installed_fallbacks():
        pytest.skip("no CJK font installed (CI installs fonts-noto-cjk)")
    data = tmp_path / "cjk.csv"
    data.write_text("kind,name,start,end,role\n"
                    "therapy,後療法,2011-01-01,2011-03-01,maintenance\n"
                    "therapy,免疫,2011-04-01,2011-05-01,maintenance\nrelapse,TM,2011-02-01,,\n",
                    encoding="utf-8")
    proc = cli("plot", str(data), "-o", str(tmp_path / "o.png"), "--dpi", "50")
    assert proc.returncode == 0
    assert proc.stderr == ""


def test_a_missing_font_is_one_warning(tmp_path):
    style = tmp_path / "s.toml"
    style.write_text('[font]\nfamily = "No Such Font"\n')
    data = tmp_path / "e.csv"
    data.write_text("kind,name,start,end\ntherapy,Azathioprine,2011-01-01,2012-01-01\n")
    proc = cli("plot", str(data), "-o", str(tmp_path / "o.png"), "--style", str(style),
               "--dpi", "50")
    assert proc.returncode == 0
    assert proc.stderr == (
        "warning: font family 'No Such Font' is not installed; the text is drawn in DejaVu "
        "Sans instead (name an installed font in the style file's [font] family)\n")


def test_batch_workers_send_their_warnings_once(tmp_path):
    style = tmp_path / "s.toml"
    style.write_text('[font]\nfamily = "No Such Font"\n')
    series = tmp_path / "s.csv"
    series.write_text(SERIES)
    proc = cli("plot", str(series), "--all-patients", "--outdir", str(tmp_path / "o"),
               "--style", str(style), "--dpi", "50")
    assert proc.returncode == 0
    assert proc.stderr.count("warning: font family 'No Such Font'") == 1
    assert proc.stderr.count("\n") == 1


def test_runtime_warnings_are_said_in_the_tools_words(monkeypatch):
    import warnings

    import nmo_timeline.draw.plot as plotting

    def noisy(*args, **kwargs):
        for _ in range(50):
            warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)
        raise OverflowError("too big")

    monkeypatch.setattr(plotting, "plot_timeline", noisy)
    result = run("plot", "-o", os.devnull + ".png")
    assert result.stderr.splitlines()[-1] == (
        "warning: RuntimeWarning: overflow encountered in multiply")
    assert result.stderr.count("overflow encountered") == 1


# ---- streaming validate


def test_validate_json_streams_the_same_bytes(monkeypatch, tmp_path):
    import nmo_timeline.cli.validate as validate
    from nmo_timeline.load import events_as_records, load_events

    data = tmp_path / "odd.csv"
    data.write_text('kind,name,start,value,unit,detail,patient\n'
                    'lab,"a""\\ü\u2028\x7f",2011-01-01,1e-7,"\t",x\U0001F600,007\n'
                    "lab,b,2011-01-02,123456789012345.6,u,,008\n"
                    + bundled_events_path().read_text().split("\n", 1)[1].replace(
                        "\n", ",,,P9\n").replace(",,,,P9", ",P9") * 0)
    for path in (bundled_events_path(), data):
        table = load_events(path)
        want = json.dumps({"file": str(path), "valid": True,
                           "events": events_as_records(table), "normalised": table.notes,
                           "warnings": [w.as_dict() for w in table.warnings], "errors": []},
                          indent=2, ensure_ascii=False) + "\n"
        monkeypatch.setattr(validate, "CHUNK", 7)  # many chunks
        got = run("validate", str(path), "--format", "json")
        assert got.exit_code == 0 and got.stdout == want


def test_streamed_records_come_in_chunks(monkeypatch):
    import nmo_timeline.cli.validate as validate
    from nmo_timeline.load import events_as_records, load_events

    monkeypatch.setattr(validate, "CHUNK", 10)
    sizes = [len(c) for c in validate._records(load_events(bundled_events_path()),
                                               events_as_records)]
    assert sizes == [10, 10, 10, 10, 10, 5]
    out = io.StringIO()
    validate.write_json_stream(out, {"events": iter([]), "errors": []})
    assert out.getvalue() == json.dumps({"events": [], "errors": []}, indent=2) + "\n"


def test_control_characters_of_a_cell_reach_the_terminal_as_escapes(tmp_path):
    data = tmp_path / "ctl.csv"
    data.write_text("patient,kind,name,start,end\n"
                    "P\x1b[31mRED,therapy,Rituxi\x1b]0;pwned\x07mab,2011-01-01,2011-03-01\n"
                    "P\u202e7,therapy,Azathioprine,2011-01-01,bad\n", encoding="utf-8")
    for command in (["validate", str(data)], ["plot", str(data), "-o", str(tmp_path / "o.png")]):
        proc = cli(*command)
        assert proc.returncode == 1
        assert "\x1b" not in proc.stderr + proc.stdout and "\u202e" not in proc.stderr
    proc = cli("validate", str(data))
    assert "'Rituxi\\x1b]0;pwned\\x07mab' is not a known therapy" in proc.stderr
