"""Data loss and misreads (issue 13): every row read, nothing binary kept, units and
therapies compared by what they mean.  Large inputs are generated here."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner
from xlsx_parts import SHEET, rewrite, with_dimension, workbook

from nmo_timeline.cli import app
from nmo_timeline.errors import InputError
from nmo_timeline.load import load_events

pytest.importorskip("openpyxl")

ROWS = [["kind", "name", "start", "detail"],
        ["relapse", "TM", "2006-11-02", "first"],
        ["relapse", "ON", "2007-01-02", "second"],
        ["relapse", "ON", "2007-02-02", "third"],
        ["relapse", "ON", "2007-03-02", "fourth"],
        ["relapse", "ON", "2007-04-02", "fifth"]]


def validate(*args: str):
    return CliRunner().invoke(app, ["validate", *args])


@pytest.mark.parametrize("ref", ["A1:C2", "A1:D3", "B2:C3", "A1:A1"])
def test_xlsx_whose_dimension_lies_is_read_whole(tmp_path, ref):
    """`.xlsx` rows silently dropped: the reader trusted the sheet's <dimension> tag."""
    path = tmp_path / "lies.xlsx"
    path.write_bytes(with_dimension(workbook(ROWS), ref))
    table = load_events(path)
    assert table.events["detail"].tolist() == ["first", "second", "third", "fourth", "fifth"]
    assert table.events["line"].tolist() == [2, 3, 4, 5, 6]


def test_xlsx_without_a_dimension_is_read_whole(tmp_path):
    path = tmp_path / "nodim.xlsx"
    path.write_bytes(rewrite(workbook(ROWS), SHEET,
                             lambda b: b.replace(b'<dimension ref="A1:D6"/>', b"")))
    assert len(load_events(path).events) == 5


def test_truncated_xlsx_is_one_line(tmp_path):
    data = workbook(ROWS)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    result = validate(str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"{path}: is not a readable .xlsx workbook (the file is damaged or "
                             "truncated: BadZipFile)\n")


