"""Property tests (hypothesis): every dialect reads back the same events; faults are placed
exactly; nothing is lost; arbitrary bytes never escape as anything but the package's error."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmo_timeline.errors import InputError, NmoTimelineError
from nmo_timeline.load import read_events_text

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

HEADER = ["patient", "kind", "name", "start", "end", "value", "unit", "detail"]

text_alphabet = st.characters(min_codepoint=32, max_codepoint=0x24F, blacklist_characters="\x7f")
free_text = st.text(text_alphabet | st.sampled_from([",", ";", "\t", '"', "\n"]), max_size=12)


BARE_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")


def clean(s: str) -> str:
    return s.strip()


@dataclass(frozen=True)
class Ev:
    patient: str
    kind: str
    name: str
    start: date
    end: date | None
    ongoing: bool
    value: tuple[float, int] | None  # (value, decimals)
    unit: str
    detail: str


days = st.integers(min_value=0, max_value=365 * 40).map(lambda n: date(1990, 1, 1) + timedelta(n))


@st.composite
def events(draw) -> Ev:
    kind = draw(st.sampled_from(["therapy", "relapse", "edss", "mri", "lab"]))
    start = draw(days)
    patient = draw(st.sampled_from(["001", "P2", "x"]))
    name = clean(draw(free_text))
    end, ongoing, value = None, False, None
    if kind == "therapy":
        name = name or "Drug"
        choice = draw(st.sampled_from(["single", "ongoing", "end"]))
        if choice == "ongoing":
            ongoing = True
        elif choice == "end":
            end = start + timedelta(draw(st.integers(0, 2000)))
        if draw(st.booleans()):
            value = (float(draw(st.integers(0, 5000))), 0)
    elif kind == "lab":
        name = name or "CSF IL-6"
        k = draw(st.integers(0, 2))
        value = (draw(st.integers(0, 99999)) / 10**k, k)
    elif kind == "edss":
        value = (draw(st.sampled_from([0.0] + [x / 2 for x in range(2, 21)])), 1)
    elif kind == "mri" and draw(st.booleans()):
        value = (float(draw(st.integers(0, 30))), 0)
    # a unit is never a bare number, and an EDSS score has none (the decimal-comma rule)
    unit = "" if kind == "edss" else "pg/mL" if kind == "lab" else clean(draw(free_text))
    if BARE_NUMBER.match(unit):
        unit = "mg"
    return Ev(patient, kind, name, start, end, ongoing, value, unit, clean(draw(free_text)))


def unique_events(min_size=1, max_size=25):
    return st.lists(events(), min_size=min_size, max_size=max_size,
                    unique_by=lambda e: (e.patient, e.kind, " ".join(e.name.casefold().split()),
                                         e.start))


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    bom: bool
    eol: str
    dotted: bool
    decimal_comma: bool
    final_newline: bool
    blank_every: int


dialects = st.builds(
    Dialect,
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    dotted=st.booleans(),
    decimal_comma=st.booleans(),
    final_newline=st.booleans(),
    blank_every=st.sampled_from([0, 2, 3]),
)


def fmt_date(d: date, dotted: bool) -> str:
    return d.strftime("%d.%m.%Y") if dotted else d.isoformat()


def fmt_value(v: tuple[float, int] | None, comma: bool) -> str:
    if v is None:
        return ""
    s = f"{v[0]:.{v[1]}f}"
    return s.replace(".", ",") if comma else s


def cells(e: Ev, d: Dialect) -> list[str]:
    end = "ongoing" if e.ongoing else (fmt_date(e.end, d.dotted) if e.end else "")
    comma = d.decimal_comma and d.delimiter != ","
    return [e.patient, e.kind, e.name, fmt_date(e.start, d.dotted), end,
            fmt_value(e.value, comma), e.unit, e.detail]


def quote(cell: str, delimiter: str) -> str:
    """Quote as Excel does: cells holding the delimiter, a quote or a line break."""
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def write_csv(rows: list[list[str]], d: Dialect) -> tuple[bytes, list[int]]:
    """The file's bytes and the physical line each data row starts on."""
    buf = io.StringIO(newline="")
    buf.write(d.delimiter.join(HEADER) + d.eol)
    lines = []
    for i, row in enumerate(rows):
        if d.blank_every and i % d.blank_every == 0:
            buf.write(d.eol)
        lines.append(len(io.StringIO(buf.getvalue(), newline="").readlines()) + 1)
        buf.write(d.delimiter.join(quote(c, d.delimiter) for c in row) + d.eol)
    text = buf.getvalue()
    if not d.final_newline:
        text = text[: -len(d.eol)]
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data if d.bom else data), lines


