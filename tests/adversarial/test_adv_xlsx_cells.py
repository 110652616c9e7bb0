"""What each kind of sheet cell becomes: a workbook is read as the text a user sees in
Excel, then validated like a CSV (formulas by their computed value, dates as ISO days)."""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import date, datetime

import pytest
from xlsx_parts import SHEET, rewrite, workbook

from nmo_timeline.errors import InputError
from nmo_timeline.load import load_events
from nmo_timeline.load import xlsx as xlsx_module

pytest.importorskip("openpyxl")


def load(tmp_path, data: bytes, name: str = "e.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return load_events(path)


def problems(tmp_path, data: bytes) -> list[str]:
    with pytest.raises(InputError) as err:
        load(tmp_path, data)
    return [p.message for p in err.value.problems]


@pytest.mark.parametrize(("value", "text"), [
    (None, ""),
    (datetime(2011, 2, 1), "2011-02-01"),
    (datetime(2011, 2, 1, 14, 30), "2011-02-01 14:30"),
    (datetime(2011, 2, 1, 0, 1), "2011-02-01 00:01"),
    (date(2011, 2, 1), "2011-02-01"),
    (True, "TRUE"),
    (False, "FALSE"),
    (1000.0, "1000"),
    (1e20, "100000000000000000000"),
    (3.5, "3.5"),
    (0.1 + 0.2, "0.3"),
    (7, "7"),
    ("Rituximab", "Rituximab"),
])
def test_each_cell_type_reads_as_the_text_excel_shows(value, text):
    assert xlsx_module._cell_text(value) == text


def test_a_formula_cell_is_read_by_its_computed_value(tmp_path):
    data = workbook([["kind", "start", "value"], ["edss", datetime(2011, 2, 1), "=1+2.5"]])
    # openpyxl writes no cached value; Excel does: put one in, as Excel would have
    data = rewrite(data, SHEET, lambda b: b.replace(b"<f>1+2.5</f><v></v>",
                                                    b"<f>1+2.5</f><v>3.5</v>"))
    assert load(tmp_path, data).events.loc[0, "value"] == 3.5



def test_a_formula_without_a_saved_value_is_an_error_at_its_cell(tmp_path):
    # openpyxl, pandas and many exporters write formulas without computing them: the cell
    # would read as empty (an infusion course as one dose, a dose lost)
    data = workbook([["kind", "name", "start", "end", "value", "unit"],
                     ["therapy", "IVMP", datetime(2020, 4, 4), "=C2+4", "=500*2", "mg"],
                     ["therapy", "Azathioprine", datetime(2020, 6, 1), None, 150, "mg"],
                     ["edss", None, datetime(2021, 5, 10), None, 3.5, None]])
    with pytest.raises(InputError) as err:
        load(tmp_path, data)
    assert [(p.line, p.column) for p in err.value.problems] == [(2, "end"), (2, "value")]
    assert err.value.problems[0].message == (
        "the formula =C2+4 has no saved value (the workbook was written by a program that "
        "does not calculate); open it in Excel or LibreOffice and save it, or type the value")


def test_a_formula_whose_saved_value_is_an_empty_string_reads_as_an_empty_cell(tmp_path):
    # Excel saves =IF(...,"",...) as <c t="str"><f>..</f><v></v></c>: computed, and empty
    data = workbook([["kind", "name", "start", "end", "value", "unit"],
                     ["therapy", "Rituximab", datetime(2010, 3, 1), '=IF(1=1,"","x")', 1000,
                      "mg"]])
    data = rewrite(data, SHEET, lambda b: b.replace(b'<c r="D2"><f>', b'<c r="D2" t="str"><f>'))
    table = load(tmp_path, data)
    assert table.events.loc[0, "end"] != table.events.loc[0, "end"]  # empty: one dose
    # without the saved string type it was never computed: an error, as before
    bare = workbook([["kind", "name", "start", "end"],
                     ["therapy", "Rituximab", datetime(2010, 3, 1), '=IF(1=1,"","x")']])
    assert [m[:40] for m in problems(tmp_path, bare)] == [
        'the formula =IF(1=1,"","x") has no saved']

def test_whole_number_floats_in_a_sheet_are_plain_numbers(tmp_path):
    data = workbook([["kind", "name", "start", "value", "unit"],
                     ["lab", "AQP4-IgG", datetime(2011, 2, 1), 1000, "1:x"]])
    data = rewrite(data, SHEET, lambda b: b.replace(b"<v>1000</v>", b"<v>1000.0</v>"))
    assert load(tmp_path, data).events.loc[0, "value"] == 1000.0


def test_a_date_with_a_time_of_day_is_refused_with_the_time_shown(tmp_path):
    found = problems(tmp_path, workbook([["kind", "start"],
                                         ["relapse", datetime(2011, 3, 1, 14, 30)]]))
    assert found == ["'2011-03-01 14:30' has a time of day; the timeline works in whole days, "
                     "so remove the time (midnight, 00:00, is accepted)"]


def test_rows_shorter_than_the_header_and_empty_trailing_cells(tmp_path):
    # Excel stores no empty trailing cells: the row ends where its last value is
    t = load(tmp_path, workbook([["kind", "name", "start", "detail", "value"],
                                 ["relapse", "ON", datetime(2011, 1, 3)],
                                 ["relapse", "TM", datetime(2011, 5, 3), "LETM", None],
                                 ["edss", None, datetime(2011, 6, 1), None, 4.5]]))
    assert t.events["detail"].tolist() == ["", "LETM", ""]
    assert t.events["value"].tolist()[2] == 4.5


def test_the_worksheet_read_is_named_in_the_notes(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Verlauf"
    wb.active.append(["kind", "start"])
    wb.active.append(["relapse", datetime(2011, 1, 3)])
    wb.create_sheet("Labor").append(["kind", "start"])
    out = io.BytesIO()
    wb.save(out)
    assert "read the first worksheet 'Verlauf'" in load(tmp_path, out.getvalue()).notes


def test_without_openpyxl_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    data = workbook([["kind", "start"], ["relapse", "2011-01-03"]])
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError) as err:
        load(tmp_path, data)
    (p,) = err.value.problems
    assert (p.file, p.line, p.column) == (str(tmp_path / "e.xlsx"), None, None)
    assert p.message == ("reading .xlsx needs openpyxl: pip install 'nmo-timeline[xlsx]' "
                         "(or save the sheet as CSV UTF-8)")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
@pytest.mark.parametrize("shift", [1, 5, 17])
def test_a_document_type_split_across_read_chunks_is_found(tmp_path, encoding, shift):
    # parts are scanned in 1 MiB chunks: a declaration that straddles two chunks counts
    marker = "<!DOCTYPE".encode(encoding)
    pad = xlsx_module._CHUNK - min(shift, len(marker) - 1)
    body = b" " * pad + marker + b" x [<!ENTITY a 'b'>]>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/big.xml", body)
    with pytest.raises(InputError) as err:
        xlsx_module.check_parts(out.getvalue(), "big.xlsx")
    assert "declares a document type" in err.value.problems[0].message


