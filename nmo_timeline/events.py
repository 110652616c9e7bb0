"""Loading: CSV (or .xlsx) text -> a validated, typed event table.

Every cell is read as text and checked against the CSV contract (README,
"The CSV format").  Nothing is guessed: where pandas' C reader splits a file,
every cell stays text (``dtype=object``, no NA filter, no quoting), so pandas
never infers dates, numbers or missing values.  The pipeline has named steps,
and every problem names the file, its physical line and the column:

1. ``read``: bytes from disk (missing file, directory, binary content);
2. ``decode``: UTF-8 with or without BOM; invalid bytes are kept as markers
   so that the cell holding them can be named;
3. ``split``: records with the physical line each starts on (csv module), or,
   for a rectangular quote-free file, text columns from pandas' C reader
   (line = row + 1; no type, NA or date inference);
4. ``header``: delimiter decided from the header alone, columns matched;
5. ``rows``: each cell parsed against the schema;
6. ``file``: rules across rows (one date style, duplicates, units).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from . import dates as _dates
from .errors import InputError, NmoTimelineError, Problem, list_preview
from .registry import ROLES, name_key, role_of

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("therapy", "relapse", "edss", "mri", "lab")
COLUMNS = ("kind", "name", "start", "end", "value", "unit", "detail", "patient", "role")
REQUIRED = ("kind", "start")
MISSING_TOKENS = frozenset({"na", "n/a", "-", "unknown"})
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}

# Hints for common header names that are not part of the contract; only used
# to suggest a rename, never to map a column silently.
_HEADER_HINTS = {
    "date": "start", "begin": "start", "from": "start", "start date": "start",
    "stop": "end", "to": "end", "end date": "end", "until": "end",
    "type": "kind", "event": "kind", "category": "kind",
    "drug": "name", "therapy": "name", "treatment": "name", "medication": "name",
    "dose": "value", "score": "value", "result": "value",
    "id": "patient", "patient id": "patient", "record id": "patient", "record_id": "patient",
    "subject": "patient", "comment": "detail", "comments": "detail", "notes": "detail",
    "note": "detail", "units": "unit",
}

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+$")
_SURROGATE = re.compile("[\udc80-\udcff]")
# characters str.splitlines() treats as line breaks but the csv module does not
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SEP_LINE = re.compile(r"^(sep=[,;\t])(?=\r\n|\n|\r)", re.IGNORECASE)


@dataclass
class EventTable:
    """A validated event table and what the loader noticed on the way.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per event, in file order, with columns ``line``, ``patient``,
        ``kind``, ``name``, ``name_key``, ``start``, ``end``, ``ongoing``,
        ``value``, ``unit``, ``detail``, ``role``, ``start_precision`` and
        ``end_precision``.  ``start``/``end`` are ``datetime64`` (``end`` is
        NaT for single administrations, ongoing therapies and non-therapy
        events); partial dates are imputed (start: first day, end: last day).
    source : str
        The file as the user named it.
    warnings : list of Problem
        Problems that did not stop the load (unknown columns, duplicates...).
    notes : list of str
        Normalisations applied (byte-order mark, line ends, decimal comma...).
    has_patient_column : bool
        Whether the file has a non-empty ``patient`` column.
    """

    events: pd.DataFrame
    source: str
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_patient_column: bool = False
    date_style: str = _dates.ISO
    errors: list[Problem] = field(default_factory=list)
    error_patients: dict[int, str] = field(default_factory=dict)

    @property
    def patients(self) -> list[str]:
        """Patient identifiers in order of first appearance."""
        return list(dict.fromkeys(self.events["patient"].tolist()))

    def require_one_patient(self) -> None:
        """Refuse a table of several patients, listing them (draw one with --patient)."""
        patients = self.patients
        if len(patients) > 1:
            raise NmoTimelineError(
                f"{self.source} holds {len(patients)} patients; choose one with --patient ID "
                f"(patients: {list_preview(patients)})")

    def for_patient(self, patient: str) -> EventTable:
        """The same table restricted to one patient (exact identifier match)."""
        if patient not in self.patients:
            raise NmoTimelineError(
                f"{self.source}: no patient '{patient}'; patients are "
                + list_preview(self.patients, 8)
            )
        sub = self.events[self.events["patient"] == patient].reset_index(drop=True)
        return EventTable(sub, self.source, self.warnings, self.notes,
                          self.has_patient_column, self.date_style)

    def summary(self) -> str:
        """One line: events by kind, patients, date span."""
        ev = self.events
        counts = ev["kind"].value_counts().to_dict()
        parts = [f"{counts[k]} {k}" for k in KINDS if counts.get(k)]
        n = len(ev)
        first = ev["start"].min().date().isoformat()
        last_candidates = [ev["start"].max(), ev["end"].max()]
        last = max(d for d in last_candidates if not _isnat(d)).date().isoformat()
        n_pat = len(self.patients)
        return (
            f"{self.source}: {n} event{'s' if n != 1 else ''} ({', '.join(parts)}), "
            f"{n_pat} patient{'s' if n_pat != 1 else ''}, {first} to {last}"
        )


def _isnat(x: Any) -> bool:
    try:
        return bool(x != x)
    except TypeError:  # pragma: no cover - defensive
        return False


# --------------------------------------------------------------------------- read


def load_events(
    path: str | Path,
    *,
    date_format: str | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    display_name: str | None = None,
    partial: bool = False,
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

    def fail(message: str) -> InputError:
        return InputError([Problem(name, None, None, message)])

    if not p.exists():
        raise fail("no such file")
    if p.is_dir():
        raise fail("is a directory, not an events file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from .xlsx import read_xlsx_records

        records, notes = read_xlsx_records(data, name)
        return parse_records(records, name, date_format=date_format, strict=strict,
                             notes=notes, decimal_comma=True, partial=partial)
    return read_events_text(data, name, date_format=date_format, encoding=encoding,
                            strict=strict, partial=partial)


def read_events_text(
    data: bytes | str,
    name: str = "<text>",
    *,
    date_format: str | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    partial: bool = False,
) -> EventTable:
    """Validate events from CSV bytes or text (see :func:`load_events`).

    Examples
    --------
    >>> t = read_events_text("kind,start\\nrelapse,2011-03-04\\n")
    >>> t.events.loc[0, "start"].date().isoformat()
    '2011-03-04'
    """
    notes: list[str] = []
    text = _decode(data, name, encoding, notes) if isinstance(data, bytes) else data
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("UTF-8 byte-order mark removed")
    sep = _SEP_LINE.match(text)
    if sep:
        # Excel's "sep=;" hint line: blanked (not removed) so line numbers stay physical
        text = text[len(sep.group(1)):]
        notes.append(f"Excel's '{sep.group(1).strip()}' line skipped")
    if not text.strip():
        raise InputError([Problem(name, None, None, "the file is empty")])
    if "\r" in text:
        notes.append("Windows (CRLF) line ends read" if "\r\n" in text else "CR line ends read")
    header_line, header_raw = _first_nonblank_line(text)
    delimiter = _choose_delimiter(header_raw, header_line, name)
    if delimiter != ",":
        notes.append(f"{DELIMITERS[delimiter]}-separated")
    check_bytes = _SURROGATE.search(text) is not None
    if not check_bytes and header_line == 1:
        columns = _read_columns(text, delimiter)
        if columns is not None:
            table = parse_columns([c[0] for c in columns], [c[1:] for c in columns], name,
                                  date_format=date_format, strict=strict, notes=notes,
                                  decimal_comma=delimiter != ",")
            if table is not None:
                return table
    records = _split(text, delimiter, name)
    return parse_records(records, name, date_format=date_format, strict=strict,
                         notes=notes, decimal_comma=delimiter != ",",
                         source=_Source(text, delimiter), check_bytes=check_bytes,
                         partial=partial)


def _decode(data: bytes, name: str, encoding: str, notes: list[str]) -> str:
    def fail(message: str) -> InputError:
        return InputError([Problem(name, None, None, message)])

    if not data.strip():
        raise fail("the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(
            "the file is UTF-16 text, which is not supported; in Excel use "
            "'Save As' > 'CSV UTF-8 (Comma delimited)'"
        )
    if data.startswith(b"PK\x03\x04"):
        raise fail(
            "this looks like an Excel workbook (.xlsx), not a CSV file; save it as "
            "'CSV UTF-8', or give it the .xlsx extension"
        )
    if b"\x00" in data[:65536] or data.startswith(b"%PDF"):
        raise fail("this is not a text file (it contains binary data); expected a CSV file")
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        text = data.decode("utf-8", errors="surrogateescape")
        if _looks_binary(text[:4096]):
            raise fail("this is not a text file (it is mostly binary data); expected a CSV file")
    else:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise fail(f"unknown encoding '{encoding}'") from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError([Problem(name, line, None,
                                      f"not valid {encoding} text ({exc.reason})")]) from None
        notes.append(f"read as {encoding}")
    return text


def _looks_binary(sample: str) -> bool:
    odd = sum(1 for ch in sample if _SURROGATE.match(ch) or (ch < " " and ch not in "\t\r\n"))
    return odd > max(8, len(sample) // 10)


def _first_nonblank_line(text: str) -> tuple[int, str]:
    for i, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.strip():
            return i, line.rstrip("\r\n")
    raise AssertionError("unreachable: text is not blank")  # pragma: no cover


def _norm_header(cell: str) -> str:
    return " ".join(cell.replace("\xa0", " ").split()).casefold()


def _choose_delimiter(header: str, line: int, name: str) -> str:
    qualifying = []
    for d in DELIMITERS:
        cells = next(csv.reader([header], delimiter=d))
        known = {_norm_header(c) for c in cells} & set(COLUMNS)
        if known and len(cells) >= 2:
            qualifying.append((len(known), d))
    if len(qualifying) == 1:
        return qualifying[0][1]
    if not qualifying:
        shown = header if len(header) <= 80 else header[:77] + "..."
        raise InputError([Problem(
            name, line, None,
            "the first line is not a header with the expected columns (at least 'kind' "
            "and 'start', separated by commas, semicolons or tabs); found: "
            f"'{_printable(shown)}'")])
    raise InputError([Problem(
        name, line, None,
        "the header splits into known columns under more than one delimiter ("
        + " and ".join(DELIMITERS[d] for _, d in qualifying)
        + "); use one delimiter throughout")])


def _printable(s: str) -> str:
    s = _SURROGATE.sub("\ufffd", s)
    return "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in s)


Record = tuple[int, list[str], int]  # (first physical line, cells, last physical line)
DateReader = Callable[[str], "_dates.ParsedDate | str"]  # a date, or why the text is not one


class _Source:
    """The raw text of records, for messages; split into lines only when needed."""

    def __init__(self, text: str | None, delimiter: str = ","):
        self.text = text
        self.delimiter = delimiter
        self._lines: list[str] | None = None

    def raw(self, record: Record) -> str:
        start, cells, end = record
        if self.text is None:
            return self.delimiter.join(cells)
        if self._lines is None:
            self._lines = io.StringIO(self.text, newline="").readlines()
        return "".join(self._lines[start - 1 : end]).rstrip("\r\n")


def _read_columns(text: str, delimiter: str) -> list[Any] | None:
    """The cells of a rectangular file whose records are one physical line each, as columns.

    Quote-free text is split by pandas' C reader (``QUOTE_NONE``, cells kept as
    text, no NA or type inference): it refuses longer lines, and the delimiter
    count rules out shorter ones.  Text with quotes is read by the csv module,
    as the record path reads it, and taken when it gave one record per line
    (no quoted line breaks, no blank lines).  None when the file is not like
    that: the record-by-record reader then reports its problems with their lines.
    """
    if "\x00" in text:
        return None
    if '"' in text:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            rows = list(reader)
        except csv.Error:
            return None
        width = len(rows[0]) if rows else 0
        if reader.line_num != len(rows) or any(len(r) != width for r in rows):
            return None
        return [[r[i] for r in rows] for i in range(width)]
    import pandas as pd

    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=object,
                            na_filter=False, skip_blank_lines=False, quoting=csv.QUOTE_NONE,
                            engine="c")
    except (pd.errors.ParserError, ValueError):
        return None
    if text.count(delimiter) != len(frame) * (frame.shape[1] - 1):
        return None
    return [frame[c].to_numpy() for c in frame.columns]


def _split(text: str, delimiter: str, name: str) -> list[Record]:
    if '"' not in text:
        # no quoting: every physical line is one record, and the csv module would
        # split it exactly at the delimiters; str.split does the same, faster
        if _OTHER_LINE_BREAKS.search(text) is None:
            # str.splitlines breaks lines exactly where the csv module does here
            return [(i, line.split(delimiter), i)
                    for i, line in enumerate(text.splitlines(), start=1)]
        lines = io.StringIO(text, newline="").readlines()
        return [(i, line.rstrip("\r\n").split(delimiter), i)
                for i, line in enumerate(lines, start=1)]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[Record] = []
    append = records.append
    prev = 0
    try:
        for cells in reader:
            end = reader.line_num
            append((prev + 1, cells, end))
            prev = end
    except csv.Error as exc:
        start = prev + 1
        if "unexpected end of data" in str(exc):
            msg = ("a quoted cell opened on this line is never closed (a missing "
                   "closing \" ); everything after it would be swallowed")
        else:
            msg = f"malformed quotes ({exc}); a quote inside a cell must be doubled (\"\")"
        raise InputError([Problem(name, start, None, msg)]) from None
    return records


# --------------------------------------------------------------------------- rows


@dataclass
class _Row:
    line: int
    patient: str
    kind: str
    name: str
    start: _dates.ParsedDate
    end: _dates.ParsedDate | None
    ongoing: bool
    value: float | None
    unit: str
    detail: str
    role: str
    key: str = ""


class _Collector:
    def __init__(self, name: str):
        self.name = name
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, line: int | None, column: str | None, message: str) -> None:
        self.errors.append(Problem(self.name, line, column, message))

    def warn(self, line: int | None, column: str | None, message: str) -> None:
        self.warnings.append(Problem(self.name, line, column, message))


def _closest(word: str, choices: Iterable[str]) -> str | None:
    hint = _HEADER_HINTS.get(word)
    if hint:
        return hint
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


class _Header(NamedTuple):
    """Where the contract's columns are, as read from the header line."""

    ix: _Index
    labels: dict[str, str]  # column key -> the header as written
    width: int  # columns up to the last named one
    n_cells: int  # cells in the header line, trailing empty ones included
    written: list[str]  # every header cell as written (printable)


