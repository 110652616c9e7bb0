"""The CSV contract, cell by cell: one table of rules (README, "The CSV format").

Each rule reads one cell (its text, stripped) given the row's kind, and says in a
:class:`Cell` what the cell holds, or why it cannot be read (an error), or what
is odd about it (a warning), or what was normalised (a note).  The loader
(:mod:`nmo_timeline.load.check`) applies each column's rule once per distinct
(kind, text) pair and maps the result back to every row, so a rule written
here is the only place the contract says anything about that cell.

Rules that compare cells (an end before its start) or rows (one date style,
duplicates, one unit per analyte) are in :mod:`nmo_timeline.load.rows`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.registry import ROLES, Registry, default_registry
from . import dates as _dates

KINDS = ("therapy", "relapse", "edss", "mri", "lab")
MISSING_TOKENS = frozenset({"na", "n/a", "-", "unknown"})

# notes: what was normalised, counted per cell (or per row) and listed by `validate`
TRAILING = "trailing delimiters removed"
MIDNIGHT = "midnight times removed from dates"
MISSING = "missing-value tokens read as empty"
DECIMAL_COMMA = "decimal commas read as points"
NOTE_ORDER = (TRAILING, MIDNIGHT, MISSING, DECIMAL_COMMA)

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(?:[.,]\d{3})+$")
_BARE_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")

DateReader = Callable[[str], "_dates.ParsedDate | str"]  # a date, or why the text is not one


@dataclass(frozen=True)
class Cell:
    """What one cell says: a value, or an error, and perhaps a warning or a note."""

    value: Any = None
    error: str | None = None
    warning: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Context:
    """What a rule may know besides its cell: facts about the whole file."""

    read_date: DateReader
    decimal_comma: bool = False
    has_patient: bool = False
    present: frozenset[str] = frozenset()  # the contract columns the file has
    registry: Registry = field(default_factory=default_registry)  # what therapy names mean
    after_value: str = ""  # the contract column right after 'value' in the file, if any


Rule = Callable[[str, str, Context], Cell]


@dataclass(frozen=True)
class CellRule:
    """A column of the contract and the rule that reads its cells.

    ``by_kind``: the reading depends on the row's kind (read once per distinct
    (kind, text) pair; the kind is ``""`` where the row's kind is unreadable).
    """

    column: str
    read: Rule
    by_kind: bool = False


def _kind_label(kind: str) -> str:
    return {"edss": "EDSS", "mri": "MRI"}.get(kind, kind)


def _article(kind: str) -> str:
    return "an" if kind in ("edss", "mri") else "a"


def read_kind(text: str, kind: str, ctx: Context) -> Cell:
    if not text:
        return Cell("", "kind is empty; expected one of " + ", ".join(KINDS))
    folded = text.casefold()
    if folded not in KINDS:
        hint = difflib.get_close_matches(folded, KINDS, n=1, cutoff=0.5)
        extra = f" (did you mean '{hint[0]}'?)" if hint else ""
        return Cell("", f"'{text}' is not a kind; expected one of {', '.join(KINDS)}{extra}")
    return Cell(folded)


def read_patient(text: str, kind: str, ctx: Context) -> Cell:
    if ctx.has_patient and not text:
        return Cell(text, "patient is empty, but other rows name a patient")
    return Cell(text)


def read_name(text: str, kind: str, ctx: Context) -> Cell:
    """A therapy or analyte name (required), or a relapse's syndrome or an MRI's region.

    A therapy name the registry does not know but that is close to one it knows
    (``Rituxiamb``) is a warning: it is counted as a therapy of its own, never guessed.
    """
    if kind in ("therapy", "lab") and not text:
        what = "the therapy's name" if kind == "therapy" else "the analyte (e.g. CSF IL-6)"
        missing = "" if "name" in ctx.present else " (the file has no 'name' column)"
        return Cell(text, f"{_article(kind)} {_kind_label(kind)} row needs a name: {what}"
                          + missing)
    if kind == "therapy":
        meant = ctx.registry.suggest(text)
        if meant is not None:
            return Cell(text, warning=f"'{text}' is not a therapy name the registry knows; did "
                                      f"you mean '{meant}'? It is counted as a therapy of its "
                                      f"own, not as {meant}: correct the spelling, or name it "
                                      "in a --registry file")
    return Cell(text)


def read_start(text: str, kind: str, ctx: Context) -> Cell:
    if not text:
        return Cell(None, "start date is empty")
    got = ctx.read_date(text)
    if isinstance(got, str):
        return Cell(None, got)
    return Cell(got, note=MIDNIGHT if got.had_midnight else None)


ONGOING = "ongoing"


def read_end(text: str, kind: str, ctx: Context) -> Cell:
    """None (a single administration), ``ongoing``, or the last day as a ParsedDate."""
    folded = text.casefold()
    if folded in MISSING_TOKENS:
        return Cell(None, note=MISSING)
    if not text:
        return Cell(None)
    if kind and kind != "therapy":
        return Cell(None, f"'end' is only used on therapy rows; a {kind} row has a single date "
                          "(leave end empty)")
    if folded == ONGOING:
        return Cell(ONGOING)
    got = ctx.read_date(text)
    if isinstance(got, str):
        if not any(ch.isdigit() for ch in text):
            got += "; for a therapy that is still running, write 'ongoing'"
        return Cell(None, got)
    return Cell(got, note=MIDNIGHT if got.had_midnight else None)


def parse_number(text: str, decimal_comma: bool) -> tuple[float, bool] | str:
    """``(number, whether a decimal comma was read)``, or why ``text`` is not a number."""
    if _GROUPED.match(text):  # at least one group of three digits after a separator
        return (f"'{text}' is ambiguous (a decimal or a thousands separator?); "
                "write numbers without thousands separators, e.g. 1000 or 1.5")
    comma = False
    if _NUMBER.match(text):
        v = float(text)
    elif _DECIMAL.match(text):
        if not decimal_comma:
            return (f"'{text}' has a decimal comma, which is only read in semicolon- or "
                    "tab-separated files; write it with a point (e.g. 3.5)")
        v = float(text.replace(",", "."))
        comma = True
    else:
        return f"'{text}' is not a number"
    if not math.isfinite(v):
        return f"'{text}' is not a finite number"  # pragma: no cover - regex excludes
    return v, comma


MAX_VALUE = 1e15  # no dose, score, count or lab value is larger; beyond it, axes overflow


def read_value(text: str, kind: str, ctx: Context) -> Cell:
    """The row's number: an EDSS score, a lab value, a lesion count, a dose (or None)."""
    if text.casefold() in MISSING_TOKENS:
        return _value_missing(kind, ctx, note=MISSING)
    if not text:
        return _value_missing(kind, ctx)
    got = parse_number(text, ctx.decimal_comma)
    if isinstance(got, str):
        return Cell(None, got)
    value, comma = got
    note = DECIMAL_COMMA if comma else None
    if abs(value) > MAX_VALUE:
        return Cell(value, f"'{text}' is out of range: values up to 10^15 are read "
                           "(write a count such as 2.5 x 10^9/L as 2.5 with the unit 10^9/L)",
                    note=note)
    if kind == "edss":
        if not 0 <= value <= 10 or (value * 2) != int(value * 2):
            return Cell(value, f"EDSS {text} is not on the scale (0 to 10 in steps of 0.5)",
                        note=note)
        if value == 0.5:
            return Cell(value, warning="EDSS 0.5 is not a step of the Kurtzke scale (0, then "
                                       "1.0 to 10); drawn as given", note=note)
    elif kind == "mri" and (value < 0 or value != int(value)):
        return Cell(value, f"'{text}' is not a lesion count (a whole number, 0 = quiet scan)",
                    note=note)
    elif kind == "therapy" and value < 0:
        return Cell(value, f"dose '{text}' is negative", note=note)
    elif kind == "relapse":
        return Cell(value, "value is not used on relapse rows; put notes in 'detail'", note=note)
    return Cell(value, note=note)