def test_every_load_option_reaches_a_workbook(tmp_path):
    # a workbook is validated by the same step as a CSV, with the same options
    from nmo_timeline.domain.registry import default_registry

    path = tmp_path / "opts.xlsx"
    path.write_bytes(workbook([["kind", "name", "start", "dose"],
                               ["therapy", "Klinikstudie X", "03/04/2011"],
                               ["relapse", "ON", "31/04/2011"],
                               ["relapse", "ON", "05/05/2011"]]))
    # --date-format: slash dates read in the order given, errors named with their format
    with pytest.raises(InputError) as err:
        load_events(path, date_format="DD/MM/YYYY")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, "start", "'31/04/2011' is not a real date: April 2011 has 30 days")]
    # partial: the valid rows come back, the bad one is on the table
    t = load_events(path, date_format="DD/MM/YYYY", partial=True)
    assert t.events["start"].dt.date.tolist() == [date(2011, 4, 3), date(2011, 5, 5)]
    assert [(p.line, p.column) for p in t.errors] == [(3, "start")]
    # strict: the unknown column and the unknown therapy become errors
    with pytest.raises(InputError) as err:
        load_events(path, date_format="DD/MM/YYYY", strict=True)
    assert {(p.line, p.column) for p in err.value.problems} >= {(1, "dose"), (3, "start")}
    # registry: a clinic's own name is understood in a workbook as in a CSV
    clinic = default_registry().extended([])  # same content, a different object
    assert load_events(path, date_format="DD/MM/YYYY", partial=True,
                       registry=clinic).registry is clinic


def test_a_zip_that_is_no_workbook_names_what_failed(tmp_path):
    # a whole zip without the workbook's content-type part: openpyxl cannot open it
    data = rewrite(workbook([["kind", "start"], ["relapse", "2011-01-01"]]),
                   "[Content_Types].xml", lambda body: None)
    with pytest.raises(InputError) as err:
        load(tmp_path, data, "noct.xlsx")
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'noct.xlsx'}: is not a readable .xlsx workbook (KeyError)"]