def _read_header(
    header_line: int,
    header_cells: list[str],
    column_has_data: Callable[[int], bool],
    out: _Collector,
    notes: list[str],
) -> _Header:
    """Match the header cells to the contract; raise on missing or ambiguous columns."""
    written = [_printable(c.replace("\xa0", " ").strip()) for c in header_cells]
    if any("\xa0" in c for c in header_cells):
        notes.append("non-breaking spaces in the header read as spaces")
    norm = [_norm_header(c) for c in header_cells]
    width = len(norm)
    while width and not norm[width - 1]:
        width -= 1
    trailing = len(norm) - width
    colmap: dict[str, int] = {}
    ignored: list[int] = []
    for i in range(width):
        key, label = norm[i], written[i]
        if _SURROGATE.search(header_cells[i]):
            out.error(header_line, label, _encoding_message())
        if not key:
            if column_has_data(i):
                out.error(header_line, f"column {i + 1}",
                          f"column {i + 1} has no header name but holds data; name it")
            else:
                ignored.append(i + 1)
            continue
        if key in COLUMNS:
            if key in colmap:
                out.error(header_line, label,
                          f"column '{label}' appears twice (columns {colmap[key] + 1} and "
                          f"{i + 1}); keep one")
            else:
                colmap[key] = i
        else:
            hint = _closest(key, COLUMNS)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            if hint == "patient" and "patient" not in norm and column_has_data(i):
                # ignoring an ID column would draw several patients as one
                out.error(header_line, label,
                          f"column '{label}' looks like a patient identifier; rename it to "
                          "'patient' (or delete the column if the file holds one patient)")
                continue
            out.warn(header_line, label, f"unknown column '{label}' ignored{extra}")
    for i in range(width, len(norm)):
        if column_has_data(i):
            out.error(header_line, f"column {i + 1}",
                      f"column {i + 1} has no header name but holds data; name it")
    if trailing:
        notes.append("trailing empty columns ignored")
    if ignored:
        listed = ", ".join(str(i) for i in ignored)
        notes.append(f"empty column{'s' if len(ignored) > 1 else ''} {listed} (no header, "
                     "no data) ignored")
    for req in REQUIRED:
        if req not in colmap:
            candidates = [written[i] for i in range(width) if norm[i] and norm[i] not in COLUMNS]
            hint = None
            for c in candidates:
                if _closest(_norm_header(c), COLUMNS) == req:
                    hint = c
                    break
            extra = f"; the header has '{hint}': rename it to '{req}'" if hint else ""
            out.error(header_line, req, f"required column '{req}' is missing{extra}")
    if out.errors:
        raise InputError(out.errors, out.warnings)
    return _Header(_Index(*(colmap.get(k, -1) for k in _Index._fields)),
                   {k: written[i] for k, i in colmap.items()}, width, len(norm), written)


