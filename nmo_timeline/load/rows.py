"""Rules across cells and rows: an end before its start, one date style per file,
duplicates, one unit per analyte (README, "Rules that refuse rather than guess"), and
the role of an acute agent by its schedule (README, "How periods and relapse rates are
computed").

They run once, on the columns the cell rules (:mod:`nmo_timeline.load.contract`)
have read, as array operations; messages are written only for the rows they name.
Each returns problems as ``(row, Problem)`` pairs, rows counted from 0 in file order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import Problem
from . import dates as _dates


@dataclass
class Parsed:
    """The file's rows as read by the cell rules, one array entry per row."""

    name: str
    lines: np.ndarray  # physical line of each row
    labels: dict[str, str]  # column key -> header as written (or the key)
    text: dict[str, Any]  # column key -> callable row -> stripped text (for messages)
    patient: np.ndarray  # patient text codes
    kind: np.ndarray  # index into contract.KINDS, len(KINDS) where unreadable
    name_key: np.ndarray  # codes of the name rows are grouped by (see check.py)
    start_first: np.ndarray  # day number of the first day the start names (or 0)
    start_style: np.ndarray  # index into STYLES, -1 where the start did not parse
    end_last: np.ndarray  # day number of the end's last day (or 0)
    end_style: np.ndarray  # index into STYLES, -1 where the end is not a date
    payload: Any  # callable row -> the contents two rows of one key are compared by
    unit_key: np.ndarray  # codes of :func:`unit_key` of the unit
    start_precision: np.ndarray  # "day", "month" or "year" ("" where the start is no date)


STYLES = (_dates.ISO, _dates.DOTTED, _dates.CUSTOM)


_LETTERS = re.compile(r"[^\W\d_]+")
_LITRE = re.compile(r"[mdcµμunpf]?[lL]")  # litre, with or without a small prefix


def _harmless_case(run: str) -> str:
    if _LITRE.fullmatch(run):
        return run[:-1] + "L"
    if run.casefold() == "iu":
        return "IU"
    return run


def unit_key(unit: str) -> str:
    """What two units are compared by: the text as written, except the case variants
    that cannot change the meaning: the litre (``l`` or ``L``: ``pg/ml`` = ``pg/mL``)
    and international units (``iu`` = ``IU``).  Any other difference in case is a
    different unit: ``mU/mL`` (milli) is not ``MU/mL`` (mega).

    Examples
    --------
    >>> unit_key("pg/ml") == unit_key("pg/mL"), unit_key("mU/mL") == unit_key("MU/mL")
    (True, False)
    """
    return _LETTERS.sub(lambda m: _harmless_case(m.group()), unit)


def label(p: Parsed, key: str) -> str:
    return p.labels.get(key, key)


def end_before_start(p: Parsed, rows: np.ndarray) -> list[tuple[int, Problem]]:
    """An end date before the start date (``rows``: where both are dates)."""
    bad = rows[p.end_last[rows] < p.start_first[rows]]
    return [(int(r), Problem(p.name, int(p.lines[r]), label(p, "end"),
                             f"end {p.text['end'](r)} is before start {p.text['start'](r)}"))
            for r in bad.tolist()]


@dataclass(frozen=True)
class DateStyles:
    """The style most of the file's dates use, and the dates written in another."""

    main: str
    problems: list[tuple[int, Problem]]


def one_date_style(p: Parsed) -> DateStyles:
    """The style most dates use wins (ties: the one seen first); every date written
    in another style is an error at its line and column."""
    n = len(p.lines)
    position = np.concatenate([np.arange(n) * 2, np.arange(n) * 2 + 1])
    styles = np.concatenate([p.start_style, p.end_style])
    seen = styles >= 0
    if not seen.any():
        return DateStyles(_dates.ISO, [])
    counts = np.bincount(styles[seen], minlength=len(STYLES))
    first = {s: int(position[seen & (styles == s)].min()) for s in np.unique(styles[seen])}
    main = max(first, key=lambda s: (counts[s], -first[s]))
    others = np.flatnonzero(seen & (styles != main))
    problems = []
    total, main_name = int(counts.sum()), _dates.STYLE_NAMES[STYLES[main]]
    for i in sorted(others.tolist(), key=lambda i: position[i]):
        row, column = (i, "start") if i < n else (i - n, "end")
        style = _dates.STYLE_NAMES[STYLES[styles[i]]]
        problems.append((row, Problem(
            p.name, int(p.lines[row]), label(p, column),
            f"'{p.text[column](row)}' is written {style}, but this file writes dates "
            f"{main_name} ({counts[main]} of {total} dates); use one date style throughout")))
    return DateStyles(STYLES[main], problems)


