"""One figure per patient (plot --all-patients): failures reported, files named safely."""

from __future__ import annotations

from swimmer_series import SERIES
from typer.testing import CliRunner

from nmo_timeline.cli import app


def test_batch_draws_every_patient_and_reports_failures(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES + "P3,edss,,2011-07-32,,2.0\nP/4,relapse,ON,2011-01-01,,\n")
    outdir = tmp_path / "figs"
    result = CliRunner().invoke(app, ["plot", str(p), "--all-patients", "--outdir",
                                      str(outdir)])
    assert result.exit_code == 1
    assert result.stdout == f"wrote 3 figures to {outdir}\n"
    assert result.stderr == (
        "1 patient failed:\n"
        "  P3:\n"
        f"    {p}:14:start: '2011-07-32' is not a real date: July 2011 has 31 days\n")
    assert sorted(f.name for f in outdir.iterdir()) == ["P10.png", "P2.png", "P_4.png"]


def test_batch_in_parallel_processes(tmp_path):
    from nmo_timeline.output.batch import plot_all_patients
    from nmo_timeline.plan.options import FigureOptions

    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    seen = []
    result = plot_all_patients(p, tmp_path / "o", FigureOptions(dpi=50), fmt="svg", workers=2,
                               progress=lambda done, total: seen.append((done, total)))
    assert sorted(f.name for f in result.written) == ["P10.svg", "P2.svg", "P3.svg"]
    assert result.failed == {}
    assert seen[-1] == (3, 3)


def test_safe_filenames_are_unique():
    from nmo_timeline.output.batch import safe_filename

    taken: set[str] = set()
    assert [safe_filename(x, taken) for x in ["a/b", "a_b", "../x", ""]] == [
        "a_b", "a_b-2", "x", "patient"]


def test_batch_refuses_options_it_would_ignore(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    result = CliRunner().invoke(app, ["plot", str(p), "--all-patients", "--outdir",
                                      str(tmp_path / "o"), "--build", "--pptx",
                                      str(tmp_path / "d.pptx")])
    assert result.exit_code == 1
    assert result.stderr == ("error: --all-patients draws every patient once; it does not go "
                             "with --build, --pptx\n")
    assert not (tmp_path / "o").exists()
