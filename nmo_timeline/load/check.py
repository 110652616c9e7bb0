"""Apply the contract to a file's text columns, each rule once per distinct cell.

Every column is factorised (distinct stripped texts and a code per row); each
rule of :data:`nmo_timeline.load.contract.RULES` reads each distinct text once
(once per distinct (kind, text) pair where the kind matters) and the results are
mapped back to the rows as arrays.  Messages are written only for the rows with
problems, so a clean file of 100,000 rows costs a few array operations per column.
Then the rules across cells and rows (:mod:`nmo_timeline.load.rows`) run once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from ..domain.registry import Registry, default_registry, name_key
from ..errors import InputError, Problem
from . import dates as _dates
from . import rows as _rows
from .contract import (
    KINDS,
    NOTE_ORDER,
    ONGOING,
    RULES,
    TRAILING,
    Cell,
    CellRule,
    Context,
    DateReader,
)
from .header import Header
from .table import EventTable, event_frame

NO_KIND = len(KINDS)  # the kind index of a row whose kind cannot be read
_KIND_INDEX = {k: i for i, k in enumerate(KINDS)}
_KIND_OF = (*KINDS, "")
EPOCH = date(1970, 1, 1).toordinal()


@dataclass
class TextColumn:
    """A column as distinct stripped texts and a code per row (``texts[codes]``)."""

    codes: np.ndarray
    texts: list[str]

    @classmethod
    def of(cls, cells: Any) -> TextColumn:
        import pandas as pd

        codes, uniques = pd.factorize(np.asarray(cells, dtype=object))
        texts = uniques.tolist()
        stripped = [t.strip() for t in texts]
        if stripped != texts:  # " a" and "a" are one value: factorise again
            again, uniques = pd.factorize(np.array(stripped, dtype=object))
            codes, texts = again[codes], uniques.tolist()
        return cls(np.asarray(codes, dtype=np.intp), texts)

    @classmethod
    def empty(cls, n: int) -> TextColumn:
        return cls(np.zeros(n, dtype=np.intp), [""])

    def take(self, rows: np.ndarray) -> TextColumn:
        return TextColumn(self.codes[rows], self.texts)

    def text(self, row: int) -> str:
        return self.texts[self.codes[row]]

    def has_data(self) -> bool:
        used = np.unique(self.codes)
        return any(self.texts[i] for i in used.tolist())

    def map(self, fn: Callable[[str], Any], dtype: Any = object) -> np.ndarray:
        """``fn`` of each row's text, computed once per distinct text."""
        values = np.empty(len(self.texts), dtype=dtype)
        values[:] = [fn(t) for t in self.texts]
        return values[self.codes]

    def codes_by(self, fn: Callable[[str], Any]) -> np.ndarray:
        """A code per row, equal where ``fn`` of the texts is equal."""
        import pandas as pd

        codes, _ = pd.factorize(np.array([fn(t) for t in self.texts] + [None], dtype=object))
        return np.asarray(codes[:-1], dtype=np.intp)[self.codes]


@dataclass
class Applied:
    """One rule's reading of a column: ``cells[index[row]]`` is what each row holds."""

    cells: list[Cell]
    index: np.ndarray

    def where(self, test: Callable[[Cell], bool]) -> np.ndarray:
        return np.array([test(c) for c in self.cells], dtype=bool)[self.index]

    def values(self, fn: Callable[[Cell], Any], dtype: Any = object) -> np.ndarray:
        values = np.empty(len(self.cells), dtype=dtype)
        values[:] = [fn(c) for c in self.cells]
        return values[self.index]

    def cell(self, row: int) -> Cell:
        return self.cells[self.index[row]]


def apply(rule: CellRule, column: TextColumn, kind: np.ndarray, ctx: Context) -> Applied:
    """Read every distinct text of ``column`` (per distinct kind, where it matters) once."""
    if not rule.by_kind:
        return Applied([rule.read(t, "", ctx) for t in column.texts], column.codes)
    # the (kind, text) pairs that occur, found with a lookup table instead of a sort
    seen = np.zeros((len(_KIND_OF), len(column.texts)), dtype=np.intp)
    seen[kind, column.codes] = 1
    kinds, texts = np.nonzero(seen)
    seen[kinds, texts] = np.arange(len(kinds))
    cells = [rule.read(column.texts[t], _KIND_OF[k], ctx)
             for k, t in zip(kinds.tolist(), texts.tolist(), strict=True)]
    return Applied(cells, seen[kind, column.codes])


