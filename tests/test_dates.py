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


# Exact messages: the user reads them to fix the cell, so a changed word is a changed product.
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "03/04/2011",
            "'03/04/2011' is a slash date, which is ambiguous (day/month or month/day?); "
            "write dates as YYYY-MM-DD, or pass --date-format DD/MM/YYYY "
            "(or MM/DD/YYYY) to say which order the file uses",
        ),
        (
            "25/12/2011",
            "'25/12/2011' is a slash date, which is ambiguous (day/month or month/day?); "
            "write dates as YYYY-MM-DD, or pass --date-format DD/MM/YYYY "
            "(or MM/DD/YYYY) to say which order the file uses",
        ),
        ("2011-02-30", "'2011-02-30' is not a real date: February 2011 has 28 days"),
        ("31.04.2011", "'31.04.2011' is not a real date: April 2011 has 30 days"),
        ("1850-01-01", "'1850-01-01' has the year 1850, outside 1900-2100; check the date"),
        ("2011-13-01", "'2011-13-01' is not a real date: there is no month 13"),
        ("2011-13", "'2011-13' is not a real date: there is no month 13"),
        ("2011-00", "'2011-00' is not a real date: there is no month 0"),
        ("1899-12", "'1899-12' has the year 1899, outside 1900-2100; check the date"),
        ("2101", "'2101' has the year 2101, outside 1900-2100; check the date"),
        ("01.01.2101", "'01.01.2101' has the year 2101, outside 1900-2100; check the date"),
        ("04.03.11",
         "'04.03.11' has a two-digit year; write the full year (DD.MM.YYYY or YYYY-MM-DD)"),
        (
            "40544",
            "'40544' looks like an Excel serial day number (it would be 2011-01-01); "
            "format the column as a date (YYYY-MM-DD) in Excel before saving",
        ),
        (
            "2011-3-4",
            "'2011-3-4' is not in a supported date style; write it as YYYY-MM-DD "
            "with two-digit month and day",
        ),
        (
            "2011-03-04 14:30",
            "'2011-03-04 14:30' has a time of day; the timeline works in whole days, "
            "so remove the time (midnight, 00:00, is accepted)",
        ),
        (
            "March 2011",
            "'March 2011' is not a date; write dates as YYYY-MM-DD (or DD.MM.YYYY, "
            "or YYYY-MM / YYYY when only the month or year is known)",
        ),
    ],
)
def test_refusals_say_exactly_what_and_how(text, message):
    with pytest.raises(DateError) as err:
        parse_date(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("text", "days"),
    [("1900-02", 28), ("2000-02", 29), ("2100-02", 28), ("2004-02", 29), ("2011-02", 28)],
)
def test_february_follows_the_gregorian_century_rule(text, days):
    assert parse_date(text).last == date(int(text[:4]), 2, days)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("1900-02-29", False), ("2000-02-29", True), ("2100-02-29", False), ("29.02.1900", False)],
)
def test_leap_day_only_in_leap_years(text, ok):
    if ok:
        assert parse_date(text).first.day == 29
    else:
        with pytest.raises(DateError, match=r"February .* has 28 days"):
            parse_date(text)


@pytest.mark.parametrize("text", ["1900", "2100", "1900-01-01", "2100-12-31", "1900-01", "2100-12"])
def test_the_first_and_last_allowed_years_are_accepted(text):
    assert parse_date(text).first.year in (1900, 2100)


@pytest.mark.parametrize(("text", "month"), [("2011-01", 1), ("2011-12", 12)])
def test_first_and_last_month_of_a_partial_date(text, month):
    d = parse_date(text)
    assert (d.first.month, d.last.month, d.precision) == (month, month, "month")


def test_custom_format_refusals_are_exact():
    fmt = compile_format("DD/MM/YYYY")
    with pytest.raises(DateError) as err:
        parse_date("2011-04-03", fmt, "DD/MM/YYYY")
    assert str(err.value) == "'2011-04-03' does not match the date format DD/MM/YYYY"
    with pytest.raises(DateError) as err:
        parse_date("01/01/1850", fmt, "DD/MM/YYYY")
    assert str(err.value) == "'01/01/1850' has the year 1850, outside 1900-2100; check the date"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            "DD/MM/YYYY %H",
            "date format 'DD/MM/YYYY %H' must contain DD, MM and YYYY once each "
            "(for example DD/MM/YYYY or MM/DD/YYYY)",
        ),
        (
            "DD %b YYYY MM",
            "date format 'DD %b YYYY MM' must contain DD, MM and YYYY once each "
            "(for example DD/MM/YYYY or MM/DD/YYYY)",
        ),
        ("DD/MM/YYYYx", "date format 'DD/MM/YYYYx' may only contain DD, MM, YYYY and separators"),
    ],
)
def test_bad_format_messages_are_exact(bad, message):
    with pytest.raises(ValueError) as err:
        compile_format(bad)
    assert str(err.value) == message


@pytest.mark.parametrize("fmt", ["YYYY.MM.DD", "MM-DD-YYYY", "DD MM YYYY"])
def test_fields_in_any_order_and_separator(fmt):
    text = fmt.replace("YYYY", "2011").replace("MM", "04").replace("DD", "03")
    assert parse_date(text, compile_format(fmt), fmt).first == date(2011, 4, 3)


def test_midnight_is_recorded_only_when_written():
    assert parse_date("2011-03-04T00:00").had_midnight is True
    assert parse_date("2011-03-04").had_midnight is False