def test_xlsx_with_a_damaged_sheet_is_one_line(tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(rewrite(workbook(ROWS), SHEET, lambda b: b[: len(b) // 2]))
    result = validate(str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"{path}: is not a readable .xlsx workbook (the sheet cannot be "
                             "read: ParseError)\n")


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
XXE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("part", [SHEET, "xl/sharedStrings.xml", "[Content_Types].xml",
                                  "xl/workbook.xml"])
@pytest.mark.parametrize("prolog", [BOMB, XXE], ids=["expansion", "external"])
def test_xlsx_with_entities_is_refused_before_parsing(tmp_path, part, prolog):
    """Entity-laden `.xlsx`: XML entity expansion is refused."""
    data = workbook([*ROWS[:2], ["relapse", "TM", "2007-01-01", "x"]])
    if part == "xl/sharedStrings.xml":
        import io
        import zipfile

        if part not in zipfile.ZipFile(io.BytesIO(data)).namelist():
            part = SHEET
    path = tmp_path / "entities.xlsx"

    def inject(body: bytes) -> bytes:
        return prolog + body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else prolog + body

    path.write_bytes(rewrite(data, part, inject))
    result = validate(str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}: is refused: its part '{part}' declares a document type (XML entities), which "
        "no spreadsheet program writes; open it in Excel and save it again, or save the sheet "
        "as CSV UTF-8\n")


def test_xlsx_entity_in_utf16_part_is_refused(tmp_path):
    data = workbook(ROWS)
    path = tmp_path / "utf16.xlsx"
    path.write_bytes(rewrite(data, SHEET, lambda b: (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]>'
        + (b.split(b"?>", 1)[1] if b.startswith(b"<?xml") else b).decode()).encode("utf-16")))
    with pytest.raises(InputError, match="declares a document type"):
        load_events(path)


def test_nul_byte_after_64_kib_is_an_error_at_its_line(write):
    """A NUL byte after the first 64 KiB was accepted and kept in a cell."""
    body = "kind,start,detail\n" + "".join(f"relapse,2011-01-{d:02d},{'x' * 9000}\n"
                                           for d in range(1, 9))
    assert len(body) > 65536
    path = write(body + "relapse,2011-02-01,a\x00b\n")
    with pytest.raises(InputError) as info:
        load_events(path, display_name="f.csv")
    assert info.value.report() == (
        "f.csv:10: a NUL byte (binary data) inside the text; a CSV file holds text only: "
        "remove it, or re-export the file\n1 error found; nothing was written.")


def test_nul_byte_early_is_still_a_binary_file(write):
    with pytest.raises(InputError, match="this is not a text file"):
        load_events(write("kind,start\nrelapse,2011-01-01\x00\n"))


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_nul_byte_late_in_any_encoding(write, encoding):
    body = "kind,start,detail\n" + f"relapse,2011-01-01,{'x' * 70000}\x00\n"
    with pytest.raises(InputError, match="a NUL byte"):
        load_events(write(body.encode(encoding)), encoding=encoding)


def test_milli_and_mega_units_do_not_merge(problems):
    """Units differing only by case (mU/mL vs MU/mL) were one unit."""
    found = problems("kind,name,start,value,unit\nlab,IL-6,2011-01-01,3,mU/mL\n"
                     "lab,IL-6,2011-02-01,3,MU/mL\n", name="u.csv")
    assert [str(p) for p in found] == [
        "u.csv:3:unit: IL-6 is in 'MU/mL' here but in 'mU/mL' on line 2; use one unit per "
        "analyte (units differ in case, which matters: m is milli, M is mega)"]


@pytest.mark.parametrize("a,b", [("pg/ml", "pg/mL"), ("mg/dl", "mg/dL"), ("U/l", "U/L"),
                                 ("iu/mL", "IU/mL"), ("mmol/l", "mmol/L")])
def test_harmless_case_variants_are_one_unit(load, a, b):
    table = load(f"kind,name,start,value,unit\nlab,X,2011-01-01,3,{a}\nlab,X,2011-02-01,3,{b}\n")
    assert len(table.events) == 2


@pytest.mark.parametrize("a,b", [("mU/mL", "MU/mL"), ("pg/mL", "Pg/mL"), ("ug", "Ug"),
                                 ("mL", "ML"), ("nmol/L", "Nmol/L")])
def test_case_that_changes_a_prefix_is_another_unit(problems, a, b):
    found = problems(f"kind,name,start,value,unit\nlab,X,2011-01-01,3,{a}\n"
                     f"lab,X,2011-02-01,3,{b}\n")
    assert [p.column for p in found] == ["unit"]


def test_same_day_abbreviation_and_name_is_a_duplicate(load):
    """A same-day RTX and Rituximab row is a duplicate (registry keys, not spellings)."""
    table = load("kind,name,start,value\ntherapy,RTX,2011-01-01,1000\n"
                 "therapy,Rituximab,2011-01-01,1000\n", name="d.csv")
    assert len(table.events) == 1
    assert [str(w) for w in table.warnings] == [
        "d.csv:3: repeats line 2 under another name ('Rituximab' = 'RTX'); counted once"]


def test_same_day_abbreviation_with_another_dose_conflicts(problems):
    found = problems("kind,name,start,value\ntherapy,RTX,2011-01-01,1000\n"
                     "therapy,MabThera,2011-01-01,500\n", name="d.csv")
    assert [str(p) for p in found] == [
        "d.csv:3:value: conflicts with line 2: same patient, kind, name and date but a "
        "different value; keep one"]


def test_same_name_other_kinds_are_not_registry_merged(load):
    # lab names are compared as written: two analytes stay two
    table = load("kind,name,start,value\nlab,RTX,2011-01-01,1\nlab,Rituximab,2011-01-01,2\n")
    assert len(table.events) == 2


def test_header_cell_over_the_csv_field_limit(write):
    """A header cell over the csv field limit was an internal error."""
    path = write("kind,start," + "h" * 140_000 + "\nrelapse,2011-01-01,\n")
    result = validate(str(path))
    assert result.exit_code == 0
    warning = result.stdout.splitlines()[1]
    assert warning == (f"{path}:1:{'h' * 77}...: unknown column '{'h' * 77}...' ignored "
                       "(warning)")
    strict = validate(str(path), "--strict")
    assert strict.exit_code == 1 and "Traceback" not in strict.output
    assert len(strict.stderr.splitlines()) == 2


@pytest.mark.parametrize("quoted", [True, False])
def test_a_valid_140_kb_field_is_read(load, quoted):
    """A valid 140 KB quoted field is not 'malformed quotes'."""
    cell = "y" * 140_000
    text = f'"{cell}"' if quoted else cell
    table = load(f"kind,start,detail\nrelapse,2011-01-01,{text}\nrelapse,2011-02-01,\n")
    assert table.events["detail"].tolist() == [cell, ""]


def test_a_never_closed_quote_is_still_located(problems):
    found = problems('kind,start,detail\nrelapse,2011-01-01,"' + "z" * 200_000 + "\n")
    assert [(p.line, p.message[:40]) for p in found] == [
        (2, "a quoted cell opened on this line is nev")]


def test_field_limit_is_restored(load):
    import csv

    before = csv.field_size_limit()
    load('kind,start,detail\nrelapse,2011-01-01,"' + "y" * 200_000 + '"\n')
    assert csv.field_size_limit() == before
