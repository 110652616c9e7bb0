import re
from datetime import date

import pytest

from nmo_timeline.load.dates import (
    CUSTOM,
    DOTTED,
    ISO,
    DateError,
    compile_format,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "style", "first", "last", "precision"),
    [
        ("2011-03-04", ISO, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("04.03.2011", DOTTED, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("4.3.2011", DOTTED, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("2011-02", ISO, date(2011, 2, 1), date(2011, 2, 28), "month"),
        ("2012-02", ISO, date(2012, 2, 1), date(2012, 2, 29), "month"),
        ("2011", ISO, date(2011, 1, 1), date(2011, 12, 31), "year"),
        ("2011-03-04T00:00:00", ISO, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("04.03.2011 00:00", DOTTED, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("2011-03-04T00:00:00Z", ISO, date(2011, 3, 4), date(2011, 3, 4), "day"),
        ("2011-03-04 00:00:00.000", ISO, date(2011, 3, 4), date(2011, 3, 4), "day"),
    ],
)
def test_accepted_dates(text, style, first, last, precision):
    d = parse_date(text)
    assert (d.style, d.first, d.last, d.precision) == (style, first, last, precision)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("03/04/2011", "ambiguous"),
        ("25/12/2011", "ambiguous"),
        ("2011-02-30", "February 2011 has 28 days"),
        ("31.04.2011", "April 2011 has 30 days"),
        ("2011-13-01", "no month 13"),
        ("04.03.11", "two-digit year"),
        ("40544", "Excel serial day number (it would be 2011-01-01)"),
        ("2011-3-4", "two-digit month and day"),
        ("2011-03-04 14:30", "time of day"),
        ("March 2011", "is not a date"),
        ("1850-01-01", "outside 1900-2100"),
    ],
)
def test_refused_dates(text, fragment):
    with pytest.raises(DateError, match=re.escape(fragment)):
        parse_date(text)


def test_custom_format_is_strict_and_orders_fields():
    fmt = compile_format("DD/MM/YYYY")
    assert parse_date("03/04/2011", fmt, "DD/MM/YYYY").first == date(2011, 4, 3)
    us = compile_format("%m/%d/%Y")
    d = parse_date("03/04/2011", us, "%m/%d/%Y")
    assert (d.style, d.first) == (CUSTOM, date(2011, 3, 4))
    with pytest.raises(DateError, match="does not match the date format DD/MM/YYYY"):
        parse_date("2011-04-03", fmt, "DD/MM/YYYY")
    with pytest.raises(DateError, match="has 30 days"):
        parse_date("31/04/2011", fmt, "DD/MM/YYYY")


@pytest.mark.parametrize("bad", ["DD/MM", "YYYY-MM-DD-DD", "DD/MM/YYYY %H", "DD/MM/YYYYx"])
def test_bad_formats_are_refused(bad):
    with pytest.raises(ValueError, match="date format"):
        compile_format(bad)
