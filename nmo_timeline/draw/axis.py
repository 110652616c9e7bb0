"""Time-axis ticks: calendar ticks that always name the record's first year, relative
ticks in whole units, and the row of calendar years under a relative axis.

Calendar ticks step by days (1, 2, 7, 14), months (1, 2, 3, 6) or years (1, 2, 5, 10, ...),
the finest step that keeps at most ``max_ticks`` ticks.  They are aligned to the start
of the axis, so the first tick falls in the record's first month or year; a tick's label
names its year whenever the year differs from the tick before (months and days on a
first line, the year under them).  Year ticks pull the axis back to 1 January of the
first year, so that year is labelled too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .figure import Style, num

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6)
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True)
class DateTicks:
    """Tick days, their labels, and where the axis starts."""

    days: list[date]
    labels: list[str]
    start: date


def _add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, 1)


def date_ticks(lo: date, hi: date, max_ticks: int, *, fixed_start: bool = False,
               first_day: date | None = None) -> DateTicks:
    """Ticks between ``lo`` and ``hi``, aligned to ``first_day`` (the record's first day,
    default ``lo``); ``fixed_start`` keeps ``lo`` (a user's window).

    Examples
    --------
    >>> t = date_ticks(date(2010, 5, 1), date(2011, 9, 30), 8)
    >>> t.labels[:2]
    ['May\\n2010', 'Aug']
    """
    span = max((hi - lo).days, 1)
    max_ticks = max(max_ticks, 2)
    anchor = max(first_day or lo, lo)  # the padding before the record is not a first year
    for step in DAY_STEPS:
        if span / step < max_ticks:
            days = [lo + timedelta(days=k * step) for k in range(span // step + 1)]
            return DateTicks(days, _labels(days, "day"), lo)
    # month ticks on the 1st, from the record's first month (the axis is pulled back to it)
    first = date(anchor.year, anchor.month, 1)
    if fixed_start and first < lo:
        first = _add_months(first, 1)
    months = (hi.year - first.year) * 12 + hi.month - first.month
    for step in MONTH_STEPS:
        if months / step < max_ticks:
            days = [_add_months(first, k * step) for k in range(months // step + 1)]
            return DateTicks(days, _labels(days, "month"), lo if fixed_start else min(lo, first))
    first_year = anchor.year
    if fixed_start and date(first_year, 1, 1) < lo:
        first_year += 1
    step = next((s for s in YEAR_STEPS if (hi.year - first_year) / s < max_ticks), YEAR_STEPS[-1])
    days = [date(y, 1, 1) for y in range(first_year, hi.year + 1, step)]
    start = lo if fixed_start else min(lo, date(first_year, 1, 1))
    return DateTicks(days, [str(d.year) for d in days], start)


def _labels(days: list[date], unit: str) -> list[str]:
    out = []
    previous: date | None = None
    for d in days:
        first = d.strftime("%d").lstrip("0") if unit == "day" else d.strftime("%b")
        if unit == "day":
            new = previous is None or (d.year, d.month) != (previous.year, previous.month)
            out.append(f"{first}\n{d.strftime('%b %Y')}" if new else first)
        else:
            new = previous is None or d.year != previous.year
            out.append(f"{first}\n{d.year}" if new else first)
        previous = d
    return out


def relative_ticks(lo: float, hi: float, max_ticks: int) -> list[float]:
    """Whole-unit ticks (steps of 1, 2, 5, 10, ...) between ``lo`` and ``hi``."""
    span = max(hi - lo, 1e-9)
    step = 1.0
    for magnitude in (10 ** k for k in range(0, 6)):
        found = next((s * magnitude for s in (1, 2, 5) if span / (s * magnitude) < max_ticks),
                     None)
        if found is not None:
            step = found
            break
    first = math.ceil(lo / step) * step
    ticks = [first + k * step for k in range(int((hi - first) // step) + 1)]
    if len(ticks) < 2:  # less than a unit in view: halves and tenths
        fine = next((s for s in (0.5, 0.2, 0.1, 0.05, 0.02, 0.01) if span / s >= 2), None)
        if fine is None:  # a day or so of years: the two ends, to the figures that tell
            return next([a, b] for d in range(3, 12)  # them apart
                        if (a := float(f"{lo:.{d}g}")) != (b := float(f"{hi:.{d}g}")))
        first = math.ceil(lo / fine) * fine
        ticks = [round(first + k * fine, 6) for k in range(int((hi - first) / fine + 1e-9) + 1)]
    return ticks


def calendar_row(bottom: Axes, lo: float, hi: float, n_ticks: int, style: Style,
                 colour: str, gap_pt: float) -> None:
    """Calendar years under a relative time axis (day numbers ``lo`` to ``hi``), ``gap_pt``
    points below it (under its tick labels and axis label); only years inside the axis,
    every one or every few, as many as the axis has ticks (an axis of a few days or
    weeks within one year shows that year in its middle)."""
    from matplotlib.dates import num2date

    sec = bottom.secondary_xaxis("bottom")
    sec.set_gid("calendar-row")
    sec.spines["bottom"].set_position(("outward", gap_pt))
    sec.spines["bottom"].set_visible(False)
    step = max(1, round((hi - lo) / 365.25 / max(n_ticks, 3)))
    days = {y: num(date(y, 1, 1)) for y in range(num2date(lo).year, num2date(hi).year + 1)
            if y % step == 0}
    years = [y for y, day in days.items() if lo <= day <= hi]
    if years:
        sec.set_xticks([days[y] for y in years], [str(y) for y in years])
    else:  # no new year inside a short axis: its year, in the middle
        sec.set_xticks([(lo + hi) / 2], [str(num2date((lo + hi) / 2).year)])
    sec.tick_params(axis="x", length=0, labelsize=style.text(0.75), labelcolor=colour)


def clear_the_first_time_label(ax: Axes) -> None:
    """Under a window the first time tick sits on the axis' start, and its centred label
    reaches left under the panel's lowest value label.  That value label is set above its
    tick (its bottom on the spine) where the next value label leaves room; else the time
    label starts at its tick where the next time label leaves room.  Ticks and labels pair
    in order (``Axis._update_ticks``)."""
    def px(axis: str, value: float) -> float:
        return float(ax.transData.transform((value, value))[0 if axis == "x" else 1])

    low, high = sorted(ax.get_ylim())
    locs = list(ax.yaxis.get_majorticklocs())
    ys = sorted(y for y in locs if low <= y <= high)
    if not ys or ys[0] > low + (high - low) * 1e-6:
        return
    label = ax.yaxis.get_major_ticks(len(locs))[locs.index(ys[0])].label1
    tall = label.get_fontproperties().get_size_in_points() / 72 * ax.figure.dpi  # its box
    if len(ys) > 1 and px("y", ys[1]) - px("y", ys[0]) >= 1.5 * tall + 1:
        label.set_verticalalignment("bottom")  # the next label, centred, stays clear
        return
    xs = list(ax.xaxis.get_majorticklocs())
    if len(xs) < 2:
        return
    first, second = sorted(range(len(xs)), key=xs.__getitem__)[:2]
    texts = ax.xaxis.get_major_formatter().format_ticks(xs)
    time_label = ax.xaxis.get_major_ticks(len(xs))[first].label1
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]

    def wide(text: str) -> float:  # the widest line of a label
        return max(float(renderer.get_text_width_height_descent(
            line, time_label.get_fontproperties(), ismath=False)[0])
                   for line in text.split("\n"))

    if px("x", xs[second]) - px("x", xs[first]) >= wide(texts[first]) + wide(
            texts[second]) / 2 + tall / 2:
        time_label.set_horizontalalignment("left")
