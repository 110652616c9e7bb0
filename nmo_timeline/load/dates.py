"""Strict date parsing for the CSV contract.

Accepted styles: ISO ``YYYY-MM-DD`` (and the partial ``YYYY-MM`` and ``YYYY``),
dotted ``DD.MM.YYYY`` (European Excel), or one explicit ``--date-format``.
Slash dates without an explicit format, two-digit years, Excel serial numbers,
impossible dates and times of day other than midnight are refused, each with a
message that says how to fix the cell.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

ISO = "iso"
DOTTED = "dotted"
CUSTOM = "custom"

STYLE_NAMES = {ISO: "YYYY-MM-DD", DOTTED: "DD.MM.YYYY"}

MIN_YEAR = 1900
MAX_YEAR = 2100

_MIDNIGHT = re.compile(r"^(.*?\d)(?:[ T]00:00(?::00(?:\.0+)?)?Z?)$")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_ISO_YEAR = re.compile(r"^(\d{4})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DOTTED_SHORT_YEAR = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2}$")
_SLASH = re.compile(r"^\d{1,4}/\d{1,2}/\d{1,4}$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_LOOSE_ISO = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$")
_EXCEL_EPOCH = date(1899, 12, 30)


class DateError(ValueError):
    """A date cell that cannot be read; the message says why and how to fix it."""


@dataclass(frozen=True)
class ParsedDate:
    """A date cell read against the contract.

    ``first`` and ``last`` are the first and last day of the period the cell
    names: the same day for a full date, the month or year for partial dates.
    """

    style: str
    first: date
    last: date
    precision: str  # "day", "month" or "year"
    had_midnight: bool = False


def _make(style: str, y: int, m: int, d: int, text: str) -> ParsedDate:
    _check_year(y, text)
    if not 1 <= m <= 12:
        raise DateError(f"'{text}' is not a real date: there is no month {m}")
    days = _days_in_month(y, m)
    if not 1 <= d <= days:
        raise DateError(
            f"'{text}' is not a real date: {calendar.month_name[m]} {y} has {days} days"
        )
    day = date(y, m, d)
    return ParsedDate(style, day, day, "day")


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(y: int, m: int) -> int:
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return 29
    return _MONTH_DAYS[m - 1]


def _check_year(y: int, text: str) -> None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise DateError(
            f"'{text}' has the year {y}, outside {MIN_YEAR}-{MAX_YEAR}; check the date"
        )


def compile_format(fmt: str) -> re.Pattern[str]:
    """Turn ``DD/MM/YYYY`` (or ``%d/%m/%Y``) into a strict regular expression.

    Raises
    ------
    ValueError
        If the format does not contain exactly one day, month and year field.
    """
    spec = fmt.strip()
    for a, b in (("%d", "DD"), ("%m", "MM"), ("%Y", "YYYY")):
        spec = spec.replace(a, b)
    upper = spec.upper()
    if any(upper.count(tok) != 1 for tok in ("DD", "MM", "YYYY")) or re.search(
        r"%[a-zA-Z]", spec
    ):
        raise ValueError(
            f"date format '{fmt}' must contain DD, MM and YYYY once each "
            "(for example DD/MM/YYYY or MM/DD/YYYY)"
        )
    pattern = ""
    i = 0
    while i < len(upper):
        if upper.startswith("YYYY", i):
            pattern += r"(?P<y>\d{4})"
            i += 4
        elif upper.startswith("DD", i):
            pattern += r"(?P<d>\d{1,2})"
            i += 2
        elif upper.startswith("MM", i):
            pattern += r"(?P<m>\d{1,2})"
            i += 2
        else:
            if upper[i].isalnum():
                raise ValueError(
                    f"date format '{fmt}' may only contain DD, MM, YYYY and separators"
                )
            pattern += re.escape(upper[i])
            i += 1
    return re.compile("^" + pattern + "$")


def parse_date(
    text: str, custom: re.Pattern[str] | None = None, custom_name: str = ""
) -> ParsedDate:
    """Parse one non-empty date cell.

    Parameters
    ----------
    text : str
        The cell, already stripped of surrounding whitespace.
    custom : compiled pattern, optional
        From :func:`compile_format`; when given, every date must match it.
    custom_name : str
        The format as the user wrote it, for messages.

    Raises
    ------
    DateError
        With a message that names the problem and the fix.
    """
    midnight = False
    m = _MIDNIGHT.match(text)
    if m:
        text_date = m.group(1)
        midnight = True
    else:
        text_date = text
        if _TIME.search(text):
            raise DateError(
                f"'{text}' has a time of day; the timeline works in whole days, "
                "so remove the time (midnight, 00:00, is accepted)"
            )
    parsed = _parse_plain(text_date, text, custom, custom_name)
    if midnight:
        return ParsedDate(parsed.style, parsed.first, parsed.last, parsed.precision, True)
    return parsed


def _parse_plain(
    s: str, text: str, custom: re.Pattern[str] | None, custom_name: str
) -> ParsedDate:
    if custom is not None:
        m = custom.match(s)
        if not m:
            raise DateError(f"'{text}' does not match the date format {custom_name}")
        return _make(CUSTOM, int(m["y"]), int(m["m"]), int(m["d"]), text)
    m = _ISO_DAY.match(s)
    if m:
        return _make(ISO, int(m[1]), int(m[2]), int(m[3]), text)
    m = _DOTTED.match(s)
    if m:
        return _make(DOTTED, int(m[3]), int(m[2]), int(m[1]), text)
    m = _ISO_MONTH.match(s)
    if m:
        y, mo = int(m[1]), int(m[2])
        _check_year(y, text)
        if not 1 <= mo <= 12:
            raise DateError(f"'{text}' is not a real date: there is no month {mo}")
        last = _days_in_month(y, mo)
        return ParsedDate(ISO, date(y, mo, 1), date(y, mo, last), "month")
    m = _ISO_YEAR.match(s)
    if m:
        y = int(m[1])
        _check_year(y, text)
        return ParsedDate(ISO, date(y, 1, 1), date(y, 12, 31), "year")
    if _SLASH.match(s):
        raise DateError(
            f"'{text}' is a slash date, which is ambiguous (day/month or month/day?); "
            "write dates as YYYY-MM-DD, or pass --date-format DD/MM/YYYY "
            "(or MM/DD/YYYY) to say which order the file uses"
        )
    if _DOTTED_SHORT_YEAR.match(s):
        raise DateError(
            f"'{text}' has a two-digit year; write the full year (DD.MM.YYYY or YYYY-MM-DD)"
        )
    if _SERIAL.match(s):
        serial = float(s)
        guess = _EXCEL_EPOCH + timedelta(days=int(serial))
        raise DateError(
            f"'{text}' looks like an Excel serial day number (it would be {guess.isoformat()}); "
            "format the column as a date (YYYY-MM-DD) in Excel before saving"
        )
    if _LOOSE_ISO.match(s):
        raise DateError(
            f"'{text}' is not in a supported date style; write it as YYYY-MM-DD "
            "with two-digit month and day"
        )
    raise DateError(
        f"'{text}' is not a date; write dates as YYYY-MM-DD (or DD.MM.YYYY, "
        "or YYYY-MM / YYYY when only the month or year is known)"
    )
