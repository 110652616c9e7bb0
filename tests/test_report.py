"""The summary's output formats: numbers, new statistics fields, and text made safe for
spreadsheets, Markdown and the terminal."""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps
from typer.testing import CliRunner

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.cli import app
from nmo_timeline.load import read_events_text
from nmo_timeline.output.report import (
    csv_text,
    markdown_text,
    terminal_text,
    to_csv,
    to_json,
    to_markdown,
    to_table,
)

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
                         "arr_median", "arr_min", "arr_max", "arr_mean", "arr_sd",
                         "arr_ci_low", "arr_ci_high", "edss_start_median",
                         "edss_end_median", "edss_change_median"}
    # 1 relapse in 2 * Y1 years: Garwood limits chi2(0.025, 2) / 2T, chi2(0.975, 4) / 2T
    assert toci["arr_ci_low"] == pytest.approx(sps.chi2.ppf(0.025, 2) / (4 * Y1))
    assert toci["arr_ci_high"] == pytest.approx(sps.chi2.ppf(0.975, 4) / (4 * Y1))
    assert doc["rules"]["ci_level"] == 0.95
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


def test_json_survival_compare_and_model_fields(tmp_path):
    s = summarise(read_events_text(SERIES, "s.csv"), compare="tocilizumab")
    doc = json.loads(to_json(s))
    surv = {x["regimen"]: x for x in doc["survival"]}
    # Tocilizumab: A is relapse-free for its whole year (censored at 365 days), B relapses
    # after 151 days (2011-06-01)
    toci = surv["Tocilizumab"]
    assert {k: toci[k] for k in ("patients", "events", "median_days", "survival_365")} == {
        "patients": 2, "events": 1, "median_days": 151.0, "survival_365": 0.5}
    assert toci["steps"] == [
        {"days": 151.0, "survival": 0.5, "at_risk": 2, "events": 1, "censored": 0},
        {"days": 365.0, "survival": 0.5, "at_risk": 1, "events": 0, "censored": 1}]
    c = doc["compare"]
    assert (c["relapses_before_total"], c["relapses_on_total"]) == (3, 1)
    assert c["rate_ratio"] == pytest.approx(1 / 3)  # equal years before and on
    assert (c["wilcoxon_p"], c["wilcoxon_pairs"]) == (0.5, 2)
    assert c["before_window"] is None and c["on_window"] is None
    assert c["arr_before_mean"] == pytest.approx(1.5 / Y1)
    assert "model" not in doc


def test_model_json_has_the_issue_fields_and_no_nan():
    rows = ["patient,kind,name,start,end,value"]
    for i in range(12):
        rows += [f"P{i},relapse,ON,2010-01-0{1 + i % 9},,",
                 f"P{i},relapse,ON,2010-0{2 + i % 7}-15,,",
                 f"P{i},therapy,{'Rituximab' if i % 2 else 'Azathioprine'},2011-01-01,"
                 "2012-12-31,"]
        if i % 3 == 0:
            rows.append(f"P{i},relapse,TM,2012-05-01,,")
    s = summarise(read_events_text("\n".join(rows) + "\n", "m.csv"), model="negbin")
    doc = json.loads(to_json(s))
    m = doc["model"]
    assert set(m) >= {"family", "reference", "terms", "alpha", "n_periods", "n_patients"}
    assert m["reference"] == "untreated" and m["n_patients"] == 12 and m["n_periods"] == 24
    assert [t["regimen"] for t in m["terms"]] == ["Azathioprine", "Rituximab"]
    for t in m["terms"]:
        assert set(t) >= {"regimen", "rate_ratio", "ci_low", "ci_high", "p"}
        assert all(v is None or math.isfinite(v) for v in t.values() if not isinstance(v, str))



def test_a_regimen_without_relapses_has_no_model_numbers_in_any_report():
    rows = ["patient,kind,name,start,end,value"]
    for i in range(12):  # Azathioprine years without a relapse: no rate ratio to estimate
        rows += [f"P{i},relapse,ON,2010-01-0{1 + i % 9},,",
                 f"P{i},relapse,ON,2010-0{2 + i % 7}-15,,",
                 f"P{i},therapy,{'Rituximab' if i % 2 else 'Azathioprine'},2011-01-01,"
                 "2012-12-31,"]
        if i % 2:
            rows.append(f"P{i},relapse,TM,2012-05-01,,")
    s = summarise(read_events_text("\n".join(rows) + "\n", "m.csv"), model="negbin")
    aza, rtx = json.loads(to_json(s))["model"]["terms"]
    assert aza["regimen"] == "Azathioprine" and aza["events"] == 0
    assert [aza[k] for k in ("rate_ratio", "ci_low", "ci_high", "p")] == [None] * 4
    assert rtx["events"] == 6 and rtx["rate_ratio"] > 0 and rtx["p"] is not None
    model = to_table(s).split("Rate ratios")[1].splitlines()
    assert next(x for x in model if "Azathioprine" in x).split() == [
        "Azathioprine", "0", "11.99", "not", "estimable", "-"]
    assert "| Azathioprine | 0 | 11.99 | not estimable | - |" in to_markdown(s)

def test_ci_level_changes_every_interval_and_its_label():
    s90 = summarise(read_events_text(SERIES, "s.csv"), compare="tocilizumab", level=0.9)
    s95 = summarise(read_events_text(SERIES, "s.csv"), compare="tocilizumab")
    assert s90.cohort[0].arr_ci_high < s95.cohort[0].arr_ci_high
    assert s90.comparison.rate.ci_high < s95.comparison.rate.ci_high
    assert "ARR pooled (90 % CI)" in to_table(s90)
    assert "| ARR pooled (90 % CI) |" in to_markdown(s90)
    assert "ARR pooled (95 % CI)" in to_table(s95)


