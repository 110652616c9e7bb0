"""Real-world variants (Excel, REDCap, hand edits): read right, or refused at the right place."""

from __future__ import annotations

from datetime import datetime

import pytest
from conftest import places

ROWS = [
    ("therapy", "Rituximab", "2011-01-03", "", "1000", "mg"),
    ("edss", "", "2011-02-01", "", "3.5", ""),
    ("relapse", "ON", "2011-03-04", "", "", ""),
]


def expected(t):
    ev = t.events
    return [(r.kind, r.name, r.start.date().isoformat(), r.value if r.value == r.value else None)
            for r in ev.itertuples()]


WANT = [("therapy", "Rituximab", "2011-01-03", 1000.0), ("edss", "", "2011-02-01", 3.5),
        ("relapse", "ON", "2011-03-04", None)]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("final", [True, False])
def test_bom_line_ends_and_final_newline(load, bom, eol, final):
    lines = [b"kind,name,start,end,value,unit"] + [",".join(r).encode() for r in ROWS]
    data = bom + eol.join(lines) + (eol if final else b"")
    t = load(data)
    assert expected(t) == WANT
    assert t.events["line"].tolist() == [2, 3, 4]
    if bom:
        assert "UTF-8 byte-order mark removed" in t.notes


def test_bom_does_not_stick_to_the_first_header(load):
    t = load(b"\xef\xbb\xbfkind,start\nrelapse,2011-01-01\n")
    assert t.warnings == []


@pytest.mark.parametrize("delim", [";", "\t"])
def test_semicolon_and_tab_with_decimal_comma(load, delim):
    text = delim.join(["kind", "start", "value"]) + "\n" + delim.join(
        ["edss", "01.02.2011", "3,5"]) + "\n"
    t = load(text, name="e.tsv" if delim == "\t" else "e.csv")
    assert t.events.loc[0, "value"] == 3.5
    assert any("decimal comma" in n for n in t.notes)


def test_delimiter_is_decided_from_the_header_alone(load):
    # a data row full of commas in a semicolon file does not change the delimiter
    t = load("kind;start;detail\nrelapse;2011-01-01;a, b, c, d\n")
    assert t.events.loc[0, "detail"] == "a, b, c, d"


def test_ambiguous_header_delimiter_is_refused(problems):
    found = problems("kind;start,end\nrelapse;2011-01-01,\n")
    assert places(found) == [(1, None)]
    assert "more than one delimiter" in found[0].message


def test_excel_trailing_empty_columns(load):
    # Excel pads every row, header included, to the same width
    t = load("kind,start,,\r\nrelapse,2011-01-01,,\r\nrelapse,2011-02-01,,\r\n")
    assert len(t.events) == 2
    assert "trailing empty columns ignored" in t.notes


def test_trailing_delimiters_on_every_row_are_forgiven(load):
    t = load("kind,start,value\nedss,2011-01-01,4,\nedss,2011-02-01,4.5,\n")
    assert t.events["value"].tolist() == [4.0, 4.5]
    assert "trailing delimiters removed (2 rows)" in t.notes


def test_one_row_with_a_field_too_many_is_an_error_showing_the_line(problems):
    # a decimal comma typed into a comma file: 4,5 becomes EDSS 4 and unit 5
    found = problems("kind,name,start,end,value,unit,detail\nedss,,2011-04-01,,4,5,,\n"
                     "edss,,2011-05-01,,4.5,,\n")
    assert [str(p) for p in found] == [
        "events.csv:2: expected 7 fields, found 8: 'edss,,2011-04-01,,4,5,,'; a trailing "
        "delimiter is ignored only when every row has it (a decimal comma, as in 4,5, splits "
        "a number into two cells: write 4.5)"]


def test_a_row_without_the_trailing_delimiter_every_other_row_has_is_found(problems):
    # every row but one ends in a delimiter: the odd row is the decimal comma (unit 5),
    # and the others are not forgiven either, since the file is not uniform
    found = problems("kind,start,value,unit\nedss,2011-01-01,4,,\nedss,2011-02-01,4,5\n")
    assert [(p.line, p.column) for p in found] == [(2, None), (3, "unit")]


def test_blank_header_over_data_is_an_error(problems):
    found = problems("kind,start,\nrelapse,2011-01-01,x\n")
    assert places(found) == [(1, "column 3")]


