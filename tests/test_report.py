"""One test per summary output format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.cli import app
from nmo_timeline.load import read_events_text
from nmo_timeline.output.report import to_csv, to_json, to_markdown, to_table

SERIES = """patient,kind,name,start,end,value
A,edss,,2010-01-01,,2.0
A,relapse,ON,2010-06-01,,
A,therapy,Tocilizumab,2011-01-01,ongoing,8
A,edss,,2012-01-01,,2.5
B,edss,,2010-01-01,,3.0
B,relapse,TM,2010-03-01,,
B,relapse,TM,2010-09-01,,
B,therapy,Tocilizumab,2011-01-01,ongoing,8
B,relapse,ON,2011-06-01,,
B,edss,,2012-01-01,,3.5
"""
Y1 = 365 / 365.25  # 2010-01-01 .. 2011-01-01 and 2011-01-01 .. 2012-01-01


@pytest.fixture
def summary():
    return summarise(read_events_text(SERIES, "s.csv"), compare="tocilizumab")


def test_json_numbers_are_numbers_and_dates_iso(summary):
    doc = json.loads(to_json(summary))
    a, b = doc["patients"]
    assert (a["patient"], b["patient"]) == ("A", "B")
    assert a["periods"][0] == {
        "regimen": "untreated", "start": "2010-01-01", "end": "2011-01-01",
        "years": pytest.approx(Y1), "relapses": 1, "arr": pytest.approx(1 / Y1),
        # the only earlier EDSS (2010-01-01) is 365 days before the end: outside 180 days
        "edss_start": 2.0, "edss_end": None, "edss_change": None}
    cohort = {c["regimen"]: c for c in doc["cohort"]}
    toci = cohort["Tocilizumab"]
    assert toci["patients"] == 2 and toci["relapses"] == 1
    assert toci["arr_pooled"] == pytest.approx(1 / (2 * Y1))
    assert toci["arr_median"] == pytest.approx(0.5 / Y1)
    assert toci["arr_sd"] == pytest.approx(((1 / Y1) ** 2 / 2) ** 0.5)
    assert set(toci) == {"regimen", "patients", "relapses", "years", "arr_pooled",
                         "arr_median", "arr_min", "arr_max", "arr_mean", "arr_sd"}
    assert doc["compare"]["median_difference"] == pytest.approx(-1 / Y1)


def test_csv_one_row_per_patient_period(summary):
    rows = list(csv.DictReader(io.StringIO(to_csv(summary))))
    assert [(r["patient"], r["regimen"], r["relapses"]) for r in rows] == [
        ("A", "untreated", "1"), ("A", "Tocilizumab", "0"),
        ("B", "untreated", "2"), ("B", "Tocilizumab", "1")]
    assert float(rows[2]["arr"]) == pytest.approx(2 / Y1, abs=1e-6)


def test_table_is_aligned_and_shows_every_period(summary):
    text = to_table(summary)
    assert "Patient A: 2010-01-01 to 2012-01-01 (cut-off)" in text
    assert "Before vs on Tocilizumab" in text
    block = text.split("\n\n")[0].splitlines()
    assert len({len(line) for line in block[1:3]}) == 1  # header and rule line up
    # untreated: per-patient ARR 1/Y1 and 2/Y1 -> median 1.50, range 1.00-2.00
    assert "1.50 (1.00-2.00)" in text
    assert "0.50 (0.00-1.00)" in text


def test_markdown_pipe_tables(summary):
    md = to_markdown(summary)
    assert "| regimen | start | end | years | relapses | ARR |" in md
    assert "|---|---:|" in md
    assert md.count("**Patient") == 2


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_cli_summary_formats(tmp_path, fmt):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    result = CliRunner().invoke(app, ["summary", str(p), "--format", fmt])
    assert result.exit_code == 0, result.output
    expected = {"table": to_table, "csv": to_csv, "json": to_json, "markdown": to_markdown}[fmt]
    assert result.stdout == expected(summarise(read_events_text(SERIES, str(p))))


def test_cli_summary_patient_and_bad_cutoff(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(SERIES)
    result = CliRunner().invoke(app, ["summary", str(p), "--patient", "B", "--format", "csv"])
    assert result.exit_code == 0
    assert {line.split(",")[0] for line in result.stdout.splitlines()[1:]} == {"B"}
    result = CliRunner().invoke(app, ["summary", str(p), "--cutoff", "03/04/2011"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --cutoff: '03/04/2011' is a slash date")
    result = CliRunner().invoke(app, ["summary", str(p), "--cutoff", "2011-06"])
    assert result.exit_code == 1
    assert result.stderr == "error: --cutoff: '2011-06' must be a full date (YYYY-MM-DD)\n"