def _date_reader(date_format: str | None, name: str) -> tuple[bool, DateReader]:
    """(whether a custom format is in use, a cached date parser returning a date or a message)."""
    custom = None
    if date_format is not None:
        try:
            custom = _dates.compile_format(date_format)
        except ValueError as exc:
            raise InputError([Problem(name, None, None, str(exc))]) from None
    cache: dict[str, _dates.ParsedDate | str] = {}

    def get_date(text: str) -> _dates.ParsedDate | str:
        hit = cache.get(text)
        if hit is None:
            try:
                hit = _dates.parse_date(text, custom, date_format or "")
            except _dates.DateError as exc:
                hit = str(exc)
            cache[text] = hit
        return hit

    return custom is not None, get_date


def parse_columns(
    header_cells: list[str],
    columns: list[Any],
    name: str,
    *,
    date_format: str | None = None,
    strict: bool = False,
    notes: list[str] | None = None,
    decimal_comma: bool = False,
) -> EventTable | None:
    """Validate a rectangular file given as columns (header on line 1, no blank rows).

    Returns None when anything needs a message or a row-level decision (the caller
    then reads the file record by record, which reports it with its place).
    """
    notes = list(notes or [])
    out = _Collector(name)
    n = len(columns[0]) if columns else 0
    if not n:
        return None
    header = _read_header(1, header_cells, lambda i: any(v.strip() for v in columns[i]),
                          out, notes)
    if strict and out.warnings:
        return None
    custom, get_date = _date_reader(date_format, name)
    import numpy as np

    return _fast_table(columns, np.arange(2, n + 2, dtype=np.int64), header.ix, get_date,
                       custom, decimal_comma, out, notes)