def test_duplicate_header_is_an_error(problems):
    found = problems("kind,start,Start\nrelapse,2011-01-01,2011-01-02\n")
    assert places(found) == [(1, "Start")]
    assert "appears twice" in found[0].message


def test_quoted_cells_with_delimiters_and_line_breaks(load, problems):
    text = 'kind,start,detail\nrelapse,2011-01-01,"ON, left\nsevere"\nrelapse,2011-13-01,x\n'
    t_bad = problems(text)
    # the record on lines 2-3 is one event; the next record starts on line 4
    assert places(t_bad) == [(4, "start")]
    t = load('kind,start,detail\nrelapse,2011-01-01,"ON, left\nsevere"\n')
    assert t.events.loc[0, "detail"] == "ON, left\nsevere"
    assert t.events.loc[0, "line"] == 2


def test_header_variants_nbsp_and_case(load):
    t = load("\u00a0Kind\u00a0, START \nrelapse,2011-01-01\n")
    assert len(t.events) == 1


@pytest.mark.parametrize("cell", ["01.02.2010 00:00", "2010-02-01T00:00:00", "2010-02-01 00:00"])
def test_midnight_times_are_accepted(load, cell):
    t = load(f"kind,start\nrelapse,{cell}\n")
    assert t.events.loc[0, "start"].date().isoformat() == "2010-02-01"
    assert any("midnight" in n for n in t.notes)


@pytest.mark.parametrize("token", ["NA", "n/a", "-", "unknown", "Unknown"])
def test_missing_tokens_only_in_value_and_end(load, token):
    t = load(f"kind,name,start,end,value,detail\ntherapy,AZA,2011-01-01,{token},{token},{token}\n")
    row = t.events.iloc[0]
    assert row["value"] != row["value"]  # NaN
    assert row["end"] != row["end"]  # NaT: a single administration
    assert row["detail"] == token  # free text is kept verbatim


def test_missing_token_does_not_satisfy_a_required_value(problems):
    assert places(problems("kind,start,value\nedss,2011-01-01,NA\n")) == [(2, "value")]


def test_invalid_utf8_names_line_and_column(problems):
    data = b"kind,start,detail\nrelapse,2011-01-01,ok\nrelapse,2011-02-01,caf" + \
        b"\xe9\n"
    found = problems(data)
    assert places(found) == [(3, "detail")]
    assert "CSV UTF-8" in found[0].message and "--encoding cp1252" in found[0].message


def test_cp1252_with_explicit_encoding(load):
    t = load("kind,start,detail\nrelapse,2011-01-01,café\n".encode("cp1252"), encoding="cp1252")
    assert t.events.loc[0, "detail"] == "café"



@pytest.mark.parametrize(("encoding", "message"), [
    ("foo", "unknown encoding 'foo'"),
    ("rot13", "unknown encoding 'rot13'"),  # text to text: not a file encoding
    # codecs that decode but rewrite the text: never read silently changed
    ("punycode", "'punycode' is not a character encoding of text files; choose one such as "
                 "utf-8, cp1252 or latin-1"),
    ("idna", "'idna' is not a character encoding of text files; choose one such as utf-8, "
             "cp1252 or latin-1"),
    ("unicode_escape", "'unicode_escape' is not a character encoding of text files; choose "
                       "one such as utf-8, cp1252 or latin-1"),
    ("undefined", "'undefined' is not a character encoding of text files; choose one such "
                  "as utf-8, cp1252 or latin-1")])
def test_an_encoding_that_cannot_read_the_file_is_the_users_error(problems, encoding,
                                                                   message):
    (found,) = problems("kind,start\nrelapse,2011-01-01\n", encoding=encoding)
    assert found.message == message

def test_unterminated_quote_names_the_line_where_it_opened(problems):
    found = problems('kind,start,detail\nrelapse,2011-01-01,"open\nrelapse,2011-02-01,x\n')
    assert places(found) == [(2, None)]
    assert "never closed" in found[0].message


def test_thousands_separators_are_never_stripped(problems, load):
    assert places(problems("kind;start;value\nlab;01.01.2011;1.234\n".replace(
        "lab;", "lab;"), name="x.csv")) != []
    t = load("kind;name;start;value\nlab;IL-6;01.01.2011;12,5\n")
    assert t.events.loc[0, "value"] == 12.5