def read_back(table) -> list[Ev]:
    out = []
    for r in table.events.itertuples():
        value = None if r.value != r.value else r.value
        out.append((r.patient, r.kind, r.name, r.start.date(),
                    None if r.end != r.end else r.end.date(), bool(r.ongoing), value,
                    r.unit, r.detail))
    return out


def as_expected(evs: list[Ev]) -> list[tuple]:
    return [(e.patient, e.kind, e.name, e.start, e.end, e.ongoing,
             None if e.value is None else e.value[0], e.unit, e.detail) for e in evs]


@SETTINGS
@given(unique_events(), dialects)
def test_every_dialect_reads_back_the_same_events(evs, d):
    data, lines = write_csv([cells(e, d) for e in evs], d)
    table = read_events_text(data, "p.csv")
    assert read_back(table) == as_expected(evs)
    assert table.events["line"].tolist() == lines


FAULTS = {
    "start": ["2011-02-30", "31.04.2011", "03/04/2011", "04.03.11", "40544", "soon"],
    "kind": ["attack", "drug"],
    "value": ["abc", "1.000", "12,5,0"],
}


@SETTINGS
@given(unique_events(min_size=2), dialects, st.data())
def test_one_fault_is_reported_at_exactly_its_place(evs, d, data):
    rows = [cells(e, d) for e in evs]
    i = data.draw(st.integers(0, len(rows) - 1), label="row")
    column = data.draw(st.sampled_from(sorted(FAULTS)), label="column")
    bad = data.draw(st.sampled_from(FAULTS[column]), label="fault")
    # a fault in the other date style would also be reported; keep the style consistent
    if column == "start" and not d.dotted and bad == "31.04.2011":
        bad = "2011-04-31"
    if column == "start" and d.dotted and bad == "2011-02-30":
        bad = "30.02.2011"
    rows[i][HEADER.index(column)] = bad
    raw, lines = write_csv(rows, d)
    try:
        read_events_text(raw, "p.csv")
    except InputError as exc:
        places = {(p.line, p.column) for p in exc.problems}
    else:
        raise AssertionError("the fault was not reported")
    assert places == {(lines[i], column)}


@SETTINGS
@given(unique_events(min_size=3), dialects, st.data())
def test_nothing_is_lost_every_record_is_an_event_or_an_error(evs, d, data):
    rows = [cells(e, d) for e in evs]
    faulty = data.draw(st.sets(st.integers(0, len(rows) - 1), max_size=len(rows) - 1))
    for i in faulty:
        rows[i][HEADER.index("kind")] = "bogus"
    raw, lines = write_csv(rows, d)
    if not faulty:
        table = read_events_text(raw, "p.csv")
        assert sorted(table.events["line"]) == lines
    else:
        try:
            read_events_text(raw, "p.csv")
        except InputError as exc:
            assert {p.line for p in exc.problems} == {lines[i] for i in faulty}
        else:
            raise AssertionError("faults not reported")


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12),
                          st.integers(1990, 2030)), min_size=1, max_size=10))
def test_all_ambiguous_slash_dates_are_refused(dates):
    body = "".join(f"relapse,{d:02d}/{m:02d}/{y}\n" for d, m, y in dates)
    try:
        read_events_text("kind,start\n" + body, "s.csv")
    except InputError as exc:
        assert [(p.line, p.column) for p in exc.problems] == [
            (i + 2, "start") for i in range(len(dates))]
        assert all("ambiguous" in p.message for p in exc.problems)
    else:
        raise AssertionError("slash dates were accepted")