def parse_records(
    records: list[Record],
    name: str,
    *,
    date_format: str | None = None,
    strict: bool = False,
    notes: list[str] | None = None,
    decimal_comma: bool = False,
    source: _Source | None = None,
    check_bytes: bool = True,
    partial: bool = False,
) -> EventTable:
    """Validate records (first line, cells, last line) into an :class:`EventTable`.

    This is the step shared by CSV and .xlsx input.  With ``partial``, rows with
    errors are left out and the errors are returned on the table (``errors``,
    ``error_patients``) instead of raised; problems with the header still raise.
    """
    notes = list(notes or [])
    source = source or _Source(None)
    out = _Collector(name)
    has_custom, get_date = _date_reader(date_format, name)

    nonblank = [r for r in records if "".join(r[1]).strip()]
    skipped = len(records) - len(nonblank)
    if not nonblank:
        raise InputError([Problem(name, None, None, "the file is empty")])
    header_line, header_cells, _ = nonblank[0]
    rows = nonblank[1:]
    if skipped:
        notes.append(f"{skipped} blank line{'s' if skipped != 1 else ''} or empty row"
                     f"{'s' if skipped != 1 else ''} skipped")

    def column_has_data(i: int) -> bool:
        return any(i < len(r[1]) and r[1][i].strip() for r in rows)

    header = _read_header(header_line, header_cells, column_has_data, out, notes)
    if not rows:
        raise InputError([Problem(name, None, None,
                                  "the file has a header but no events")], out.warnings)
    ix, labels, width, n_header, written = header

    counters: Counter[str] = Counter()
    parsed: list[_Row] = []
    style_cells: list[tuple[int, str, str, str]] = []  # line, column, text, style
    if not check_bytes and not (strict and out.warnings):
        row_cells = [r[1] for r in rows]
        if all(len(c) == n_header for c in row_cells):
            import numpy as np

            table = _fast_table([[c[i] for c in row_cells] for i in range(n_header)],
                                np.array([r[0] for r in rows], dtype=np.int64), ix, get_date,
                                has_custom, decimal_comma, out, notes)
            if table is not None:
                return table
    has_patient = ix.patient >= 0 and column_has_data(ix.patient)
    patient_of_line: dict[int, str] = {}
    for record in rows:
        line, cells, _ = record
        if partial and 0 <= ix.patient < len(cells):
            patient_of_line[line] = cells[ix.patient].strip()
        n = len(cells)
        if n != n_header:
            if n < width:
                out.error(line, None, f"expected {width} fields, found {n}: "
                          f"'{_printable(_clip(source.raw(record)))}'")
                continue
            if n > n_header and any(c.strip() for c in cells[n_header:]):
                out.error(line, None,
                          f"expected {width} fields, found {n} (is there an unquoted "
                          f"delimiter in a cell?): '{_printable(_clip(source.raw(record)))}'")
                continue
            if n > n_header:
                counters["trailing delimiters removed"] += 1
            cells = cells + [""] * (n_header - n) if n < n_header else cells
        if check_bytes:
            bad_cells = [i for i in range(width) if _SURROGATE.search(cells[i])]
            for i in bad_cells:
                out.error(line, written[i] or f"column {i + 1}", _encoding_message())
            if bad_cells:
                continue
        row = _parse_row(line, cells, ix, labels, out, get_date, counters,
                         decimal_comma, has_patient, style_cells)
        if row is not None:
            parsed.append(row)

    # ----- rules across rows
    if style_cells and not has_custom:
        styles = Counter(s for _, _, _, s in style_cells)
        main, _ = max(styles.items(), key=lambda kv: (kv[1], -_first_index(style_cells, kv[0])))
        if len(styles) > 1:
            bad_lines = set()
            for line, col, text, style in style_cells:
                if style != main:
                    bad_lines.add(line)
                    out.error(line, col,
                              f"'{text}' is written {_dates.STYLE_NAMES[style]}, but this file "
                              f"writes dates {_dates.STYLE_NAMES[main]} ({styles[main]} of "
                              f"{sum(styles.values())} dates); use one date style throughout")
            parsed = [r for r in parsed if r.line not in bad_lines]
    date_style = (_dates.CUSTOM if has_custom else
                  (Counter(s for *_, s in style_cells).most_common(1)[0][0]
                   if style_cells else _dates.ISO))

    parsed = _check_duplicates(parsed, labels, out)
    _check_units(parsed, labels, out)

    notes.extend(_counter_notes(counters))

    if strict and out.warnings:
        out.errors.extend(Problem(w.file, w.line, w.column, w.message + " [--strict]")
                          for w in out.warnings)
        out.warnings = []
    if out.errors:
        out.errors.sort(key=lambda p: (p.line or 0))
        if not partial:
            raise InputError(out.errors, out.warnings)
        bad = {p.line for p in out.errors}
        parsed = [r for r in parsed if r.line not in bad]
    table = EventTable(_to_frame(parsed), name, out.warnings, notes, has_patient, date_style)
    if partial:
        table.errors = out.errors
        table.error_patients = {p.line: patient_of_line.get(p.line, "") for p in out.errors
                                if p.line is not None}
    return table