@dataclass
class Rows:
    """A file's data rows as text columns (one per header cell), ready to be checked."""

    name: str
    header: Header
    columns: list[TextColumn]
    lines: np.ndarray
    has_patient: bool
    notes: list[str]
    counts: Counter[str] = field(default_factory=Counter)  # normalisations counted so far
    early: list[Problem] = field(default_factory=list)  # rows left out (field counts, bytes)
    patient_of_line: Callable[[], dict[int, str]] | None = None


def _day(d: _dates.ParsedDate, last: bool = False) -> int:
    return (d.last if last else d.first).toordinal() - EPOCH


def check(data: Rows, read_date: DateReader, *, custom: bool, decimal_comma: bool,
          strict: bool = False, partial: bool = False,
          registry: Registry | None = None) -> EventTable:
    """Read every cell with its rule, then apply the rules across cells and rows.

    ``registry`` says what therapy names mean (default: the shipped one).  Raises
    :class:`InputError` with every problem (sorted by line), or, with ``partial``,
    leaves the rows with problems out and lists them on the table.
    """
    registry = registry if registry is not None else default_registry()
    name, header, lines = data.name, data.header, data.lines
    n = len(lines)
    by_key = {key: data.columns[i] for key, i in header.position.items()}

    def column(key: str) -> TextColumn:
        return by_key.get(key) or TextColumn.empty(n)

    at = {i: key for key, i in header.position.items()}
    after_value = at.get(header.position["value"] + 1, "") if "value" in header.position else ""
    ctx = Context(read_date, decimal_comma, data.has_patient, frozenset(header.position),
                  registry, after_value)
    kind = np.full(n, NO_KIND, dtype=np.int64)
    read: dict[str, Applied] = {}
    for rule in RULES:  # the kind rule comes first: the others may depend on it
        applied = read[rule.column] = apply(rule, column(rule.column), kind, ctx)
        if rule.column == "kind":
            kind = applied.values(lambda c: _KIND_INDEX.get(c.value, NO_KIND), np.int64)

    # ---- problems of single cells, in row order, then rule order
    problems: list[tuple[int, float, Problem]] = [(p.line or 0, -1, p) for p in data.early]
    warned: list[tuple[int, float, Problem]] = []
    bad = np.zeros(n, dtype=bool)
    counts = data.counts
    for pos, rule in enumerate(RULES):
        applied = read[rule.column]
        label = header.label(rule.column)
        erring = applied.where(lambda c: c.error is not None)
        bad |= erring
        for r in np.flatnonzero(erring).tolist():
            problems.append((int(lines[r]), pos, Problem(name, int(lines[r]), label,
                                                         str(applied.cell(r).error))))
        for r in np.flatnonzero(applied.where(lambda c: c.warning is not None)).tolist():
            warned.append((int(lines[r]), pos, Problem(name, int(lines[r]), label,
                                                       str(applied.cell(r).warning))))
        hits = np.bincount(applied.index, minlength=len(applied.cells)).tolist()
        for c, hit in zip(applied.cells, hits, strict=True):
            if c.note and hit:
                counts[c.note] += hit

    start, end, value = read["start"], read["end"], read["value"]
    is_date = lambda c: isinstance(c.value, _dates.ParsedDate)  # noqa: E731
    starts, ends = start.where(is_date), end.where(is_date)
    names, units, details = column("name"), column("unit"), column("detail")
    # a therapy row without a role cell has the registry's role (then its schedule's)
    given = read["role"].values(lambda c: c.value)
    is_therapy = kind == _KIND_INDEX["therapy"]
    registry_role = np.where(is_therapy, names.map(lambda t: registry.role_of(t) if t else ""),
                             "")
    roles = np.where(given == "", registry_role, given)
    ongoing = end.where(lambda c: c.value == ONGOING)
    value_of = value.values(lambda c: c.value)
    precision = start.values(lambda c: c.value.precision if is_date(c) else "")
    end_dates = end.values(lambda c: c.value.last if is_date(c) else None)

    def payload(r: int) -> tuple[Any, ...]:
        """What two rows of one patient, kind, name and day are compared by."""
        return (end_dates[r], bool(ongoing[r]), value_of[r], units.text(r), details.text(r),
                roles[r], precision[r])

    def style(c: Cell) -> int:
        return _rows.STYLES.index(c.value.style) if is_date(c) else -1

    parsed = _rows.Parsed(
        name=name, lines=lines, labels=dict(header.labels),
        text={key: column(key).text for key in ("start", "end", "name", "unit")},
        patient=column("patient").codes, kind=kind,
        # therapy rows are one therapy by the registry (RTX = Rituximab), others by name;
        # codes of the two kinds may coincide, which is harmless: kind is part of every key
        name_key=np.where(is_therapy, names.codes_by(lambda t: registry.therapy_key(t)[0]),
                          names.codes_by(name_key)),
        start_first=start.values(lambda c: _day(c.value) if is_date(c) else 0, np.int64),
        start_style=start.values(style, np.int64),
        end_last=end.values(lambda c: _day(c.value, last=True) if is_date(c) else 0, np.int64),
        end_style=end.values(style, np.int64),
        payload=payload, unit_key=units.codes_by(_rows.unit_key), start_precision=precision)
    end_pos = next(i for i, rule in enumerate(RULES) if rule.column == "end") + 0.5
    for r, problem in _rows.end_before_start(parsed, np.flatnonzero(starts & ends)):
        bad[r] = True
        problems.append((int(lines[r]), end_pos, problem))

    # a therapy name the registry does not know counts as maintenance: said once per name
    unknown = names.map(lambda t: bool(t) and registry.lookup(t) is None
                        and registry.suggest(t) is None).astype(bool)
    rows = np.flatnonzero(is_therapy & (given == "") & unknown & ~bad)
    name_pos = next(i for i, rule in enumerate(RULES) if rule.column == "name")
    for r in rows[np.unique(names.codes[rows], return_index=True)[1]].tolist():
        warned.append((int(lines[r]), name_pos, Problem(
            name, int(lines[r]), header.label("name"),
            f"'{names.text(r)}' is not a known therapy, so it counts as maintenance (it "
            "opens treatment periods); if it is a co-medication, vaccination or prophylaxis, "
            "give its rows the role 'other' (drawn, never a period), or name it in a "
            "--registry file")))

    # ---- rules across rows, on the rows that read cleanly
    errors = [p for _, _, p in sorted(problems, key=lambda t: (t[0], t[1]))]
    warnings = header.warnings + [p for _, _, p in sorted(warned, key=lambda t: (t[0], t[1]))]
    keep = ~bad
    if custom:
        date_style = _dates.CUSTOM
    else:
        styles = _rows.one_date_style(parsed)
        date_style = styles.main
        for r, problem in styles.problems:
            keep[r] = False
            errors.append(problem)
    kept, conflicts, repeats = _rows.duplicates(parsed, np.flatnonzero(keep))
    errors.extend(p for _, p in conflicts)
    warnings.extend(p for _, p in repeats)
    labs = kept[kind[kept] == _KIND_INDEX["lab"]]
    errors.extend(p for _, p in _rows.one_unit_per_analyte(parsed, labs))
    scheduled = _rows.role_by_schedule(parsed, kept, given, registry_role, ongoing, ends)
    promoted = int(np.count_nonzero(scheduled[kept] != roles[kept]))
    roles = scheduled

    notes = data.notes + _rows.note_lines(counts, NOTE_ORDER, per_row=TRAILING)
    if promoted:
        notes.append(f"{promoted} therapy row{'s' if promoted != 1 else ''} of acute agents "
                     "read as maintenance by their schedule (ongoing, a course of more than "
                     f"{_rows.LONG_COURSE_DAYS} days, or about monthly)")
    if strict and warnings:
        errors.extend(Problem(w.file, w.line, w.column, w.message + " [--strict]")
                      for w in warnings)
        warnings = []
    errors.sort(key=lambda p: p.line or 0)
    if errors and not partial:
        raise InputError(errors, warnings)
    if errors:
        failed = {p.line for p in errors}
        kept = kept[~np.isin(lines[kept], np.array(sorted(x or 0 for x in failed)))]
    frame = event_frame(
        lines=lines[kept], patient=column("patient").take(kept).map(str),
        kind=np.array(_KIND_OF, dtype=object)[kind[kept]], name=names.take(kept).map(str),
        name_key=names.take(kept).map(name_key), start=parsed.start_first[kept],
        end=np.where(ends[kept], parsed.end_last[kept], np.iinfo(np.int64).min),
        ongoing=ongoing[kept],
        value=value.values(lambda c: np.nan if c.value is None else c.value, float)[kept],
        unit=units.take(kept).map(str), detail=details.take(kept).map(str), role=roles[kept],
        start_precision=precision[kept],
        end_precision=end.values(lambda c: c.value.precision if is_date(c) else "")[kept])
    table = EventTable(frame, name, warnings, notes, data.has_patient, date_style,
                       registry=registry)
    if partial:
        table.errors = errors
        of_line = data.patient_of_line() if data.patient_of_line and errors else {}
        # problems with the file as a whole (the header's, under --strict) name no patient
        table.error_patients = {p.line: of_line.get(p.line, "") for p in errors
                                if p.line is not None and p.line != header.line}
    return table
