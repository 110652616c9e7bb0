"""The shared time axis: calendar dates, or time relative to an anchor (pure).

``--relative onset|first-therapy|THERAPY|YYYY-MM-DD`` picks the anchor:
``onset`` is the first recorded relapse (else the first recorded event),
``first-therapy`` the first maintenance therapy, a therapy name its first dose
(names match case-insensitively, abbreviations too), or an explicit date.  The
unit (days, weeks, months, years) follows the span unless given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain.time import UNIT_DAYS
from ..errors import OptionError
from ..load.dates import DateError, parse_date

if TYPE_CHECKING:
    from ..load import EventTable

MAX_OFFSET_DAYS = 200 * 366  # relative times further than 200 years from the anchor are refused


class HiddenAnchor(str):
    """A ``--relative`` anchor under ``--anonymize``: read like the text it is, but a date
    anchor is described as "anchor" instead of by its date ("Years since anchor")."""

    __slots__ = ()


@dataclass(frozen=True)
class TimeAxis:
    """How x is labelled: calendar dates (``anchor`` None) or relative time."""

    anchor: date | None = None
    unit: str = "years"
    anchor_label: str = ""
    calendar_row: bool = False

    @property
    def relative(self) -> bool:
        return self.anchor is not None

    @property
    def unit_days(self) -> float:
        return UNIT_DAYS[self.unit]

    @property
    def label(self) -> str:
        return f"{self.unit.capitalize()} since {self.anchor_label}" if self.relative else ""

    def to_date(self, value: float, to_day: Callable[[float], int] = round) -> date:
        """The day ``value`` units after the anchor (rounded to a day by ``to_day``: a
        window's start rounds down, its end up, so its own ticks are inside it); an
        OptionError for a time that no axis can show (not finite, over 200 years away)."""
        assert self.anchor is not None
        days = value * self.unit_days
        if not math.isfinite(days) or abs(days) > MAX_OFFSET_DAYS:
            raise OptionError(f"'{value:g}' {self.unit} from the anchor is not a time the axis "
                              "can show (at most 200 years either side)")
        try:
            return self.anchor + timedelta(days=to_day(days))
        except OverflowError:
            raise OptionError(f"'{value:g}' {self.unit} from the anchor is past the years a "
                              "date can have") from None


def auto_unit(span_days: int) -> str:
    if span_days < 90:
        return "days"
    if span_days < 2 * 365:
        return "months"
    return "years"


def resolve_anchor(table: EventTable, spec: str) -> tuple[date, str]:
    """The anchor date and its description for ``--relative SPEC``."""
    from ..analysis.anchors import FIRST_THERAPY, ONSET, anchor_rule

    ev = table.events
    key = spec.strip().casefold()
    if key in (ONSET, FIRST_THERAPY):
        rule = anchor_rule(table, spec)
        if rule.rows.any():
            return ev["start"][rule.rows].min().date(), "onset" if key == ONSET else \
                "first therapy"
        if rule.falls_back:
            return ev["start"].min().date(), "first record"
        raise OptionError("--relative first-therapy: the record has no maintenance therapy")
    try:
        parsed = parse_date(spec.strip())
    except DateError:
        parsed = None
    if parsed is not None:
        return parsed.first, "anchor" if isinstance(spec, HiddenAnchor) else \
            parsed.first.isoformat()
    rule = anchor_rule(table, spec)
    if not rule.rows.any():
        names = sorted({str(n) for n in ev["name"][ev["kind"] == "therapy"]})
        raise OptionError(
            f"--relative {spec}: no such therapy in the record (therapies: "
            + ", ".join(names) + "); or use onset, first-therapy or a date")
    return ev["start"][rule.rows].min().date(), f"first {rule.therapy}"


def axis_number(text: str, axis: TimeAxis, option: str) -> float | None:
    """``text`` as a number of the relative unit, or None where it is a date.  Under
    ``--relative`` a bare four-digit number could be a year or a count of units, so it is
    refused; without ``--relative`` a number is refused (only dates have a place)."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        return None
    year_like = len(text) == 4 and text.isdigit()
    if year_like and axis.relative:
        raise OptionError(f"{option}: '{text}' could be a year or {text} {axis.unit}; write "
                          f"the date as {text}-01-01, or the number as {text}.0")
    if year_like:
        return None
    if not axis.relative:
        raise OptionError(f"{option}: numbers need --relative; or give dates (YYYY-MM-DD)")
    return value


def parse_window(text: str, axis: TimeAxis, record: tuple[date, date]
                 ) -> tuple[date | None, date | None]:
    """``FROM:TO`` as dates, or as numbers in the relative unit; either side may be empty.
    A partial date means its first day as FROM and its last as TO (``2009:2010`` is two
    years).  A window outside the ``record`` (first and last day) is refused, and so is
    one of relative numbers shorter than a fiftieth of the unit."""
    if ":" not in text:
        raise OptionError(f"--window '{text}': use FROM:TO, e.g. 2010-01-01:2012-12-31 or -1:3")
    option = f"--window '{text}'"
    parts = [part.strip() for part in text.split(":", 1)]
    values = [axis_number(part, axis, option) if part else None for part in parts]
    if values[0] is not None and values[1] is not None:
        if values[0] >= values[1]:
            raise OptionError(f"{option}: FROM must be before TO")
        if values[1] - values[0] < 0.02:
            advice = ("choose a wider window" if axis.unit == "days"
                      else "choose a smaller --unit (days, weeks, months)")
            raise OptionError(f"{option}: shorter than a fiftieth of a {axis.unit[:-1]}; "
                              f"{advice}")

    def one(part: str, value: float | None, last: bool = False) -> date | None:
        if not part:
            return None
        if value is not None:
            try:
                return axis.to_date(value, math.ceil if last else math.floor)
            except OptionError as exc:
                raise OptionError(f"{option}: {exc}") from None
        try:
            parsed = parse_date(part)
        except DateError as exc:
            raise OptionError(f"{option}: {exc}") from None
        return parsed.last if last else parsed.first

    lo, hi = one(parts[0], values[0]), one(parts[1], values[1], last=True)
    if lo is not None and hi is not None and lo >= hi:
        raise OptionError(f"{option}: FROM must be before TO")
    if (hi is not None and hi < record[0]) or (lo is not None and lo > record[1]):
        raise OptionError(f"{option} holds nothing of the record, which runs from "
                          f"{record[0].isoformat()} to {record[1].isoformat()}")
    return lo, hi
