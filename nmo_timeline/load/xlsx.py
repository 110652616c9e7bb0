"""Reading ``.xlsx`` workbooks (optional extra: ``pip install 'nmo-timeline[xlsx]'``).

The first worksheet is read as text cells with the sheet's own row numbers and
then validated exactly like a CSV.  Date cells become ISO dates; a date cell
with a time of day other than midnight keeps its time, so the loader refuses it.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

from ..errors import InputError, Problem


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


def read_xlsx_records(data: bytes, name: str) -> tuple[list[tuple[int, list[str], int]], list[str]]:
    """Rows of the first worksheet as (sheet row number, cells, sheet row number)."""
    try:
        from openpyxl import load_workbook
    except ImportError:
        message = ("reading .xlsx needs openpyxl: pip install 'nmo-timeline[xlsx]' "
                   "(or save the sheet as CSV UTF-8)")
        raise InputError([Problem(name, None, None, message)]) from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        message = f"is not a readable .xlsx workbook ({type(exc).__name__})"
        raise InputError([Problem(name, None, None, message)]) from None
    try:
        ws = wb.worksheets[0]
        records = []
        first = ws.min_row or 1
        for number, values in enumerate(ws.iter_rows(values_only=True), start=first):
            cells = [_cell_text(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            records.append((number, cells, number))
    finally:
        wb.close()
    # a sheet has no short rows: empty trailing cells are empty, so pad to the header
    header_width = next((len(c) for _, c, _ in records if any(x.strip() for x in c)), 0)
    padded = [(n, c + [""] * (header_width - len(c)) if len(c) < header_width else c, last)
              for n, c, last in records]
    notes = [f"read the first worksheet '{ws.title}'"]
    return padded, notes