COUNTER_ORDER = ("trailing delimiters removed", "midnight times removed from dates",
                 "missing-value tokens read as empty", "decimal commas read as points")


def _counter_notes(counters: Counter[str]) -> list[str]:
    out = []
    for what in COUNTER_ORDER:
        count = counters.get(what, 0)
        if not count:
            continue
        unit = "row" if what == "trailing delimiters removed" else "cell"
        out.append(f"{what} ({count} {unit}{'s' if count != 1 else ''})")
    return out


def _first_index(cells: list[tuple[int, str, str, str]], style: str) -> int:
    return next(i for i, c in enumerate(cells) if c[3] == style)


def _clip(raw: str, n: int = 80) -> str:
    raw = raw.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return raw if len(raw) <= n else raw[: n - 3] + "..."


def _kind_label(kind: str) -> str:
    return {"edss": "EDSS", "mri": "MRI"}.get(kind, kind)


def _article(kind: str) -> str:
    return "an" if kind in ("edss", "mri") else "a"


def _encoding_message() -> str:
    return ("not valid UTF-8 text; in Excel save as 'CSV UTF-8 (Comma delimited)', "
            "or pass --encoding cp1252 if the file comes from an older Windows program")


def _parse_number(text: str, decimal_comma: bool, counters: Counter[str]) -> float | str:
    """A float, or an error message."""
    if _GROUPED.match(text) and ("," in text or "." in text):
        return (f"'{text}' is ambiguous (a decimal or a thousands separator?); "
                "write numbers without thousands separators, e.g. 1000 or 1.5")
    if _NUMBER.match(text):
        v = float(text)
    elif _DECIMAL_COMMA.match(text):
        if not decimal_comma:
            return (f"'{text}' has a decimal comma, which is only read in semicolon- or "
                    "tab-separated files; write it with a point (e.g. 3.5)")
        v = float(text.replace(",", "."))
        counters["decimal commas read as points"] += 1
    else:
        return f"'{text}' is not a number"
    if not math.isfinite(v):
        return f"'{text}' is not a finite number"  # pragma: no cover - regex excludes
    return v


def _fast_table(
    columns: list[Any],
    lines: Any,
    ix: _Index,
    get_date: DateReader,
    custom: bool,
    decimal_comma: bool,
    out: _Collector,
    notes: list[str],
) -> EventTable | None:
    """The table from :func:`_fast_parse`, with the header's warnings and the notes."""
    fast = _fast_parse(columns, lines, ix, get_date, custom, decimal_comma)
    if fast is None:
        return None
    frame, date_style, counters, used = fast
    return EventTable(frame, out.name, out.warnings, notes + _counter_notes(counters), used,
                      date_style)


