"""--anonymize keeps no dates (issue 13): not in the axis label, not in names or units."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from nmo_timeline.cli import app
from nmo_timeline.load import read_events_text
from nmo_timeline.load.anonymize import scrub_dates, scrub_text
from nmo_timeline.plan.options import FigureOptions
from nmo_timeline.plan.timeline import plan_timeline

CSV = """kind,name,start,end,value,unit,detail
relapse,TM 2006-11-02,2006-11-02,,,,onset 10 May 2006
therapy,Rituximab 2008-06-02,2008-06-02,,1000,mg (10.05.2006),
therapy,Rituximab 2009-06-02,2009-06-02,,1000,mg,
lab,IL-6 May 2006,2006-05-10,,45,pg/mL 2006,
edss,,2010-01-01,,3.5,,
"""
DATES = re.compile(r"(?:19|20)\d\d|May|10\.05")


def test_a_date_anchor_is_not_written_into_the_axis_label():
    table = read_events_text(CSV)
    plain = plan_timeline(table, FigureOptions(relative="2006-05-10"))
    assert plain.axis.label == "Years since 2006-05-10"
    hidden = plan_timeline(table, FigureOptions(relative="2006-05-10", anonymize=True))
    assert hidden.axis.label == "Years since anchor"
    assert plan_timeline(table, FigureOptions(anonymize=True)).axis.label == "Years since onset"


@pytest.mark.parametrize("ext", ["svg", "pdf"])
def test_an_anonymized_figure_holds_no_date_like_text(tmp_path, ext):
    data = tmp_path / "case.csv"
    data.write_text(CSV)
    out = tmp_path / f"fig.{ext}"
    result = CliRunner().invoke(app, ["plot", str(data), "-o", str(out), "--anonymize",
                                      "--relative", "2006-05-10"])
    assert result.exit_code == 0, result.output
    if ext == "svg":
        svg = out.read_text()
        drawn = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL))
        ids = " ".join(re.findall(r'id="([^"]*)"', svg))
        assert "Years since anchor" in drawn and "[date]" in drawn
        assert not DATES.search(drawn), DATES.search(drawn)
        assert not DATES.search(ids), DATES.search(ids)
    else:
        assert b"2006" not in out.read_bytes() and b"2008" not in out.read_bytes()


def test_scrubbing_keeps_lanes_apart_and_keys_free_of_dates():
    table = scrub_dates(read_events_text(CSV))
    therapy = table.events[table.events["kind"] == "therapy"]
    assert therapy["name"].tolist() == ["Rituximab [date]", "Rituximab [date]"]
    assert therapy["name_key"].nunique() == 2
    assert not any(DATES.search(k) for k in table.events["name_key"])
    assert table.events["unit"].tolist()[1:4] == ["mg ([date])", "mg", "pg/mL [date]"]


@pytest.mark.parametrize("text", ["2006-05-10", "2006-05", "10.05.2006", "10/05/06",
                                  "5/10/2006", "10 May 2006", "May 10, 2006", "Mai 2006",
                                  "10. Mai 2006", "2006", "2006-05-10T00:00", "mars 2006",
                                  # ranges, month and year, dates without separators
                                  "2015-2018", "2015\u20132018", "2015/16", "12/2019",
                                  "03.2020", "Mar-2020", "20190310", "201903",
                                  "10-Mar-2019", "2019_03_10", "Q1-2019", "FY2019", "2019Q1",
                                  "2019\u5e743\u6708"])
def test_date_like_text_is_scrubbed(text):
    assert scrub_text(f"IL-6 {text} CSF") == "IL-6 [date] CSF"


def test_a_date_after_a_hyphen_is_scrubbed_but_a_day_first_date_needs_a_clean_start():
    assert scrub_text("ECU-2019-01") == "ECU-[date]"
    assert scrub_text("Lot AB-2019") == "Lot AB-[date]"
    assert scrub_text("IL-6 May 10, 2006") == "IL-6 [date]"  # not "IL-[date]"


@pytest.mark.parametrize("text", ["CSF IL-6", "mg/m2", "pg/mL", "LETM C3-C7", "T2 lesions",
                                  "1000 mg", "EDSS 2.5", "cycle 12", "AQP4-IgG", "x3000",
                                  "weeks 0-2-4", "XY-1234", "COVID-19", "CD19-guided",
                                  "x10^9/L", "1:x", "Rituximab 2000 mg", "a 1900 mg dose"])
def test_other_text_is_kept(text):
    assert scrub_text(text) == text


def test_the_python_api_scrubs_dates_from_names_under_anonymize():
    from matplotlib.text import Text

    from nmo_timeline import plot_timeline, read_events_text

    table = read_events_text("kind,name,start,value,unit\nlab,IL-6 (10.05.2006),2006-05-10,4,"
                             "pg/mL\nrelapse,ON,2006-05-01,,\n")
    texts = [t.get_text() for t in plot_timeline(table, anonymize=True, dpi=30).findobj(Text)]
    assert any("IL-6 ([date])" in t for t in texts)
    assert not any("2006" in t for t in texts)
