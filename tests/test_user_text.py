"""User text is text: therapy, lab, unit, relapse, detail, patient, title, callout and
style-label texts are drawn as written in every figure (no mathtext), and every SVG the
tool writes is well-formed XML whatever characters the text holds."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from nmo_timeline.cli import app

TRICKY = [r"Drug $\alpha$", r"$\frac{$", "50% off_label", "x^2 {y}", r"back\slash"]
CONTROL = "ctrl\x01char\ufffe"

SERIES = "\n".join([
    "patient,kind,name,start,end,value,unit,detail",
    f"{TRICKY[0]},therapy,{TRICKY[0]},2010-01-01,2011-06-30,5,{TRICKY[2]},{TRICKY[3]}",
    f"{TRICKY[0]},relapse,{TRICKY[1]},2010-06-01,,,,",
    f"{TRICKY[0]},lab,{TRICKY[4]},2010-03-01,,4.5,{TRICKY[2]},",
    f"{TRICKY[0]},edss,,2011-06-30,,3.0,,",
    f"{CONTROL},therapy,{TRICKY[1]},2010-01-01,ongoing,,,",
    f"{CONTROL},relapse,ON,2010-09-01,,,,",
    f"{CONTROL},relapse,TM,2011-09-01,,,,",
    f"{CONTROL},therapy,{CONTROL},2011-10-01,2011-12-01,,,",
]) + "\n"


def run(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output


def texts(svg_path) -> str:
    root = ET.parse(svg_path).getroot()  # raises on a file that is not well-formed XML
    return " ".join("".join(el.itertext()) for el in root.iter()
                    if el.tag.endswith("text"))


@pytest.fixture
def files(tmp_path):
    data = tmp_path / "series.csv"
    data.write_text(SERIES, encoding="utf-8")
    style = tmp_path / "s.toml"
    style.write_text('[lanes.labels]\n"Drug $\\\\alpha$" = "label {$x$} 100%"\n',
                     encoding="utf-8")
    return tmp_path, data, style


def test_the_timeline_draws_every_user_text_as_written(files):
    tmp, data, style = files
    out = tmp / "t.svg"
    run("plot", str(data), "--patient", TRICKY[0], "-o", str(out), "--title", r"Case $1$ 5%",
        "--annotate", r"switch $\beta$@2010-09-01", "--style", str(style))
    shown = texts(out)
    for text in ("label {$x$} 100%", TRICKY[1], TRICKY[4], r"Case $1$ 5%", r"switch $\beta$",
                 TRICKY[2]):
        assert text in shown, text


def test_control_characters_never_make_an_svg_ill_formed(files):
    tmp, data, _ = files
    out = tmp / "c.svg"
    run("plot", str(data), "--patient", CONTROL, "-o", str(out), "--title", CONTROL)
    shown = texts(out)
    assert "ctrl\ufffdchar\ufffd" in shown  # replaced, visibly, not dropped silently
    assert "\x01" not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["swimmer"], ["forest"], ["survival", "--regimens",
                                                                   TRICKY[1]],
                                     ["pathways"], ["occupancy"]])
def test_every_cohort_figure_writes_well_formed_svg_with_the_text_as_written(files, command):
    tmp, data, _ = files
    out = tmp / f"{command[0]}.svg"
    run(command[0], str(data), *command[1:], "-o", str(out), "--title", r"Series $\gamma$")
    shown = texts(out)
    assert r"Series $\gamma$" in shown
    assert "\x01" not in out.read_text(encoding="utf-8")