def _value_missing(kind: str, ctx: Context, note: str | None = None) -> Cell:
    if kind in ("edss", "lab"):
        what = "the EDSS score" if kind == "edss" else "the measured value"
        missing = "" if "value" in ctx.present else " (the file has no 'value' column)"
        return Cell(None, f"{_article(kind)} {_kind_label(kind)} row needs a value: {what}"
                          + missing, note=note)
    return Cell(None, note=note)


def read_role(text: str, kind: str, ctx: Context) -> Cell:
    """``acute``, ``maintenance``, ``other`` or ``""`` (the registry decides: see
    ``load.rows``)."""
    folded = text.casefold()
    if not folded:
        return Cell("")
    if kind and kind != "therapy":
        return Cell("", "role is only used on therapy rows")
    if folded not in ROLES:
        return Cell("", f"'{text}' is not a role; expected acute, maintenance or other")
    return Cell(folded)


def read_unit(text: str, kind: str, ctx: Context) -> Cell:
    """Free text (``mg``, ``pg/mL``, ``1:x``), but never a bare number, and no unit on an
    EDSS row: both are what a decimal comma leaves behind when it splits a value into two
    cells (``edss,,2011-04-01,,4,5`` reads as EDSS 4 with unit 5)."""
    if not text:
        return Cell(text)
    number = _BARE_NUMBER.match(text) is not None
    if not number and kind != "edss":
        return Cell(text)
    hint = _split_hint(text, "unit", ctx)
    if number:
        return Cell(text, f"unit '{text}' is a number, not a unit; {hint}")
    return Cell(text, f"an EDSS score has no unit (found '{text}'): leave unit empty; {hint}")


def _split_hint(text: str, column: str, ctx: Context) -> str:
    if ctx.decimal_comma:  # semicolon or tab file: a comma cannot split a cell
        return "if it belongs to the value, write the value in one cell (4,5 or 4.5)"
    digits = text if text.isdigit() else "5"
    return (f"was a value written with a decimal comma? In a comma-separated file 4,{digits} "
            f"is split at the comma into value 4 and {column} {digits}: write it with a point "
            f"(4.{digits})")


def read_detail(text: str, kind: str, ctx: Context) -> Cell:
    """Free text, kept as written (missing-value tokens too); but a bare number in a comma
    file's detail column right after the value column is what a decimal comma leaves
    behind (``edss,,2011-04-01,,4,5`` with the columns ``...,value,detail`` reads as EDSS 4
    with detail 5)."""
    if (ctx.after_value == "detail" and not ctx.decimal_comma
            and _BARE_NUMBER.match(text) is not None):
        return Cell(text, f"detail '{text}' is a bare number right after the value; "
                          f"{_split_hint(text, 'detail', ctx)}; if it is a note, write it "
                          f"with words (cycle {text})")
    return Cell(text)


# The contract: one rule per column, in the order problems in a row are reported.
RULES: tuple[CellRule, ...] = (
    CellRule("kind", read_kind),
    CellRule("patient", read_patient),
    CellRule("name", read_name, by_kind=True),
    CellRule("start", read_start),
    CellRule("end", read_end, by_kind=True),
    CellRule("value", read_value, by_kind=True),
    CellRule("role", read_role, by_kind=True),
    CellRule("unit", read_unit, by_kind=True),
    CellRule("detail", read_detail),
)