def _groups(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, group id per sorted position) for rows sorted by ``keys`` (the first
    key most significant), ties in row order."""
    n = len(keys[0])
    order = np.lexsort((np.arange(n), *reversed(keys)))  # np.lexsort: last key first
    same = np.ones(max(n - 1, 0), dtype=bool)
    for key in keys:
        k = key[order]
        same &= k[1:] == k[:-1]
    fresh = np.concatenate([np.ones(min(n, 1), dtype=bool), ~same])
    return order, np.cumsum(fresh) - 1


def duplicates(p: Parsed, rows: np.ndarray) -> tuple[np.ndarray, list[tuple[int, Problem]],
                                                      list[tuple[int, Problem]]]:
    """Rows with the same patient, kind, name and day.

    An exact repeat is a warning and counted once; a repeat with other contents is
    an error naming the first column that differs.  Returns the rows kept (in
    order), the errors and the warnings.
    """
    if len(rows) < 2:
        return rows, [], []
    order, group = _groups(p.patient[rows], p.kind[rows], p.name_key[rows],
                           p.start_first[rows])
    sizes = np.bincount(group)
    repeated = sizes[group] > 1
    if not repeated.any():
        return rows, [], []
    dropped: set[int] = set()
    errors: list[tuple[int, Problem]] = []
    warnings: list[tuple[int, Problem]] = []
    fields = ("end", "end", "value", "unit", "detail", "role", "start")
    members: dict[int, list[int]] = {}
    for pos in np.flatnonzero(repeated).tolist():
        members.setdefault(int(group[pos]), []).append(int(rows[order[pos]]))
    for group_rows in members.values():
        first, *later = group_rows  # in row order: the sort keeps ties in row order
        a = p.payload(first)
        for r in later:
            b = p.payload(r)
            dropped.add(r)
            line, first_line = int(p.lines[r]), int(p.lines[first])
            vague = _vague_repeat(p, first, r)
            if vague is not None:
                errors.append((r, Problem(p.name, line, label(p, "start"), vague)))
                continue
            if a == b:
                this, that = p.text["name"](r), p.text["name"](first)
                how = "exactly" if this == that else f"under another name ('{this}' = '{that}')"
                warnings.append((r, Problem(p.name, line, None,
                                            f"repeats line {first_line} {how}; counted once")))
                continue
            diffs = [f for f, x, y in zip(fields, a, b, strict=True) if x != y]
            what = diffs[0] if diffs else "entry"
            errors.append((r, Problem(
                p.name, line, label(p, diffs[0]) if diffs else None,
                f"conflicts with line {first_line}: same patient, kind, name and date but a "
                f"different {what}; keep one")))
    kept = np.array([r for r in rows.tolist() if r not in dropped], dtype=np.int64)
    return kept, sorted(errors, key=lambda e: e[0]), sorted(warnings, key=lambda e: e[0])


_THERAPY, _RELAPSE = 0, 1  # indices into contract.KINDS


def _vague_repeat(p: Parsed, first: int, r: int) -> str | None:
    """Two therapy or relapse rows of one patient and name, both dated only to the same
    month (or year): two events that cannot be told apart, or one written twice; either
    way not something to merge silently.  The message, or ``None``."""
    precision = p.start_precision[r]
    kind = int(p.kind[r])
    if precision in ("day", "") or p.start_precision[first] != precision \
            or kind not in (_THERAPY, _RELAPSE):
        return None
    if kind == _THERAPY:
        one, two = "administration", f"administrations of {p.text['name'](r)}"
    else:
        one, two = "relapse", "relapses"
    return (f"dated only to the {precision} ({p.text['start'](r)}), like line "
            f"{int(p.lines[first])}: two {two} in one {precision} cannot be told apart; "
            f"give the full dates (YYYY-MM-DD), or keep one row if it was one {one}")


def one_unit_per_analyte(p: Parsed, labs: np.ndarray) -> list[tuple[int, Problem]]:
    """A lab analyte keeps the unit of its first row throughout a patient's record."""
    if len(labs) < 2:
        return []
    order, group = _groups(p.patient[labs], p.name_key[labs])
    sorted_rows = labs[order]
    first_row = sorted_rows[np.searchsorted(group, group, side="left")]
    differs = p.unit_key[sorted_rows] != p.unit_key[first_row]
    problems = []
    for r, f in sorted(zip(sorted_rows[differs].tolist(), first_row[differs].tolist(),
                           strict=True)):
        here, there = p.text["unit"](r), p.text["unit"](f)
        case = (" (units differ in case, which matters: m is milli, M is mega)"
                if here.casefold() == there.casefold() else "")
        problems.append((r, Problem(
            p.name, int(p.lines[r]), label(p, "unit"),
            f"{p.text['name'](r)} is in '{here}' here but in '{there}' on line "
            f"{int(p.lines[f])}; use one unit per analyte{case}")))
    return problems


