"""The README's examples are executed, so the manual cannot drift from the tool."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmo_timeline import bundled_events_path
from nmo_timeline.cli import app
from nmo_timeline.errors import InputError
from nmo_timeline.load import read_events_text

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

BAD_CSV = "kind,start,value\nedss,2011-01-01,12\nrelapse,2011-02-30,\n"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def console_examples() -> list[tuple[str, str]]:
    out = []
    for block in blocks("console"):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            out.append((command, expected))
    return out


@pytest.fixture
def workdir(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(bundled_events_path(), tmp_path / "data" / "events.csv")
    (tmp_path / "bad.csv").write_text(BAD_CSV)
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "series.csv", tmp_path / "examples" / "series.csv")
    old = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


@pytest.mark.parametrize(("command", "expected"), console_examples())
def test_console_examples(workdir, command, expected):
    args = shlex.split(command)
    assert args[0] == "nmo-timeline"
    result = CliRunner().invoke(app, args[1:])
    assert result.output == expected


def test_there_are_console_examples():
    assert len(console_examples()) >= 3


def test_csv_example_reads_as_described():
    (csv,) = blocks("csv")
    t = read_events_text(csv, "example.csv")
    ev = t.events
    therapy = ev[ev["kind"] == "therapy"]
    assert therapy["name"].tolist() == ["IV methylprednisolone", "Rituximab", "Rituximab",
                                        "Tocilizumab"]
    assert therapy["ongoing"].tolist() == [False, False, False, True]
    assert int((therapy["end"] == therapy["end"]).sum()) == 1  # one course, two single doses


def test_python_examples_run(workdir):
    examples = blocks("python")
    assert len(examples) >= 2
    namespace: dict[str, object] = {}
    for code in examples:
        exec(compile(code, "README.md", "exec"), namespace)
    assert (workdir / "case.svg").read_text().startswith("<?xml")
    fig = namespace["fig"]
    assert [round(x, 1) for x in fig.get_size_inches()] == [7.2, 4.5]  # the options reached it
    assert [ax.get_gid() for ax in fig.axes][:2] == ["panel:edss", "panel:periods"]


def test_setup_commands_are_the_ones_ci_uses():
    run = re.search(r"<!-- run-command -->\n```bash\n(.*?)\n```", README).group(1)
    test = re.search(r"<!-- test-command -->\n```bash\n(.*?)\n```", README).group(1)
    assert run.endswith("nmo-timeline plot")
    assert "[test]" in test and "pytest" in test
    assert "test-command" in (ROOT / ".ci" / "run").read_text()


def test_readme_figures_are_the_scripts_current_output(tmp_path):
    """Every figure the README shows is made by scripts/make_figures.py, and the copy in
    docs/ is what the script draws now (run it after a change to the figures)."""
    import runpy

    from matplotlib.testing.compare import compare_images

    mod = runpy.run_path(str(ROOT / "scripts" / "make_figures.py"))
    written = {p.name: p for p in mod["main"](tmp_path)}
    shown = re.findall(r"\]\(docs/([^)]+\.png)\)", README)
    assert shown
    for image in shown:
        assert image in written, f"{image} is not made by scripts/make_figures.py"
        stale = compare_images(str(ROOT / "docs" / image), str(written[image]), tol=3)
        assert stale is None, f"docs/{image} is stale: run python scripts/make_figures.py"


def test_registry_example_works_as_described(tmp_path):
    from nmo_timeline.load import read_registry

    (example,) = [b for b in blocks("toml") if b.startswith("# my_clinic.toml")]
    path = tmp_path / "my_clinic.toml"
    path.write_text(example)
    registry = read_registry(path)
    assert registry.lookup("Rituximab-Hexal").key == "rituximab"
    info = registry.lookup("SD 101")
    assert (info.label, info.role, info.long_acting) == ("Study drug SD-101", "maintenance", True)
    assert registry.colour_of(info) == registry.colour_of(registry.lookup("inebilizumab"))
    # the message the README quotes
    path.write_text(example.replace('role = "maintenance"', 'role = "sometimes"'))
    with pytest.raises(InputError) as info:
        read_registry(path)
    quoted = re.search(r"\(`(my_clinic\.toml:\d+: .*?)`\)", README, flags=re.S).group(1)
    assert str(info.value.problems[0]).replace(str(tmp_path) + "/", "") == " ".join(
        quoted.split())


def test_readme_names_resolve_as_it_says():
    from nmo_timeline.domain.registry import lookup

    for name in ("Methylprednisolon i.v.", "méthylprednisolone (Solumédrol)",
                 "metilprednisolona", "mPSL", "IVMP", "Urbason"):
        assert lookup(name).key == "steroid-pulse", name
    for name in ("MabThera", "Truxima", "Rixathon", "Ruxience", "RTX"):
        assert lookup(name).key == "rituximab", name
    assert {lookup("PSL").key, lookup("Cortison").key} == {"oral-steroids"}
    assert {lookup("Imurek").key, lookup("Azathioprin").key} == {"azathioprine"}