def _fast_parse(
    columns: list[Any],
    lines: Any,
    ix: _Index,
    get_date: DateReader,
    custom: bool,
    decimal_comma: bool,
) -> tuple[pd.DataFrame, str, Counter[str], bool] | None:
    """Column-wise validation of a file with nothing to report.

    ``columns`` holds every header column's cells (text), ``lines`` each row's
    physical line.  Each distinct cell text is parsed once and the row rules are
    checked as array comparisons.  At the first sign of any problem (an error or
    a warning) it returns None and the row-by-row path produces the exact
    messages, so both paths share one set of rules for valid input (property
    tests compare them).
    """
    import numpy as np
    import pandas as pd

    n = len(lines)

    def factorize(cells: Any) -> tuple[Any, list[str]]:
        """(codes, distinct stripped texts): ``texts[codes]`` is the column."""
        codes, uniques = pd.factorize(np.asarray(cells, dtype=object))
        texts = uniques.tolist()
        stripped = [t.strip() for t in texts]
        if stripped != texts:  # " a" and "a" are one value: factorize again
            again, uniques = pd.factorize(np.array(stripped, dtype=object))
            codes, texts = again[codes], uniques.tolist()
        return codes, texts

    factorized = [factorize(cells) for cells in columns]

    def column(i: int) -> tuple[Any, list[str]]:
        return factorized[i] if i >= 0 else (np.zeros(n, dtype=np.intp), [""])

    def take(values: list[Any], codes: Any, dtype: Any = object) -> Any:
        return np.array(values, dtype=dtype)[codes]

    counters: Counter[str] = Counter()
    kind_codes, kind_texts = column(ix.kind)
    kind_code = {k: i for i, k in enumerate(KINDS)}
    kind_of = [kind_code.get(k.casefold(), -1) for k in kind_texts]
    if -1 in kind_of:
        return None
    THERAPY, RELAPSE, EDSS, MRI, LAB = range(len(KINDS))
    kc = take(kind_of, kind_codes, np.int8)
    blank = np.ones(n, dtype=bool)
    for codes, texts in factorized:
        blank &= take([not t for t in texts], codes, bool)
    if blank.any():
        return None  # empty rows are skipped (and counted) by the row path
    patient_codes, patient_texts = column(ix.patient)
    has_patient = patient_texts != [""]
    if has_patient and "" in patient_texts:
        return None
    name_codes, name_texts = column(ix.name)
    start_codes, start_texts = column(ix.start)
    start_of: list[_dates.ParsedDate] = []
    for t in start_texts:
        got_start = get_date(t) if t else ""
        if isinstance(got_start, str):
            return None
        start_of.append(got_start)
    epoch = date(1970, 1, 1).toordinal()
    start_first = take([d.first.toordinal() - epoch for d in start_of], start_codes, np.int64)
    end_codes, end_texts = column(ix.end)
    value_codes, value_texts = column(ix.value)
    role_codes, role_texts = column(ix.role)
    unit_codes, unit_texts = column(ix.unit)
    detail_codes, detail_texts = column(ix.detail)

    # value cells: parse each distinct text once
    value_of: list[float] = []
    for t in value_texts:
        if t.casefold() in MISSING_TOKENS or not t:
            value_of.append(math.nan)
            continue
        got = _parse_number(t, decimal_comma, Counter())
        if isinstance(got, str):
            return None
        value_of.append(got)
    end_of: list[_dates.ParsedDate | str | None] = []
    for t in end_texts:
        folded = t.casefold()
        if not t or folded in MISSING_TOKENS:
            end_of.append(None)
        elif folded == "ongoing":
            end_of.append("ongoing")
        else:
            got_end = get_date(t)
            if isinstance(got_end, str):
                return None
            end_of.append(got_end)
    end_dates = [e for e in end_of if isinstance(e, _dates.ParsedDate)]
    styles = {d.style for d in start_of} | {e.style for e in end_dates}
    if len(styles) > 1 and not custom:
        return None

    # row rules, as array comparisons
    ec = take([0 if e is None else 1 if e == "ongoing" else 2 for e in end_of], end_codes,
              np.int8)
    if ((ec != 0) & (kc != THERAPY)).any():
        return None
    end_last = take([e.last.toordinal() - epoch if isinstance(e, _dates.ParsedDate) else 0
                     for e in end_of], end_codes, np.int64)
    if ((ec == 2) & (end_last < start_first)).any():
        return None
    vals = take(value_of, value_codes, float)
    missing = np.isnan(vals)
    is_edss, is_lab, is_mri = kc == EDSS, kc == LAB, kc == MRI
    with np.errstate(invalid="ignore"):
        bad = (missing & (is_edss | is_lab)) | (~missing & (kc == RELAPSE))
        bad |= is_edss & ~missing & ((vals < 0) | (vals > 10) | (vals * 2 != np.floor(vals * 2))
                                     | (vals == 0.5))
        bad |= is_mri & ~missing & ((vals < 0) | (vals != np.floor(vals)))
        bad |= (kc == THERAPY) & ~missing & (vals < 0)
    empty_name = take([not t for t in name_texts], name_codes, bool)
    bad |= empty_name & ((kc == THERAPY) | is_lab)
    if bad.any():
        return None
    role_given = [t.casefold() for t in role_texts]
    if any(r and r not in ROLES for r in role_given):
        return None
    has_role = take([bool(t) for t in role_texts], role_codes, bool)
    if (has_role & (kc != THERAPY)).any():
        return None
    roles = np.where(has_role, take(role_given, role_codes),
                     np.where(kc == THERAPY,
                              take([role_of(t) if t else "" for t in name_texts], name_codes),
                              ""))

    # duplicates (patient, kind, therapy key, day) and one unit per analyte: the row
    # path reports or counts them
    key_texts = [name_key(t) for t in name_texts]
    key_codes, _ = pd.factorize(take(key_texts, name_codes))
    order = np.lexsort((start_first, key_codes, kc, patient_codes))
    same = np.ones(n - 1, dtype=bool)
    for col in (patient_codes, kc, key_codes, start_first):
        ordered = col[order]
        same &= ordered[1:] == ordered[:-1]
    if same.any():
        return None
    labs = np.flatnonzero(is_lab)
    if len(labs):
        unit_folded, _ = pd.factorize(take([t.casefold() for t in unit_texts], unit_codes)[labs])
        by = np.lexsort((key_codes[labs], patient_codes[labs]))
        p_sorted, k_sorted, u_sorted = (patient_codes[labs][by], key_codes[labs][by],
                                        unit_folded[by])
        group = (p_sorted[1:] == p_sorted[:-1]) & (k_sorted[1:] == k_sorted[:-1])
        if (group & (u_sorted[1:] != u_sorted[:-1])).any():
            return None

    # counters for the notes, as the row path counts them
    def count(codes: Any, flags: list[bool]) -> int:
        return int(np.bincount(codes, minlength=len(flags))[np.array(flags, dtype=bool)].sum())

    tokens = count(value_codes, [bool(t) and t.casefold() in MISSING_TOKENS for t in value_texts])
    tokens += count(end_codes, [bool(t) and t.casefold() in MISSING_TOKENS for t in end_texts])
    if tokens:
        counters["missing-value tokens read as empty"] += tokens
    if decimal_comma:
        commas = count(value_codes, ["," in t and not math.isnan(v)
                                     for t, v in zip(value_texts, value_of, strict=True)])
        if commas:
            counters["decimal commas read as points"] += commas
    midnight = count(start_codes, [d.had_midnight for d in start_of])
    midnight += count(end_codes, [isinstance(e, _dates.ParsedDate) and e.had_midnight
                                  for e in end_of])
    if midnight:
        counters["midnight times removed from dates"] += midnight

    nat = np.iinfo(np.int64).min
    frame = pd.DataFrame({
        "line": np.asarray(lines, dtype=np.int64),
        "patient": pd.array(take(patient_texts, patient_codes), dtype=object),
        "kind": pd.array(take(list(KINDS), kc), dtype=object),
        "name": pd.array(take(name_texts, name_codes), dtype=object),
        "name_key": pd.array(take(key_texts, name_codes), dtype=object),
        "start": start_first.view("datetime64[D]"),
        "end": np.where(ec == 2, end_last, nat).view("datetime64[D]"),
        "ongoing": ec == 1,
        "value": vals,
        "unit": pd.array(take(unit_texts, unit_codes), dtype=object),
        "detail": pd.array(take(detail_texts, detail_codes), dtype=object),
        "role": pd.array(roles, dtype=object),
        "start_precision": pd.array(take([d.precision for d in start_of], start_codes),
                                    dtype=object),
        "end_precision": pd.array(take([e.precision if isinstance(e, _dates.ParsedDate) else ""
                                        for e in end_of], end_codes), dtype=object),
    })
    for col_name in ("start", "end"):
        frame[col_name] = frame[col_name].astype("datetime64[s]")
    style = _dates.CUSTOM if custom else next(iter(styles), _dates.ISO)
    return frame, style, counters, has_patient


