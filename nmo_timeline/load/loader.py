"""Loading: CSV (or .xlsx) bytes -> a validated, typed :class:`EventTable`.

The steps, each naming the file, its physical line and the column in every message:

1. ``read``: bytes from disk (missing file, folder, binary content);
2. ``decode``: UTF-8 with or without BOM; invalid bytes kept as markers so that
   the cell holding them can be named (:mod:`.text`);
3. ``split``: a rectangular quote-free file into text columns by pandas' C reader
   (no type, NA or date inference); anything else into records with the lines
   each spans, by the csv module;
4. ``header``: the delimiter decided from the header alone, columns matched
   (:mod:`.header`);
5. ``cells``: every cell read by its column's rule, once per distinct text
   (:mod:`.contract`, applied by :mod:`.check`);
6. ``rows``: rules across cells and rows (:mod:`.rows`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ..domain.registry import Registry
from ..errors import InputError, Problem
from . import dates as _dates
from .check import Rows, TextColumn, check
from .contract import TRAILING, DateReader
from .header import Header, choose_delimiter, encoding_message, read_header
from .table import EventTable
from .text import (
    DELIMITERS,
    SEP_LINE,
    SURROGATE,
    Record,
    Source,
    clip,
    decode,
    file_problem,
    first_nonblank_line,
    printable,
    read_columns,
    split,
)


def load_events(
    path: str | Path,
    *,
    date_format: str | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    display_name: str | None = None,
    partial: bool = False,
    registry: Registry | None = None,
) -> EventTable:
    """Read and validate an events file (CSV, TSV or .xlsx).

    Parameters
    ----------
    path : str or Path
        The file to read.
    date_format : str, optional
        An explicit date format such as ``DD/MM/YYYY``; every date must match it.
    encoding : str
        Text encoding; ``utf-8`` (the default) also accepts a byte-order mark.
    strict : bool
        Turn warnings into errors.
    display_name : str, optional
        How to name the file in messages (default: ``path`` as given).
    partial : bool
        Return the valid rows with the row errors on ``table.errors`` instead of
        raising (used by batch plotting, where one patient's errors must not stop
        the others).
    registry : Registry, optional
        What therapy names mean (default: the shipped registry); see
        :func:`read_registry` for a clinic's own file.  The table keeps it.

    Returns
    -------
    EventTable

    Raises
    ------
    InputError
        With every problem found, each naming ``FILE:LINE:COLUMN``.

    Examples
    --------
    >>> from nmo_timeline import load_events, bundled_events_path
    >>> table = load_events(bundled_events_path())
    >>> sorted(set(table.events["kind"]))
    ['edss', 'lab', 'mri', 'relapse', 'therapy']
    """
    p = Path(path)
    name = display_name if display_name is not None else str(path)
    if not p.exists():
        raise file_problem(name, "no such file")
    if p.is_dir():
        raise file_problem(name, "is a directory, not an events file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise file_problem(name, f"cannot be read ({exc.strerror or exc})") from None
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from .xlsx import read_xlsx_records

        records, notes = read_xlsx_records(data, name)
        return parse_records(records, name, date_format=date_format, strict=strict,
                             notes=notes, decimal_comma=True, partial=partial,
                             registry=registry)
    return read_events_text(data, name, date_format=date_format, encoding=encoding,
                            strict=strict, partial=partial, registry=registry)


def read_events_text(
    data: bytes | str,
    name: str = "<text>",
    *,
    date_format: str | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    partial: bool = False,
    registry: Registry | None = None,
) -> EventTable:
    """Validate events from CSV bytes or text (see :func:`load_events`).

    Examples
    --------
    >>> t = read_events_text("kind,start\\nrelapse,2011-03-04\\n")
    >>> t.events.loc[0, "start"].date().isoformat()
    '2011-03-04'
    """
    custom, read_date = date_reader(date_format, name)
    notes: list[str] = []
    text = decode(data, name, encoding, notes) if isinstance(data, bytes) else data
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("UTF-8 byte-order mark removed")
    sep = SEP_LINE.match(text)
    if sep:
        # Excel's "sep=;" hint line: blanked (not removed) so line numbers stay physical
        text = text[len(sep.group(1)):]
        notes.append(f"Excel's '{sep.group(1).strip()}' line skipped")
    if not text.strip():
        raise file_problem(name, "the file is empty")
    if "\r" in text:
        notes.append("Windows (CRLF) line ends read" if "\r\n" in text else "CR line ends read")
    header_line, header_raw = first_nonblank_line(text)
    delimiter = choose_delimiter(header_raw, header_line, name)
    if delimiter != ",":
        notes.append(f"{DELIMITERS[delimiter]}-separated")
    options: dict[str, Any] = dict(custom=custom, decimal_comma=delimiter != ",", strict=strict,
                                   partial=partial, registry=registry)
    check_bytes = SURROGATE.search(text) is not None
    if not check_bytes and header_line == 1:
        columns = read_columns(text, delimiter)
        if columns is not None:
            return check(_rows_of_columns(name, columns, notes), read_date, **options)
    records = split(text, delimiter, name)
    rows = _rows_of_records(name, records, notes, Source(text, delimiter), check_bytes,
                            delimited=True)
    return check(rows, read_date, **options)


def parse_records(
    records: list[Record],
    name: str,
    *,
    date_format: str | None = None,
    strict: bool = False,
    notes: list[str] | None = None,
    decimal_comma: bool = False,
    partial: bool = False,
    registry: Registry | None = None,
) -> EventTable:
    """Validate records (first line, cells, last line) into an :class:`EventTable`.

    The step shared by CSV and .xlsx input.  With ``partial``, rows with errors
    are left out and the errors are returned on the table (``errors``,
    ``error_patients``) instead of raised; problems with the header still raise.
    """
    custom, read_date = date_reader(date_format, name)
    rows = _rows_of_records(name, records, list(notes or []), Source(None), check_bytes=True)
    return check(rows, read_date, custom=custom, decimal_comma=decimal_comma, strict=strict,
                 partial=partial, registry=registry)


def date_reader(date_format: str | None, name: str) -> tuple[bool, DateReader]:
    """(whether a custom format is in use, a cached reader returning a date or a message)."""
    custom = None
    if date_format is not None:
        try:
            custom = _dates.compile_format(date_format)
        except ValueError as exc:
            raise file_problem(name, str(exc)) from None
    cache: dict[str, _dates.ParsedDate | str] = {}

    def read_date(text: str) -> _dates.ParsedDate | str:
        hit = cache.get(text)
        if hit is None:
            try:
                hit = _dates.parse_date(text, custom, date_format or "")
            except _dates.DateError as exc:
                hit = str(exc)
            cache[text] = hit
        return hit

    return custom is not None, read_date


def _no_events(name: str, header: Header) -> InputError:
    return InputError([Problem(name, None, None, "the file has a header but no events")],
                      header.warnings)


def _blank_note(skipped: int) -> str:
    s = "s" if skipped != 1 else ""
    return f"{skipped} blank line{s} or empty row{s} skipped"


def _rows_of_columns(name: str, columns: list[Any], notes: list[str]) -> Rows:
    """A rectangular file read as columns (header on line 1, one record per line)."""
    import numpy as np

    data = [TextColumn.of(c[1:]) for c in columns]
    n = len(data[0].codes) if data else 0
    blank = np.ones(n, dtype=bool)
    for column in data:
        blank &= column.map(lambda t: not t, bool)
    if blank.any():
        notes.append(_blank_note(int(blank.sum())))
    keep = np.flatnonzero(~blank)
    data = [column.take(keep) for column in data]
    header = read_header(name, 1, [c[0] for c in columns], lambda i: data[i].has_data(), notes)
    if not len(keep):
        raise _no_events(name, header)
    lines = keep.astype(np.int64) + 2
    patient = header.position.get("patient")

    def patient_of_line() -> dict[int, str]:
        return dict(zip(lines.tolist(), data[patient].map(str).tolist(), strict=True)) \
            if patient is not None else {}

    return Rows(name, header, data, lines,
                has_patient=patient is not None and data[patient].has_data(), notes=notes,
                patient_of_line=patient_of_line)


def _rows_of_records(name: str, records: list[Record], notes: list[str], source: Source,
                     check_bytes: bool, delimited: bool = False) -> Rows:
    """Records of any shape: blank ones skipped, those with the wrong number of fields
    or undecodable bytes reported (and left out), the rest as columns.

    Trailing delimiters (more fields than the header, the extra ones empty) are
    forgiven only in a file whose every row has the same number of them, as Excel
    writes them; in a delimited file, a single row with one field too many is an error
    showing the row (a decimal comma in a comma file does that: ``4,5``)."""
    import numpy as np

    nonblank = [r for r in records if "".join(r[1]).strip()]
    skipped = len(records) - len(nonblank)
    if not nonblank:
        raise file_problem(name, "the file is empty")
    header_line, header_cells, _ = nonblank[0]
    rows = nonblank[1:]
    if skipped:
        notes.append(_blank_note(skipped))

    def column_has_data(i: int) -> bool:
        return any(i < len(r[1]) and r[1][i].strip() for r in rows)

    header = read_header(name, header_line, header_cells, column_has_data, notes)
    if not rows:
        raise _no_events(name, header)
    width, n_header = header.width, header.n_cells
    widths = {len(cells) for _, cells, _ in rows}
    # Excel's trailing delimiters: every row has them, and as many
    everywhere = not delimited or (len(widths) == 1 and min(widths) > n_header)
    early: list[Problem] = []
    counts: Counter[str] = Counter()
    kept: list[list[str]] = []
    lines: list[int] = []
    for record in rows:
        line, cells, _ = record
        n = len(cells)
        if n != n_header:
            raw = f"'{printable(clip(source.raw(record)))}'"
            if n < width:
                early.append(Problem(name, line, None,
                                     f"expected {width} fields, found {n}: {raw}"))
                continue
            comma = (" (a decimal comma, as in 4,5, splits a number into two cells: "
                     "write 4.5)") if delimited and source.delimiter == "," else ""
            if n > n_header and any(c.strip() for c in cells[n_header:]):
                early.append(Problem(name, line, None,
                                     f"expected {width} fields, found {n} (is there an unquoted "
                                     f"delimiter in a cell?{comma}): {raw}"))
                continue
            if n > n_header and not everywhere:
                early.append(Problem(name, line, None,
                                     f"expected {width} fields, found {n}: {raw}; a trailing "
                                     "delimiter is ignored only when every row has it"
                                     + comma))
                continue
            if n > n_header:
                counts[TRAILING] += 1
            cells = cells[:n_header] + [""] * (n_header - n)
        if check_bytes:
            bad_cells = [i for i in range(width) if SURROGATE.search(cells[i])]
            early.extend(Problem(name, line, header.written[i] or f"column {i + 1}",
                                 encoding_message()) for i in bad_cells)
            if bad_cells:
                continue
        kept.append(cells)
        lines.append(line)
    patient = header.position.get("patient")

    def patient_of_line() -> dict[int, str]:
        return {line: cells[patient].strip() for line, cells, _ in rows
                if patient is not None and patient < len(cells)}

    return Rows(name, header, [TextColumn.of([c[i] for c in kept]) for i in range(n_header)],
                np.array(lines, dtype=np.int64),
                has_patient=patient is not None and column_has_data(patient), notes=notes,
                counts=counts, early=early, patient_of_line=patient_of_line)