def test_xlsx_is_read_with_sheet_rows(write, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from nmo_timeline.errors import InputError
    from nmo_timeline.load import load_events

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["kind", "name", "start", "value"])
    ws.append(["therapy", "Rituximab", datetime(2011, 1, 3), 1000])
    ws.append([])
    ws.append(["edss", None, datetime(2011, 2, 1), 3.5])
    path = tmp_path / "events.xlsx"
    wb.save(path)
    t = load_events(path)
    assert expected(t) == [("therapy", "Rituximab", "2011-01-03", 1000.0),
                           ("edss", "", "2011-02-01", 3.5)]
    assert t.events["line"].tolist() == [2, 4]

    ws.append(["edss", None, 40544, 3])
    ws.append(["edss", None, datetime(2011, 3, 1, 14, 30), 3])
    wb.save(path)
    with pytest.raises(InputError) as info:
        load_events(path)
    assert places(info.value.problems) == [(5, "start"), (6, "start")]


def test_redcap_record_id_is_refused_not_ignored(problems, load):
    # ignoring it would draw two patients' events as one timeline
    text = ("record_id,redcap_event_name,kind,start\n1,baseline_arm_1,relapse,2011-01-03\n"
            "2,baseline_arm_1,relapse,2011-02-01\n")
    found = problems(text)
    assert places(found) == [(1, "record_id")]
    assert "rename it to 'patient'" in found[0].message
    t = load(text.replace("record_id", "patient"))
    assert t.patients == ["1", "2"]
    assert [(w.line, w.column) for w in t.warnings] == [(1, "redcap_event_name")]


def test_a_word_in_end_suggests_ongoing(problems):
    found = problems("kind,name,start,end\ntherapy,AZA,2011-01-01,laufend\n")
    assert places(found) == [(2, "end")]
    assert found[0].message.endswith("for a therapy that is still running, write 'ongoing'")


def test_messages_name_kinds_properly(problems):
    found = problems("kind,start,value\nedss,2011-01-01,\n")
    assert found[0].message == "an EDSS row needs a value: the EDSS score"


def test_excel_sep_line_is_skipped_and_lines_stay_physical(load, problems):
    t = load("sep=;\r\nkind;start;value\r\nedss;01.02.2011;3,5\r\n")
    assert t.events.loc[0, "value"] == 3.5 and t.events.loc[0, "line"] == 3
    assert any("sep=;" in n for n in t.notes)
    assert places(problems("sep=;\nkind;start\nrelapse;31.02.2011\n")) == [(3, "start")]


def test_xlsx_text_cells_may_use_a_decimal_comma(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from nmo_timeline.load import load_events

    wb = openpyxl.Workbook()
    wb.active.append(["kind", "start", "value"])
    wb.active.append(["edss", datetime(2011, 2, 1), "3,5"])
    wb.save(tmp_path / "e.xlsx")
    assert load_events(tmp_path / "e.xlsx").events.loc[0, "value"] == 3.5


@pytest.mark.parametrize("text", [
    "kind,name,start,end,value\nrelapse,ON,2011-01-01,NA,-\ntherapy,AZA,2011-02-01,n/a,unknown\n",
    "kind;start;end;value;name\nedss;01.02.2011 00:00;;3,5;\ntherapy;02.02.2011;ongoing;1,5;X\n",
    "patient,kind,start,value\n007,edss,2011-01,2.0\n007,lab,2011,3\n",
    "kind,start,,\nrelapse,2011-01-01,,\n",
])
def test_column_and_record_sources_agree_on_normalised_files(text):
    from unittest import mock

    import pandas as pd

    from nmo_timeline.errors import InputError
    from nmo_timeline.load import loader, read_events_text

    if "lab" in text:  # lab rows need a name: keep this one invalid for both sources
        with pytest.raises(InputError):
            read_events_text(text)
        with mock.patch.object(loader, "read_columns", return_value=None), \
                pytest.raises(InputError):
            read_events_text(text)
        return
    fast = read_events_text(text)
    with mock.patch.object(loader, "read_columns", return_value=None):
        slow = read_events_text(text)
    pd.testing.assert_frame_equal(fast.events, slow.events)
    assert (fast.notes, fast.has_patient_column) == (slow.notes, slow.has_patient_column)


def test_an_empty_unnamed_column_inside_the_header_is_noted(load):
    t = load("kind,,start\nrelapse,,2011-01-01\n")
    assert len(t.events) == 1
    assert "empty column 2 (no header, no data) ignored" in t.notes
