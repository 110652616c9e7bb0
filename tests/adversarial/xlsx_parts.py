"""Workbooks made in the tests, and rewritten inside their zip as hostile tools write them."""

from __future__ import annotations

import io
import re
import zipfile

SHEET = "xl/worksheets/sheet1.xml"


def workbook(rows: list[list[object]]) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (openpyxl writes a true dimension)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(data: bytes, part: str, change) -> bytes:
    """``data`` with one zip member's bytes replaced by ``change(bytes)`` (``None``: the
    member left out)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == part:
                body = change(body)
            if body is not None:
                z.writestr(item, body)
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with its sheet's ``<dimension ref=...>`` set to ``ref`` (a lie)."""
    return rewrite(data, SHEET, lambda b: re.sub(rb'<dimension ref="[^"]*"/>',
                                                 f'<dimension ref="{ref}"/>'.encode(), b))
