"""Reading ``.xlsx`` workbooks (optional extra: ``pip install 'nmo-timeline[xlsx]'``).

The first worksheet is read as text cells with the sheet's own row numbers and
then validated exactly like a CSV.  Date cells become ISO dates; a date cell
with a time of day other than midnight keeps its time, so the loader refuses it.

A workbook is a zip of XML parts, and three things about it are not trusted:

- the sheet's ``<dimension>`` tag (many tools other than Excel write a wrong
  one): every row and cell the sheet holds is read, wherever it is;
- document type declarations: no part of a real workbook has one, and one may
  declare entities that expand to gigabytes or read other files, so a workbook
  with one is refused before any XML parser sees it;
- the zip itself: a truncated or damaged file is one clear error;
- formulas: a workbook written by a program that does not calculate (openpyxl,
  pandas, many exporters) stores a formula without its value; such a cell would
  read as empty, so each one is an error naming its cell.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time

from ..errors import InputError, Problem

# A document type declaration (and so any entity declaration) in any encoding XML allows
_DTD_MARKERS = tuple(marker.encode(encoding)
                     for marker in ("<!DOCTYPE", "<!ENTITY")
                     for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
_CHUNK = 1 << 20
_FORMULA_MARKERS = (b"<f>", b"<f ", b":f>", b":f ")  # a formula element, prefixed or not


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value)


def _unreadable(name: str, why: str) -> InputError:
    return InputError([Problem(name, None, None, f"is not a readable .xlsx workbook ({why})")])


def _markers_in(archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                markers: tuple[bytes, ...]) -> set[bytes]:
    """The ``markers`` an XML part holds, read in chunks (parts can be large)."""
    keep = max(len(m) for m in markers) - 1
    found: set[bytes] = set()
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(_CHUNK):
            window = tail + chunk
            found.update(m for m in markers if m in window)
            tail = window[-keep:]
    return found


def check_parts(data: bytes, name: str) -> bool:
    """Refuse a workbook that is not a whole zip, or whose XML declares a document type;
    return whether a worksheet holds formulas (read in the same pass)."""
    formulas = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                sheet = member.filename.startswith("xl/worksheets/")
                found = _markers_in(archive, member,
                                    _DTD_MARKERS + (_FORMULA_MARKERS if sheet else ()))
                formulas = formulas or bool(found & set(_FORMULA_MARKERS))
                if found & set(_DTD_MARKERS):
                    raise InputError([Problem(
                        name, None, None,
                        f"is refused: its part '{member.filename}' declares a document type "
                        "(XML entities), which no spreadsheet program writes; open it in Excel "
                        "and save it again, or save the sheet as CSV UTF-8")])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            NotImplementedError) as exc:
        raise _unreadable(name, f"the file is damaged or truncated: {type(exc).__name__}") \
            from None
    return formulas


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>")


def _saved_empty_strings(data: bytes, part: str) -> set[str]:
    """References of the formula cells whose saved value is an empty string (Excel writes
    ``=IF(...,"",...)`` as ``<c t="str"><f>...</f><v></v></c>``): those cells are empty
    by the formula's own answer, not for want of one."""
    if not part:
        return set()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part.lstrip("/"))
    out = set()
    for attrs, body in _CELL.findall(xml):
        ref = re.search(rb'\br="([A-Z]+\d+)"', attrs)
        if ref and re.search(rb'\bt="str"', attrs) and _EMPTY_VALUE.search(body):
            out.add(ref.group(1).decode())
    return out


def _refuse_formulas_without_values(data: bytes, name: str,
                                    records: list[tuple[int, list[str], int]]) -> None:
    """An error for every formula cell of the first sheet that has no saved value."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    header = next((c for _, c, _ in records if any(x.strip() for x in c)), [])
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        empty = _saved_empty_strings(data, getattr(ws, "_worksheet_path", ""))
        problems = []
        for (number, cells, _), values in zip(
                records, ws.iter_rows(min_row=1, min_col=1, values_only=True), strict=False):
            for i, v in enumerate(values):
                formula = (isinstance(v, str) and v.startswith("=")) or \
                    type(v).__name__ in ("ArrayFormula", "DataTableFormula")
                if formula and (i >= len(cells) or cells[i] == "") and \
                        f"{get_column_letter(i + 1)}{number}" not in empty:
                    column = (header[i].strip() if i < len(header) and header[i].strip()
                              else get_column_letter(i + 1))
                    what = f"the formula {v[:40]}" if isinstance(v, str) else "an array formula"
                    problems.append(Problem(
                        name, number, column,
                        f"{what} has no saved value (the workbook was "
                        "written by a program that does not calculate); open it in Excel or "
                        "LibreOffice and save it, or type the value"))
    finally:
        wb.close()
    if problems:
        raise InputError(problems)


def read_xlsx_records(data: bytes, name: str) -> tuple[list[tuple[int, list[str], int]], list[str]]:
    """Rows of the first worksheet as (sheet row number, cells, sheet row number)."""
    try:
        from openpyxl import load_workbook
    except ImportError:
        message = ("reading .xlsx needs openpyxl: pip install 'nmo-timeline[xlsx]' "
                   "(or save the sheet as CSV UTF-8)")
        raise InputError([Problem(name, None, None, message)]) from None
    formulas = check_parts(data, name)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise _unreadable(name, type(exc).__name__) from None
    try:
        ws = wb.worksheets[0]
        title = ws.title
        # the sheet's <dimension> tag may lie: read from A1 to wherever the rows end
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        records = []
        for number, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True),
                                        start=1):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            records.append((number, cells, number))
    except InputError:
        raise
    except Exception as exc:  # a damaged sheet part shows only while it is read
        raise _unreadable(name, f"the sheet cannot be read: {type(exc).__name__}") from None
    finally:
        wb.close()
    if formulas:
        _refuse_formulas_without_values(data, name, records)
    # a sheet has no short rows: empty trailing cells are empty, so pad to the header
    header_width = next((len(c) for _, c, _ in records if any(x.strip() for x in c)), 0)
    padded = [(n, c + [""] * (header_width - len(c)) if len(c) < header_width else c, last)
              for n, c, last in records]
    notes = [f"read the first worksheet '{title}'"]
    return padded, notes
