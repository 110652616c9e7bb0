"""Bytes to records: decoding, the delimiter, and splitting into cells with their lines.

Nothing here reads a cell's meaning; every cell stays text.  A record is
``(first physical line, cells, last physical line)``; a quoted cell may span
lines, so a record's lines are remembered for messages.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, Problem

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SURROGATE = re.compile("[\udc80-\udcff]")
# characters str.splitlines() treats as line breaks but the csv module does not
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
SEP_LINE = re.compile(r"^(sep=[,;\t])(?=\r\n|\n|\r)", re.IGNORECASE)

Record = tuple[int, list[str], int]  # (first physical line, cells, last physical line)


def file_problem(name: str, message: str) -> InputError:
    """An error about the file as a whole (no line)."""
    return InputError([Problem(name, None, None, message)])


def decode(data: bytes, name: str, encoding: str, notes: list[str]) -> str:
    """The file's text; invalid UTF-8 bytes are kept as markers so their cell can be named."""
    if not data.strip():
        raise file_problem(name, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise file_problem(name, "the file is UTF-16 text, which is not supported; in Excel use "
                                 "'Save As' > 'CSV UTF-8 (Comma delimited)'")
    if data.startswith(b"PK\x03\x04"):
        raise file_problem(name, "this looks like an Excel workbook (.xlsx), not a CSV file; "
                                 "save it as 'CSV UTF-8', or give it the .xlsx extension")
    if b"\x00" in data[:65536] or data.startswith(b"%PDF"):
        raise file_problem(name, "this is not a text file (it contains binary data); expected "
                                 "a CSV file")
    nul = data.find(b"\x00")
    if nul >= 0:  # past the first 64 KiB: the file is text with a stray NUL byte in it
        line = data.count(b"\n", 0, nul) + 1
        raise InputError([Problem(name, line, None,
                                  "a NUL byte (binary data) inside the text; a CSV file holds "
                                  "text only: remove it, or re-export the file")])
    enc = encoding.lower().replace("_", "-")
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        text = data.decode("utf-8", errors="surrogateescape")
        if _looks_binary(text[:4096]):
            raise file_problem(name, "this is not a text file (it is mostly binary data); "
                                     "expected a CSV file")
        return text
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise file_problem(name, f"unknown encoding '{encoding}'") from None
    if codec in _NOT_CHARACTER_SETS:  # they decode, but rewrite the text as they go
        raise file_problem(name, f"'{encoding}' is not a character encoding of text files; "
                                 "choose one such as utf-8, cp1252 or latin-1")
    try:
        text = data.decode(encoding)
    except LookupError:
        raise file_problem(name, f"unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError([Problem(name, line, None,
                                  f"not valid {encoding} text ({exc.reason})")]) from None
    except UnicodeError as exc:  # codecs that say no without a position (punycode, undefined)
        raise file_problem(name, f"cannot be read as {encoding} text; choose another "
                                 "--encoding (utf-8, cp1252, latin-1, ...)") from exc
    notes.append(f"read as {encoding}")
    return text


#: Codecs Python decodes with that are not character sets: they turn escapes or domain
#: labels into other text (``\\n`` into a line break, ``xn--`` into letters).
_NOT_CHARACTER_SETS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape",
                                 "undefined", "utf-7"})


def _looks_binary(sample: str) -> bool:
    odd = sum(1 for ch in sample if SURROGATE.match(ch) or (ch < " " and ch not in "\t\r\n"))
    return odd > max(8, len(sample) // 10)


def first_nonblank_line(text: str) -> tuple[int, str]:
    """(physical line, text) of the first line with anything on it."""
    for i, line in enumerate(io.StringIO(text, newline=""), start=1):
        if line.strip():
            return i, line.rstrip("\r\n")
    raise AssertionError("unreachable: text is not blank")  # pragma: no cover


def printable(s: str) -> str:
    """``s`` with undecodable bytes and control characters shown as U+FFFD."""
    s = SURROGATE.sub("\ufffd", s)
    return "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in s)


def clip(raw: str, n: int = 80) -> str:
    """A raw record for a message: line breaks shown as \\n, at most ``n`` characters."""
    raw = raw.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return raw if len(raw) <= n else raw[: n - 3] + "..."


class Source:
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


@contextlib.contextmanager
def field_limit(text: str) -> Iterator[None]:
    """The csv module's field size limit raised to the text's length (a cell can be no
    longer), so a long but valid quoted cell is read; the old limit is restored after."""
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, len(text) + 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def read_columns(text: str, delimiter: str) -> list[Any] | None:
    """The cells of a rectangular file whose records are one physical line each, as columns.

    Quote-free text is split by pandas' C reader (``QUOTE_NONE``, cells kept as
    text, no NA or type inference): it refuses longer lines, and the delimiter
    count rules out shorter ones.  Text with quotes is read by the csv module,
    as :func:`split` reads it, and taken when it gave one record per line (no
    quoted line breaks, no blank lines).  None when the file is not like that:
    :func:`split` then gives the records with their lines.
    """
    if "\x00" in text:
        return None
    if '"' in text:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            with field_limit(text):
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


def split(text: str, delimiter: str, name: str) -> list[Record]:
    """Every record of ``text`` with its lines (the csv module's reading)."""
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
        with field_limit(text):
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
