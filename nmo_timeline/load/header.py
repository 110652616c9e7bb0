"""The header line: which delimiter, and where the contract's columns are.

The delimiter is decided from the header alone (a data row full of commas in a
semicolon file does not change it).  Header names match case-insensitively with
surrounding spaces ignored; unknown columns are warnings that suggest the
closest known name, never silently mapped.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Callable, Iterable
from typing import NamedTuple

from ..errors import InputError, Problem
from .text import DELIMITERS, SURROGATE, field_limit, printable

COLUMNS = ("kind", "name", "start", "end", "value", "unit", "detail", "patient", "role")
REQUIRED = ("kind", "start")

# Hints for common header names that are not part of the contract; only used
# to suggest a rename, never to map a column silently.
HEADER_HINTS = {
    "date": "start", "begin": "start", "from": "start", "start date": "start",
    "stop": "end", "to": "end", "end date": "end", "until": "end",
    "type": "kind", "event": "kind", "category": "kind",
    "drug": "name", "therapy": "name", "treatment": "name", "medication": "name",
    "dose": "value", "score": "value", "result": "value",
    "id": "patient", "patient id": "patient", "record id": "patient", "record_id": "patient",
    "subject": "patient", "comment": "detail", "comments": "detail", "notes": "detail",
    "note": "detail", "units": "unit",
}


def encoding_message() -> str:
    return ("not valid UTF-8 text; in Excel save as 'CSV UTF-8 (Comma delimited)', "
            "or pass --encoding cp1252 if the file comes from an older Windows program")


def norm_header(cell: str) -> str:
    return " ".join(cell.replace("\xa0", " ").split()).casefold()


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The contract column a header name probably means (a hint, never a mapping)."""
    hint = HEADER_HINTS.get(word)
    if hint:
        return hint
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def choose_delimiter(header: str, line: int, name: str) -> str:
    """The one delimiter under which the header splits into known columns."""
    qualifying = []
    for d in DELIMITERS:
        with field_limit(header):
            cells = next(csv.reader([header], delimiter=d))
        known = {norm_header(c) for c in cells} & set(COLUMNS)
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
            f"'{printable(shown)}'")])
    raise InputError([Problem(
        name, line, None,
        "the header splits into known columns under more than one delimiter ("
        + " and ".join(DELIMITERS[d] for _, d in qualifying)
        + "); use one delimiter throughout")])


MAX_LABEL = 80  # longer header cells are shortened in messages


def _shown(label: str) -> str:
    """A header cell as messages name it: at most :data:`MAX_LABEL` characters."""
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 3] + "..."


class Header(NamedTuple):
    """Where the contract's columns are, as read from the header line."""

    line: int
    position: dict[str, int]  # column key -> index of its cell
    labels: dict[str, str]  # column key -> the header as written
    width: int  # columns up to the last named one
    n_cells: int  # cells in the header line, trailing empty ones included
    written: list[str]  # every header cell as written (printable)
    warnings: list[Problem]

    def label(self, key: str) -> str:
        """The column's name as written, or the contract's name when the file lacks it."""
        return self.labels.get(key, key)


def read_header(
    name: str,
    header_line: int,
    header_cells: list[str],
    column_has_data: Callable[[int], bool],
    notes: list[str],
) -> Header:
    """Match the header cells to the contract; raise on missing or ambiguous columns."""
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def error(column: str, message: str) -> None:
        errors.append(Problem(name, header_line, column, message))

    written = [_shown(printable(c.replace("\xa0", " ").strip())) for c in header_cells]
    if any("\xa0" in c for c in header_cells):
        notes.append("non-breaking spaces in the header read as spaces")
    norm = [norm_header(c) for c in header_cells]
    width = len(norm)
    while width and not norm[width - 1]:
        width -= 1
    trailing = len(norm) - width
    position: dict[str, int] = {}
    ignored: list[int] = []
    for i in range(width):
        key, label = norm[i], written[i]
        if SURROGATE.search(header_cells[i]):
            error(label, encoding_message())
        if not key:
            if column_has_data(i):
                error(f"column {i + 1}", f"column {i + 1} has no header name but holds data; "
                                         "name it")
            else:
                ignored.append(i + 1)
            continue
        if key in COLUMNS:
            if key in position:
                error(label, f"column '{label}' appears twice (columns {position[key] + 1} and "
                             f"{i + 1}); keep one")
            else:
                position[key] = i
        else:
            hint = closest(key, COLUMNS)
            extra = f" (did you mean '{hint}'?)" if hint else ""
            if hint == "patient" and "patient" not in norm and column_has_data(i):
                # ignoring an ID column would draw several patients as one
                error(label, f"column '{label}' looks like a patient identifier; rename it to "
                             "'patient' (or delete the column if the file holds one patient)")
                continue
            warnings.append(Problem(name, header_line, label,
                                    f"unknown column '{label}' ignored{extra}"))
    for i in range(width, len(norm)):
        if column_has_data(i):
            error(f"column {i + 1}", f"column {i + 1} has no header name but holds data; name it")
    if trailing:
        notes.append("trailing empty columns ignored")
    if ignored:
        listed = ", ".join(str(i) for i in ignored)
        notes.append(f"empty column{'s' if len(ignored) > 1 else ''} {listed} (no header, "
                     "no data) ignored")
    for req in REQUIRED:
        if req not in position:
            candidates = [written[i] for i in range(width) if norm[i] and norm[i] not in COLUMNS]
            hint = next((c for c in candidates if closest(norm_header(c), COLUMNS) == req), None)
            extra = f"; the header has '{hint}': rename it to '{req}'" if hint else ""
            error(req, f"required column '{req}' is missing{extra}")
    if errors:
        raise InputError(errors, warnings)
    return Header(header_line, position, {k: written[i] for k, i in position.items()}, width,
                  len(norm), written, warnings)