def check_outcome(data: bytes) -> None:
    """Either a table whose events sit on real lines, or the package's own error."""
    n_lines = len(io.StringIO(data.decode("utf-8", "replace"), newline="").readlines())
    try:
        table = read_events_text(data, "x.csv")
    except NmoTimelineError as exc:
        problems = getattr(exc, "problems", [])
        assert problems and all(str(p).startswith("x.csv") and p.message for p in problems)
        assert all(p.line is None or 1 <= p.line <= max(n_lines, 1) for p in problems)
    else:
        assert all(2 <= line <= n_lines for line in table.events["line"])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_escape_as_a_traceback(data):
    check_outcome(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_after_a_valid_header(data):
    check_outcome(b"kind,name,start,end,value\n" + data)


@SETTINGS
@given(unique_events(), dialects)
def test_column_and_record_sources_agree(evs, d):
    """A file split into columns by pandas' C reader and the same file split into
    records by the csv module give the same table and notes."""
    from unittest import mock

    import pandas as pd

    from nmo_timeline.load import loader

    data, _ = write_csv([cells(e, d) for e in evs], d)
    fast = read_events_text(data, "p.csv")
    with mock.patch.object(loader, "read_columns", return_value=None):
        slow = read_events_text(data, "p.csv")
    pd.testing.assert_frame_equal(fast.events, slow.events)
    assert fast.notes == slow.notes
    assert fast.date_style == slow.date_style
    assert fast.has_patient_column == slow.has_patient_column


def quote_free_rows(min_cells: int, max_cells: int) -> st.SearchStrategy[list[list[str]]]:
    """Up to eight rows of short cells without quotes or DEL."""
    cell = st.text(st.characters(min_codepoint=32, max_codepoint=0x24F,
                                 blacklist_characters='"\x7f'), max_size=6)
    return st.lists(st.lists(cell, min_size=min_cells, max_size=max_cells),
                    min_size=1, max_size=8)


@SETTINGS
@given(quote_free_rows(1, 5),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_quote_free_split_matches_the_csv_module(rows, delim, eol):
    from nmo_timeline.load.text import split as _split

    text = eol.join(delim.join(r) for r in rows) + eol
    assert _split(text, delim, "x") == csv_module_records(text, delim)


def csv_module_records(text: str, delim: str) -> list[tuple[int, list[str], int]]:
    """(first line, cells, last line) per record, as the csv module reads ``text``."""
    import csv as csv_module

    reader = csv_module.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    records = []
    prev = 0
    for cells_ in reader:
        records.append((prev + 1, cells_ or [""], reader.line_num))
        prev = reader.line_num
    return records


@SETTINGS
@given(st.text(st.sampled_from(list("ab,;\t \r\n\x0b\x0c\x1c\x85\u2028")), max_size=40),
       st.sampled_from([",", ";", "\t"]))
def test_quote_free_split_matches_the_csv_module_with_odd_line_breaks(text, delim):
    from nmo_timeline.load.text import split as _split

    assert _split(text, delim, "x") == csv_module_records(text, delim)


def check_columns_against_csv_module(text: str, delim: str) -> bool:
    """When the C-reader column path accepts ``text``, it holds exactly the csv module's
    cells, one record per physical line; returns whether it accepted."""
    from nmo_timeline.load.text import read_columns as _read_columns

    columns = _read_columns(text, delim)
    if columns is None:
        return False
    records = csv_module_records(text, delim)
    assert [(first, last) for first, _, last in records] == [(i, i) for i in
                                                             range(1, len(records) + 1)]
    assert [list(row) for row in zip(*columns, strict=True)] == [c for _, c, _ in records]
    return True


@SETTINGS
@given(quote_free_rows(3, 3),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_column_reader_matches_the_csv_module_on_rectangular_text(rows, delim, eol):
    text = eol.join(delim.join(r) for r in rows) + eol
    accepted = check_columns_against_csv_module(text, delim)
    if not any(delim in cell for r in rows for cell in r):
        # every line has the same number of fields: the column path must take it
        assert accepted


@SETTINGS
@given(st.text(st.sampled_from(list("ab,;\t #'\"\\ \r\n\x0b\x0c\x1c\x85\u2028")), max_size=60),
       st.sampled_from([",", ";", "\t"]))
def test_column_reader_never_disagrees_with_the_csv_module(text, delim):
    check_columns_against_csv_module(text, delim)


def test_column_reader_refuses_short_blank_and_multi_line_records():
    from nmo_timeline.load.text import read_columns as _read_columns

    assert _read_columns("a,b,c\n1,2,3\n", ",") is not None
    assert _read_columns("a,b,c\n1,2\n", ",") is None  # a short line
    assert _read_columns("a,b,c\n1,2,3,4\n", ",") is None  # a long line
    assert _read_columns("a,b,c\n\n1,2,3\n", ",") is None  # a blank line
    assert _read_columns('a,b,c\n1,"2,5",3\n', ",") == [["a", "1"], ["b", "2,5"], ["c", "3"]]
    assert _read_columns('a,b,c\n1,"2\n5",3\n', ",") is None  # a quoted line break
    assert _read_columns('a,b,c\n1,"2"x,3\n', ",") is None  # malformed: the record path says so


@SETTINGS
@given(st.lists(st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=0x24F,
                                               blacklist_characters="\x7f")
                                 | st.sampled_from(['"', ",", ";", "\t", "\n"]),
                                 max_size=6),
                         min_size=3, max_size=3), min_size=1, max_size=8),
       st.sampled_from([",", ";", "\t"]))
def test_column_reader_takes_quoted_cells_as_the_csv_module_writes_them(rows, delim):
    import csv as csv_module

    buf = io.StringIO()
    csv_module.writer(buf, delimiter=delim, lineterminator="\n").writerows(rows)
    accepted = check_columns_against_csv_module(buf.getvalue(), delim)
    one_line_each = not any("\n" in cell for r in rows for cell in r)
    assert accepted == one_line_each
