"""Fuzzing the real command line (issue 13): any bytes, any rows.  Whatever the input, a
run ends with exit status 0 or 1 (never 2, a bug), prints no traceback, and a failed
run leaves no file behind."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path
from nmo_timeline.cli import app

BUNDLED = bundled_events_path().read_bytes()
COMMANDS = (["validate"], ["validate", "--format", "json"], ["summary"],
            ["summary", "--format", "csv"], ["validate", "--strict"])
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_run(data: bytes, name: str, command: list[str], output: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        args = [*command, str(path)]
        if output is not None:
            args += ["-o", str(Path(folder) / output)]
        result = CliRunner().invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            repr(result.exception))
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output and "internal error" not in result.output, (
            result.output)
        left = sorted(p.name for p in Path(folder).iterdir() if p.name != name)
        if result.exit_code or output is None:
            assert left == [], (result.output, left)
        else:  # the figure, or every frame of a build (fig-01.png, ...)
            stem = Path(output).stem
            assert left and all(f.startswith(stem) and not f.endswith(".tmp") for f in left)
        assert path.read_bytes() == data  # the input is never touched


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """The bundled file with bytes replaced, inserted or cut at random places."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            at = draw(st.integers(0, len(out)))
            action = draw(st.sampled_from(["replace", "insert", "cut"]))
            chunk = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b'"', b",", b";", b"\t", b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf",
                 b"2011-02-30", b"1e308", b"nan", b"=cmd", "後".encode()]))
            if action == "replace":
                out[at:at + len(chunk)] = chunk
            elif action == "insert":
                out[at:at] = chunk
            else:
                del out[at:at + draw(st.integers(1, 40))]
        return bytes(out)

    return build()


@FUZZ
@given(data=st.binary(max_size=400) | mutated(BUNDLED), command=st.sampled_from(COMMANDS))
def test_any_bytes_give_exit_0_or_1_and_no_traceback(data, command):
    check_run(data, "in.csv", command)


CELLS = st.sampled_from([
    "", " ", "therapy", "relapse", "edss", "mri", "lab", "THERAPY", "x", "Rituximab", "RTX",
    "2011-01-01", "2011-02-30", "01.02.2010", "03/04/2011", "2011", "2011-13", "1899-01-01",
    "40544", "ongoing", "NA", "-", "3.5", "3,5", "1.000", "-1", "0.5", "12", "1e308", "nan",
    "inf", "mg", "mU/mL", "MU/mL", "acute", "maintenance", '"', '""', "a,b", "a\nb", "\x00",
    "=HYPERLINK(1)", "$\\frac{$", "\x1b[31m", "\ufffe", "後療法", "P1", "P2", "007",
])
HEADERS = st.lists(st.sampled_from(["kind", "name", "start", "end", "value", "unit",
                                    "detail", "patient", "role", "dose", "", "Kind"]),
                   min_size=1, max_size=9)


def _csv(header: list[str], rows: list[list[str]], delimiter: str) -> bytes:
    def cell(text: str) -> str:
        if any(ch in text for ch in (delimiter, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(cell(c) for c in row) for row in [header, *rows]]
    return ("\n".join(lines) + "\n").encode("utf-8")


@st.composite
def tables(draw: st.DrawFn) -> bytes:
    header = draw(HEADERS)
    width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
    rows = draw(st.lists(st.lists(CELLS, min_size=max(width, 0), max_size=max(width, 0)),
                         max_size=12))
    return _csv(header, rows, draw(st.sampled_from([",", ";", "\t"])))


@FUZZ
@given(data=tables(), command=st.sampled_from(COMMANDS))
def test_any_rows_give_exit_0_or_1_and_no_traceback(data, command):
    check_run(data, "rows.csv", command)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=tables() | mutated(BUNDLED),
       options=st.sampled_from([[], ["--relative", "onset"], ["--anonymize"], ["--arr"],
                                ["--window", "2008:2010"], ["--build"]]))
def test_plot_of_any_rows_writes_a_whole_figure_or_nothing(data, options):
    check_run(data, "rows.csv", ["plot", "--size", "column", "--dpi", "50", *options],
              output="fig.png")