class _Index(NamedTuple):
    """Column positions (-1 where the file has no such column)."""

    kind: int
    name: int
    start: int
    end: int
    value: int
    unit: int
    detail: int
    patient: int
    role: int


def _parse_row(
    line: int,
    cells: list[str],
    ix: _Index,
    labels: dict[str, str],
    out: _Collector,
    get_date: Any,
    counters: Counter[str],
    decimal_comma: bool,
    has_patient: bool,
    style_cells: list[tuple[int, str, str, str]],
) -> _Row | None:
    # stripped cells, with "" appended so that a missing column (index -1) reads empty
    c = [x.strip() for x in cells]
    c.append("")
    n_err = len(out.errors)
    kind_text = c[ix.kind]
    kind = kind_text.casefold()
    if not kind_text:
        out.error(line, labels["kind"], "kind is empty; expected one of " + ", ".join(KINDS))
        kind = ""
    elif kind not in KINDS:
        hint = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.5)
        extra = f" (did you mean '{hint[0]}'?)" if hint else ""
        out.error(line, labels["kind"],
                  f"'{kind_text}' is not a kind; expected one of {', '.join(KINDS)}{extra}")
        kind = ""

    patient = c[ix.patient]
    if has_patient and not patient:
        out.error(line, labels["patient"], "patient is empty, but other rows name a patient")

    name = c[ix.name]
    if kind in ("therapy", "lab") and not name:
        what = "the therapy's name" if kind == "therapy" else "the analyte (e.g. CSF IL-6)"
        out.error(line, labels.get("name", "name"),
                  f"{_article(kind)} {_kind_label(kind)} row needs a name: {what}"
                  + ("" if ix.name >= 0 else " (the file has no 'name' column)"))

    start_text = c[ix.start]
    start: _dates.ParsedDate | None = None
    if not start_text:
        out.error(line, labels["start"], "start date is empty")
    else:
        got = get_date(start_text)
        if isinstance(got, str):
            out.error(line, labels["start"], got)
        else:
            start = got
            style_cells.append((line, labels["start"], start_text, got.style))
            if got.had_midnight:
                counters["midnight times removed from dates"] += 1

    end_text = c[ix.end]
    end: _dates.ParsedDate | None = None
    ongoing = False
    if end_text.casefold() in MISSING_TOKENS:
        counters["missing-value tokens read as empty"] += 1
        end_text = ""
    if end_text:
        if kind and kind != "therapy":
            out.error(line, labels["end"],
                      f"'end' is only used on therapy rows; a {kind} row has a single date "
                      "(leave end empty)")
        elif end_text.casefold() == "ongoing":
            ongoing = True
        else:
            got = get_date(end_text)
            if isinstance(got, str):
                if not any(ch.isdigit() for ch in end_text):
                    got += "; for a therapy that is still running, write 'ongoing'"
                out.error(line, labels["end"], got)
            else:
                end = got
                style_cells.append((line, labels["end"], end_text, got.style))
                if got.had_midnight:
                    counters["midnight times removed from dates"] += 1
                if start is not None and end.last < start.first:
                    out.error(line, labels["end"],
                              f"end {end_text} is before start {start_text}")

    value_text = c[ix.value]
    value: float | None = None
    if value_text.casefold() in MISSING_TOKENS:
        counters["missing-value tokens read as empty"] += 1
        value_text = ""
    vlabel = labels.get("value", "value")
    if value_text:
        got_v = _parse_number(value_text, decimal_comma, counters)
        if isinstance(got_v, str):
            out.error(line, vlabel, got_v)
        else:
            value = got_v
            if kind == "edss":
                if not 0 <= value <= 10 or (value * 2) != int(value * 2):
                    out.error(line, vlabel,
                              f"EDSS {value_text} is not on the scale (0 to 10 in steps of 0.5)")
                elif value == 0.5:
                    out.warn(line, vlabel,
                             "EDSS 0.5 is not a step of the Kurtzke scale (0, then 1.0 to 10); "
                             "drawn as given")
            elif kind == "mri" and (value < 0 or value != int(value)):
                out.error(line, vlabel,
                          f"'{value_text}' is not a lesion count (a whole number, 0 = quiet scan)")
            elif kind == "therapy" and value < 0:
                out.error(line, vlabel, f"dose '{value_text}' is negative")
            elif kind == "relapse":
                out.error(line, vlabel,
                          "value is not used on relapse rows; put notes in 'detail'")
    elif kind in ("edss", "lab"):
        what = "the EDSS score" if kind == "edss" else "the measured value"
        out.error(line, vlabel, f"{_article(kind)} {_kind_label(kind)} row needs a value: {what}"
                  + ("" if ix.value >= 0 else " (the file has no 'value' column)"))

    role_text = c[ix.role].casefold()
    role = ""
    if role_text:
        if kind and kind != "therapy":
            out.error(line, labels["role"], "role is only used on therapy rows")
        elif role_text not in ROLES:
            out.error(line, labels["role"],
                      f"'{c[ix.role]}' is not a role; expected acute or maintenance")
        else:
            role = role_text
    if kind == "therapy" and not role and name:
        role = role_of(name)

    if len(out.errors) != n_err or start is None:
        return None
    return _Row(line, patient, kind, name, start, end, ongoing, value,
                c[ix.unit], c[ix.detail], role, name_key(name))


