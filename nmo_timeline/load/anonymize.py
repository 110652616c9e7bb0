"""``--anonymize`` for free text: date-like text removed from every text field kept.

Calendar dates are what ``--anonymize`` takes out of a figure: the axis is relative
and the detail text is not drawn.  Names and units are kept (they are what the
figure is for), but a date can hide in them too (``Rituximab 2008-06-02``, a lab
named ``IL-6 (10.05.2006)``): :func:`scrub_dates` replaces every date-like piece
of such text with ``[date]``.  Date-like: full or partial ISO dates (also written
without separators, ``20190310``, or with underscores), dotted and slash dates, a month
and year (``12/2019``, ``Mar-2020``), a month name with a day or year (``10-Mar-2019``),
a range of years (``2015-2018``), quarters (``Q1-2019``, ``FY2019``), CJK dates, and a
year from 1900 to 2100 standing alone unless a dose unit follows (``2000 mg``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..domain.registry import name_key

if TYPE_CHECKING:
    from .table import EventTable

_MONTH = (r"(?:jan(?:uary|vier|uar)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|m[aä]r(?:ch|z|s)?|"
          r"apr(?:il)?|avr(?:il)?|ma[iy]|june?|juin|juni|july?|juil(?:let)?|juli|aug(?:ust)?|"
          r"ao[uû]t|sep(?:t(?:ember|embre)?)?|o[ck]t(?:ober|obre)?|nov(?:ember|embre)?|"
          r"de[cz](?:ember|embre)?|d[ée]c(?:embre)?)\.?")
_YEAR = r"(?:19|20)\d\d|2100"
DATE_LIKE = re.compile(
    rf"(?<!\w)(?:"  # after a hyphen too ('ECU-2019-01'), but for forms that start with a day
    rf"\d{{4}}[-/._]\d{{1,2}}(?:[-/._]\d{{1,2}})?(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"  # ISO
    rf"|(?<!-)\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}"  # dotted, slash, dashed day-month-year
    rf"|(?:{_YEAR})\s*[-\u2013/]\s*(?:{_YEAR}|\d\d)(?!\d)"  # 2015-2018, 2015/16
    rf"|(?<!-)\d{{1,2}}[./-](?:{_YEAR})"  # month and year: 12/2019, 03.2020
    rf"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?"  # 20190310, 201903
    rf"|(?<!-)\d{{1,2}}[-./ ]{_MONTH}[-./ ]\d{{2,4}}"  # 10-Mar-2019
    rf"|(?<!-)\d{{1,2}}\.?\s*{_MONTH}(?:\s*,?\s*\d{{2,4}})?"  # 10 May 2006, 10. Mai
    rf"|{_MONTH}\s*\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}}"  # May 10, 2006
    rf"|{_MONTH}[\s/-]*'?\d{{2,4}}"  # May 2006, Mai '06, Mar-2020
    rf"|(?:Q[1-4]|H[12]|FY)[-/ ]?(?:{_YEAR})|(?:{_YEAR})[-/ ]?(?:Q[1-4]|H[12])"  # quarters
    rf"|(?:{_YEAR})\u5e74(?:\d{{1,2}}\u6708(?:\d{{1,2}}\u65e5)?)?"  # 2019年3月10日
    rf"|(?:{_YEAR})(?!\s*(?:mg|g|µg|ug|mcg|ml|mL|IU|U|units?)\b)"  # a year, not a dose
    rf")(?!\w)",
    re.IGNORECASE,
)
MASK = "[date]"


def scrub_text(text: str) -> str:
    """``text`` with every date-like piece replaced by ``[date]``.

    Examples
    --------
    >>> scrub_text("IL-6 (10.05.2006)"), scrub_text("Rituximab May 2008"), scrub_text("mg/m2")
    ('IL-6 ([date])', 'Rituximab [date]', 'mg/m2')
    """
    return DATE_LIKE.sub(MASK, text)


def scrub_dates(table: EventTable) -> EventTable:
    """The table with date-like text removed from its names, units and details (the
    lanes and lab panels are still grouped as before)."""
    ev = table.events.copy()
    for column in ("name", "unit", "detail"):
        ev[column] = ev[column].map(scrub_text)
    changed = (ev["name"] != table.events["name"]).to_numpy()
    if changed.any():
        # a name that held a date keeps a lane of its own, under a key free of the date
        # (keys become artist ids in SVG): numbered in order of first appearance
        keys: dict[str, str] = {}
        for old_key, new_name in zip(table.events.loc[changed, "name_key"],
                                     ev.loc[changed, "name"], strict=True):
            keys.setdefault(old_key, f"{name_key(new_name)} {len(keys) + 1}")
        ev.loc[changed, "name_key"] = table.events.loc[changed, "name_key"].map(keys)
    return replace(table, events=ev)