#: The schedule rule (README, "How periods and relapse rates are computed").
LONG_COURSE_DAYS = 31  # a course of more days than this is maintenance
MONTHLY_GAP_DAYS = (14, 45)  # starts this many days apart are "about monthly"
MONTHLY_DOSES = 3  # this many about-monthly administrations in a row are maintenance
ACUTE, MAINTENANCE = "acute", "maintenance"


def role_by_schedule(p: Parsed, rows: np.ndarray, given: np.ndarray, registry_role: np.ndarray,
                     ongoing: np.ndarray, has_end: np.ndarray) -> np.ndarray:
    """The role of each therapy row among ``rows`` (others: ``""``).

    A ``role`` cell decides (``given``).  Else the registry's role, except that an agent
    the registry calls acute (steroids, apheresis, IVIG) is maintenance when its schedule
    says so: recorded ``ongoing``; or as one course of more than
    :data:`LONG_COURSE_DAYS` days (start and end day included); or as one of
    :data:`MONTHLY_DOSES` or more administrations in a row whose starts are
    :data:`MONTHLY_GAP_DAYS` apart (monthly IVIG).  A pulse of a few days stays acute.
    Returns the roles of all rows (``given`` and ``registry_role`` are per row).
    """
    roles = np.where(given != "", given, registry_role)
    acute = rows[(p.kind[rows] == _THERAPY) & (registry_role[rows] == ACUTE)]
    if not len(acute):
        return roles
    days = p.end_last[acute] - p.start_first[acute] + 1
    long_course = ongoing[acute] | (has_end[acute] & (days > LONG_COURSE_DAYS))
    # monthly administrations: starts of one patient's agent, in order
    order = np.lexsort((p.start_first[acute], p.name_key[acute], p.patient[acute]))
    rs = acute[order]
    same = (p.patient[rs][1:] == p.patient[rs][:-1]) & (p.name_key[rs][1:] == p.name_key[rs][:-1])
    gap = p.start_first[rs][1:] - p.start_first[rs][:-1]
    monthly_gap = same & (gap >= MONTHLY_GAP_DAYS[0]) & (gap <= MONTHLY_GAP_DAYS[1])
    # runs of monthly gaps: a run of k gaps joins k + 1 administrations
    run_id = np.cumsum(np.concatenate([[0], ~monthly_gap]))  # per administration
    gap_run = run_id[1:]  # the run each gap belongs to (its later administration's)
    gaps_in_run = np.bincount(gap_run[monthly_gap], minlength=int(run_id[-1]) + 1)
    monthly = np.zeros(len(rs), dtype=bool)
    monthly[:] = gaps_in_run[run_id] >= MONTHLY_DOSES - 1
    by_schedule = np.zeros(len(acute), dtype=bool)
    by_schedule[order] = monthly
    by_schedule |= long_course
    promote = acute[by_schedule & (given[acute] == "")]
    roles[promote] = MAINTENANCE
    return roles


def note_lines(counts: Counter[str], order: tuple[str, ...], per_row: str) -> list[str]:
    """Counted normalisations as notes: ``what (3 cells)``, in ``order``."""
    out = []
    for what in order:
        count = counts.get(what, 0)
        if count:
            unit = "row" if what == per_row else "cell"
            out.append(f"{what} ({count} {unit}{'s' if count != 1 else ''})")
    return out