def _row_key(r: _Row) -> tuple[str, str, str, date]:
    return (r.patient, r.kind, r.key, r.start.first)


def _row_payload(r: _Row) -> tuple[Any, ...]:
    return (r.end.last if r.end else None, r.ongoing, r.value, r.unit, r.detail, r.role,
            r.start.precision)


def _check_duplicates(rows: list[_Row], labels: dict[str, str], out: _Collector) -> list[_Row]:
    seen: dict[tuple[str, str, str, date], _Row] = {}
    kept: list[_Row] = []
    conflicts: set[int] = set()
    for r in rows:
        key = _row_key(r)
        first = seen.get(key)
        if first is None:
            seen[key] = r
            kept.append(r)
        elif _row_payload(first) == _row_payload(r):
            out.warn(r.line, None,
                     f"repeats line {first.line} exactly; counted once")
        else:
            diffs = [lab for lab, a, b in zip(
                ("end", "end", "value", "unit", "detail", "role", "start"),
                _row_payload(first), _row_payload(r), strict=True) if a != b]
            col = labels.get(diffs[0], diffs[0]) if diffs else None
            out.error(r.line, col,
                      f"conflicts with line {first.line}: same patient, kind, name and date "
                      f"but a different {diffs[0] if diffs else 'entry'}; keep one")
            conflicts.add(r.line)
    return kept


def _check_units(rows: list[_Row], labels: dict[str, str], out: _Collector) -> None:
    first_unit: dict[tuple[str, str], _Row] = {}
    for r in rows:
        if r.kind != "lab":
            continue
        key = (r.patient, name_key(r.name))
        first = first_unit.setdefault(key, r)
        if first.unit.casefold() != r.unit.casefold():
            out.error(r.line, labels.get("unit", "unit"),
                      f"{r.name} is in '{r.unit}' here but in '{first.unit}' on line "
                      f"{first.line}; use one unit per analyte")


def _to_frame(rows: list[_Row]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    epoch = date(1970, 1, 1).toordinal()
    nat = np.iinfo(np.int64).min

    def days(values: list[date | None]) -> Any:
        ordinals = np.array([nat if d is None else d.toordinal() - epoch for d in values],
                            dtype=np.int64)
        return ordinals.view("datetime64[D]")

    frame = pd.DataFrame({
        "line": np.array([r.line for r in rows], dtype=np.int64),
        "patient": pd.array([r.patient for r in rows], dtype=object),
        "kind": pd.array([r.kind for r in rows], dtype=object),
        "name": pd.array([r.name for r in rows], dtype=object),
        "name_key": pd.array([r.key for r in rows], dtype=object),
        "start": days([r.start.first for r in rows]),
        "end": days([r.end.last if r.end else None for r in rows]),
        "ongoing": np.array([r.ongoing for r in rows], dtype=bool),
        "value": np.array([np.nan if r.value is None else r.value for r in rows],
                          dtype=float),
        "unit": pd.array([r.unit for r in rows], dtype=object),
        "detail": pd.array([r.detail for r in rows], dtype=object),
        "role": pd.array([r.role for r in rows], dtype=object),
        "start_precision": pd.array([r.start.precision for r in rows], dtype=object),
        "end_precision": pd.array([r.end.precision if r.end else "" for r in rows],
                                  dtype=object),
    })
    for col in ("start", "end"):
        frame[col] = frame[col].astype("datetime64[s]")
    return frame


def events_as_records(table: EventTable) -> list[dict[str, Any]]:
    """The events as JSON-ready dicts (ISO dates, numbers or null)."""
    ev = table.events

    def iso(col: str) -> list[str | None]:
        days = ev[col].to_numpy(dtype="datetime64[D]")
        text = days.astype(str).tolist()
        return [None if t == "NaT" else t for t in text]

    values = ev["value"].tolist()
    patients = ev["patient"].tolist() if table.has_patient_column else [None] * len(ev)
    columns = zip(ev["line"].tolist(), patients, ev["kind"].tolist(), ev["name"].tolist(),
                  iso("start"), iso("end"), ev["ongoing"].tolist(), values, ev["unit"].tolist(),
                  ev["detail"].tolist(), ev["role"].tolist(), ev["start_precision"].tolist(),
                  ev["end_precision"].tolist(), strict=True)
    return [
        {"line": line, "patient": patient, "kind": kind, "name": name or None, "start": start,
         "end": end, "ongoing": bool(ongoing), "value": None if value != value else value,
         "unit": unit or None, "detail": detail or None, "role": role or None,
         "start_precision": sp, "end_precision": ep or None}
        for (line, patient, kind, name, start, end, ongoing, value, unit, detail, role, sp, ep)
        in columns
    ]
