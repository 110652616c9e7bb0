"""Calendar windows around a first dose: ``--before 12m``, ``--on 90d``, ``--on 2y``.

A window is a whole number of days, months or years, counted on the calendar: 12 months
before 2013-03-31 starts on 2012-03-31, one month before it on 2013-02-28 (the day is
kept, or the month's last day where the month is shorter).  Years are 12 months.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import OptionError

UNITS = {"d": "day", "m": "month", "y": "year"}
#: The longest window accepted (100 years): longer ones are typing mistakes.
MAX_YEARS = 100
#: That limit in each unit: 100 years, 1200 months or 36525 days.
LIMITS = {"d": round(MAX_YEARS * 365.25), "m": MAX_YEARS * 12, "y": MAX_YEARS}

_WINDOW = re.compile(r"\s*(\d{1,6})\s*([dmy])\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """``amount`` days, months or years (``unit`` ``d``, ``m`` or ``y``)."""

    amount: int
    unit: str

    @property
    def text(self) -> str:
        """As written on the command line: ``12m``."""
        return f"{self.amount}{self.unit}"

    @property
    def label(self) -> str:
        """In words: ``12 months``, ``1 year``."""
        word = UNITS[self.unit]
        return f"{self.amount} {word}{'s' if self.amount != 1 else ''}"

    def shift(self, d: date, sign: int) -> date:
        """``d`` moved by the window, forward (``sign`` 1) or back (-1).

        Examples
        --------
        >>> Window(1, "m").shift(date(2013, 3, 31), -1), Window(1, "y").shift(date(2012, 2, 29), 1)
        (datetime.date(2013, 2, 28), datetime.date(2013, 2, 28))
        """
        if self.unit == "d":
            return d + timedelta(days=sign * self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        y, m = divmod(d.month - 1 + sign * months, 12)
        year, month = d.year + y, m + 1
        return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def parse_window(text: str, option: str) -> Window:
    """``12m``, ``90d`` or ``2y`` as a :class:`Window`; anything else is an OptionError.

    Examples
    --------
    >>> parse_window("12m", "--before").label, parse_window("2Y", "--on").text
    ('12 months', '2y')
    """
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise OptionError(f"{option} '{text}': use a whole number and a unit: 12m (months), "
                          "90d (days) or 2y (years)")
    window = Window(int(match.group(1)), match.group(2).casefold())
    if not 0 < window.amount <= LIMITS[window.unit]:
        raise OptionError(f"{option} '{text}': the window must be more than 0 and at most "
                          f"{MAX_YEARS} years")
    return window