def test_table_shows_ci_edss_and_time_to_first_relapse(summary):
    text = to_table(summary)
    # untreated: 3 relapses in 2 * Y1 years
    low, high = sps.chi2.ppf(0.025, 6) / (4 * Y1), sps.chi2.ppf(0.975, 8) / (4 * Y1)
    assert f"{3 / (2 * Y1):.2f} ({low:.2f}-{high:.2f})" in text
    assert "EDSS by regimen" in text and "Time to first relapse" in text
    edss = text.split("EDSS by regimen")[1].split("\n\n")[0].splitlines()
    assert edss[3].split() == ["untreated", "2.5", "-", "-"]  # median of 2.0 and 3.0
    km = text.split("Time to first relapse")[1].split("\n\n")[0].splitlines()
    assert km[4].split() == ["Tocilizumab", "2", "1", "151", "50", "%"]
    assert "paired Wilcoxon signed-rank test: p = 0.500, 2 pairs" in text
    assert "1 relapse in 2.00 years on, 3 in 2.00 years before" in text


# ------------------------------------------------------------------ text made safe

HOSTILE = """patient,kind,name,start,end,value
"=HYPERLINK(""http://x"")",relapse,ON,2010-06-01,,
"=HYPERLINK(""http://x"")",therapy,@SUM(1+1),2011-01-01,ongoing,
"=HYPERLINK(""http://x"")",edss,,2011-01-01,,3.0
"=HYPERLINK(""http://x"")",edss,,2011-06-01,,2.0
-2+3,relapse,ON,2010-01-01,,
-2+3,therapy,"Drug|A",2010-06-01,ongoing,
-2+3,edss,,2011-06-01,,4.0
"\x1b[2J\x1b]0;pwned\x07P3",relapse,ON,2010-01-01,,
"\x1b[2J\x1b]0;pwned\x07P3",therapy,"Line1
Line2",2010-03-01,ongoing,
"\x1b[2J\x1b]0;pwned\x07P3",edss,,2011-06-01,,4.0
"""


@pytest.fixture
def hostile():
    return summarise(read_events_text(HOSTILE, "h.csv"))


def test_csv_neutralises_formulas_in_text_cells_only(hostile):
    rows = list(csv.reader(io.StringIO(to_csv(hostile))))[1:]
    patients = {r[0] for r in rows}
    assert "'=HYPERLINK(\"http://x\")" in patients
    assert "'-2+3" in patients
    assert "'@SUM(1+1)" in {r[1] for r in rows}
    for r in rows:
        for cell in (r[0], r[1]):  # text cells: nothing a spreadsheet would run
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    # numbers the tool writes stay numbers: the EDSS change of -1.0 is not text
    (change,) = [r[9] for r in rows if r[1] == "'@SUM(1+1)"]
    assert change == "-1.0"


def test_markdown_cells_are_one_line_with_escaped_pipes(hostile):
    md = to_markdown(hostile)
    assert "Drug\\|A" in md
    assert "Line1 Line2" in md
    for line in md.splitlines():
        if line.startswith("|") and "Drug" in line:
            assert line.count(" | ") + 2 == line.count("|") - line.count("\\|")
    assert "\x1b" not in md


def test_terminal_table_has_no_control_characters(hostile):
    text = to_table(hostile)
    assert "\x1b" not in text and "\x07" not in text
    assert "Patient \\x1b[2J\\x1b]0;pwned\\x07P3" in text
    assert "Line1 Line2" in text  # the registry folds the line break of a therapy label
    for ch in text:
        assert ch == "\n" or unicodedata.category(ch) not in {"Cc", "Cf"}


def test_cli_csv_and_table_are_safe(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text(HOSTILE)
    out = CliRunner().invoke(app, ["summary", str(p), "--format", "csv"])
    assert out.exit_code == 0 and "'=HYPERLINK" in out.stdout
    out = CliRunner().invoke(app, ["summary", str(p)])
    assert out.exit_code == 0 and "\x1b" not in out.stdout


@given(st.text(max_size=30))
def test_text_helpers_never_pass_dangerous_characters(text):
    safe = csv_text(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    shown = terminal_text(text)
    assert safe in (shown, "'" + shown)  # printed to the terminal too: controls escaped
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Zl", "Zp"} for c in shown)
    cell = markdown_text(text)
    assert "\n" not in cell and "\r" not in cell
    assert cell.count("|") == cell.count("\\|")


def test_terminal_text_keeps_ordinary_text():
    assert terminal_text("Müller-Lüdenscheidt 日本 α β") == "Müller-Lüdenscheidt 日本 α β"
    assert terminal_text("a\u202eb") == "a\\u202eb"  # a bidi override is shown, not obeyed



def test_comparison_table_escapes_patient_ids_too():
    text = (HOSTILE.replace("Drug|A", "Tocilizumab").replace("@SUM(1+1)", "Tocilizumab")
            .replace('"Line1\nLine2"', "Tocilizumab"))
    s = summarise(read_events_text(text, "h.csv"), compare="tocilizumab")
    table = to_table(s)
    block = table.split("Before vs on Tocilizumab")[1]
    assert "\x1b" not in block and "\\x1b[2J" in block
    assert "\x1b" not in to_markdown(s)
