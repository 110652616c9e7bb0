"""The CSV contract's cell rules (load/contract.py), word for word, through the public
loader: every refusal, warning and note a user reads, and the values kept."""

from __future__ import annotations

import pytest

from nmo_timeline.errors import InputError
from nmo_timeline.load import read_events_text

KINDS = "therapy, relapse, edss, mri, lab"


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as err:
        read_events_text(text, "c.csv")
    return [(p.line, p.column, p.message) for p in err.value.problems]


def test_kind_and_name_refusals():
    assert problems("kind,name,start\n,x,2011-01-01\nrelaps,x,2011-01-02\n"
                    "therapy,,2011-01-03\nlab,,2011-01-04\nfoo,x,2011-01-05\n") == [
        (2, "kind", f"kind is empty; expected one of {KINDS}"),
        (3, "kind", f"'relaps' is not a kind; expected one of {KINDS} (did you mean "
                    "'relapse'?)"),
        (4, "name", "a therapy row needs a name: the therapy's name"),
        (5, "name", "a lab row needs a name: the analyte (e.g. CSF IL-6)"),
        (5, "value", "a lab row needs a value: the measured value (the file has no 'value' "
                     "column)"),
        (6, "kind", f"'foo' is not a kind; expected one of {KINDS}"),
    ]


@pytest.mark.parametrize(("text", "found"), [
    ("kind,start\ntherapy,2011-01-03\n",
     [(2, "name", "a therapy row needs a name: the therapy's name (the file has no 'name' "
                  "column)")]),
    ("kind,start\nedss,2011-01-03\n",
     [(2, "value", "an EDSS row needs a value: the EDSS score (the file has no 'value' "
                   "column)")]),
    ("kind,start,value\nedss,2011-01-03,\n",
     [(2, "value", "an EDSS row needs a value: the EDSS score")]),
    ("kind,start,value\nedss,2011-01-03,NA\n",
     [(2, "value", "an EDSS row needs a value: the EDSS score")]),
    ("kind,start\nrelapse,\n", [(2, "start", "start date is empty")]),
])
def test_what_a_row_of_each_kind_needs(text, found):
    assert problems(text) == found


def test_names_optional_for_relapses_and_mri_are_kept_as_written():
    t = read_events_text("kind,name,start,value\nrelapse,,2011-01-01,\n"
                         "relapse,LETM C2-C7,2011-02-01,\nmri,,2011-03-01,2\n", "c.csv")
    assert t.events["name"].tolist() == ["", "LETM C2-C7", ""]


@pytest.mark.parametrize("cell", ["1,234", "1.234", "12.345.678", "-1,000"])
def test_grouped_digits_are_ambiguous_in_any_separator_style(cell):
    # in a semicolon file '1,234' could be a decimal comma or a thousands separator
    assert problems(f"kind;name;start;value\nlab;CRP;01.02.2011;{cell}\n") == [
        (2, "value", f"'{cell}' is ambiguous (a decimal or a thousands separator?); write "
                     "numbers without thousands separators, e.g. 1000 or 1.5")]


def test_values_up_to_ten_to_the_fifteen_are_read():
    t = read_events_text("kind,name,start,value\nlab,CRP,2011-01-01,1000000000000000\n"
                         "lab,CRP,2011-01-02,-1000000000000000\n", "c.csv")
    assert t.events["value"].tolist() == [1e15, -1e15]
    assert problems("kind,name,start,value\nlab,CRP,2011-01-01,1000000000000001\n") == [
        (2, "value", "'1000000000000001' is out of range: values up to 10^15 are read (write "
                     "a count such as 2.5 x 10^9/L as 2.5 with the unit 10^9/L)")]


def test_what_was_normalised_is_counted_in_the_notes():
    t = read_events_text("kind;name;start;end;value\nedss;;01.02.2011 00:00;;3,5\n"
                         "therapy;AZA;02.02.2011;04.03.2011 00:00;NA\nlab;CRP;03.02.2011;;4.5\n",
                         "c.csv")
    assert t.notes == ["semicolon-separated", "midnight times removed from dates (2 cells)",
                       "missing-value tokens read as empty (1 cell)",
                       "decimal commas read as points (1 cell)"]
    assert t.events["value"].tolist()[0] == 3.5 and t.events["value"].isna().tolist()[1]
    # a tidy file of the same style has nothing to report
    tidy = read_events_text("kind;name;start;end;value\nedss;;01.02.2011;;3.5\n"
                            "therapy;AZA;02.02.2011;04.03.2011;\n", "c.csv")
    assert tidy.notes == ["semicolon-separated"]
    # a midnight only on an end date is noted too
    end_only = read_events_text("kind;name;start;end\ntherapy;AZA;02.02.2011;04.03.2011 00:00\n",
                                "c.csv")
    assert end_only.notes == ["semicolon-separated", "midnight times removed from dates (1 cell)"]


def test_a_misspelt_therapy_is_kept_as_written_with_a_warning():
    t = read_events_text("kind,name,start\ntherapy,Rituxiamb,2011-02-01\n", "c.csv")
    assert t.events["name"].tolist() == ["Rituxiamb"]
    assert [w.message for w in t.warnings] == [
        "'Rituxiamb' is not a therapy name the registry knows; did you mean 'Rituximab'? It "
        "is counted as a therapy of its own, not as Rituximab: correct the spelling, or name "
        "it in a --registry file"]


def test_value_role_and_unit_refusals():
    comma = ("was a value written with a decimal comma? In a comma-separated file 4,{d} is "
             "split at the comma into value 4 and unit {d}: write it with a point (4.{d})")
    with pytest.raises(InputError) as err:
        read_events_text(
            "kind,name,start,value,unit,role\nedss,,2011-01-01,10.5,,\nedss,,2011-01-02,0.5,,\n"
            "mri,,2011-01-03,1.5,,\ntherapy,AZA,2011-01-04,-5,mg,\ntherapy,AZA,2011-01-05,0,mg,\n"
            "relapse,ON,2011-01-06,3,,\nrelapse,ON,2011-03-06,,,acute\n"
            "therapy,AZA,2011-03-07,,,sometimes\nlab,CRP,2011-03-08,4,25,\n"
            "lab,CRP,2011-03-09,4,x5,\nedss,,2011-03-10,4,points,\n", "c.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (2, "value", "EDSS 10.5 is not on the scale (0 to 10 in steps of 0.5)"),
        (4, "value", "'1.5' is not a lesion count (a whole number, 0 = quiet scan)"),
        (5, "value", "dose '-5' is negative"),
        # line 6: a dose of 0 is not negative: read as given
        (7, "value", "value is not used on relapse rows; put notes in 'detail'"),
        (8, "role", "role is only used on therapy rows"),
        (9, "role", "'sometimes' is not a role; expected acute, maintenance or other"),
        (10, "unit", "unit '25' is a number, not a unit; " + comma.format(d="25")),
        # line 11: 'x5' is a unit like any other text
        (12, "unit", "an EDSS score has no unit (found 'points'): leave unit empty; "
                     + comma.format(d="5")),
    ]
    assert [w.message for w in err.value.warnings] == [
        "EDSS 0.5 is not a step of the Kurtzke scale (0, then 1.0 to 10); drawn as given"]


def test_partial_loading_leaves_out_every_row_with_an_error_in_any_column():
    # batch plotting loads with partial=True: a row refused for any reason must not be drawn
    t = read_events_text(
        "patient,kind,name,start,end,value\n1,relapse,ON,2011-01-01,,\n1,edss,,2011-02-01,,11\n"
        "1,therapy,AZA,2011-03-01,2011-02-01,\n1,lab,,2011-04-01,,3\n1,relapse,TM,01.05.2011,,\n"
        "1,relapse,ON,2011-06-01,,\n2,ralapse,ON,2011-07-01,,\n", "p.csv", partial=True)
    assert t.events["line"].tolist() == [2, 7]
    assert [(p.line, p.column) for p in t.errors] == [(3, "value"), (4, "end"), (5, "name"),
                                                      (6, "start"), (8, "kind")]
    assert t.error_patients == {3: "1", 4: "1", 5: "1", 6: "1", 8: "2"}


def test_strict_turns_each_warning_into_an_error_that_says_so():
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start,dose\ntherapy,Zzz,2011-01-01,\n", "s.csv", strict=True)
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (1, "dose", "unknown column 'dose' ignored (did you mean 'value'?) [--strict]"),
        (2, "name", "'Zzz' is not a known therapy, so it counts as maintenance (it opens "
                    "treatment periods); if it is a co-medication, vaccination or prophylaxis, "
                    "give its rows the role 'other' (drawn, never a period), or name it in a "
                    "--registry file [--strict]")]
    assert err.value.warnings == []


@pytest.mark.parametrize(("rows", "count"), [
    ("therapy,Prednisolone,2011-01-01,2011-06-01\n", "1 therapy row"),
    ("therapy,Prednisolone,2011-01-01,2011-06-01\ntherapy,Prednisolone,2012-01-01,ongoing\n",
     "2 therapy rows"),
])
def test_acute_agents_given_as_maintenance_are_counted_in_a_note(rows, count):
    t = read_events_text("kind,name,start,end\n" + rows, "s.csv")
    assert t.notes == [f"{count} of acute agents read as maintenance by their schedule "
                       "(ongoing, a course of more than 31 days, or about monthly)"]
    assert set(t.events["role"]) == {"maintenance"}


@pytest.mark.parametrize("second", ["2011-07-01", ""])
def test_one_infusion_with_two_ends_is_a_conflict(second):
    first = "ongoing" if not second else "2011-06-01"
    with pytest.raises(InputError) as err:
        read_events_text(f"kind,name,start,end\ntherapy,AZA,2011-01-01,{first}\n"
                         f"therapy,AZA,2011-01-01,{second}\n", "d.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, "end", "conflicts with line 2: same patient, kind, name and date but a different "
                   "end; keep one")]


@pytest.mark.parametrize(("start", "style"), [("2011-01-01", "iso"), ("01.01.2011", "dotted")])
def test_the_table_knows_the_date_style_of_its_file(start, style):
    assert read_events_text(f"kind,start\nrelapse,{start}\n", "s.csv").date_style == style
    custom = read_events_text("kind,start\nrelapse,01/02/2011\n", "s.csv",
                              date_format="DD/MM/YYYY")
    assert custom.date_style == "custom"


def test_spaces_around_a_cell_are_not_part_of_it():
    t = read_events_text("kind,name,start,value\nrelapse, ON ,2011-01-01,\nedss,,2011-02-01, 3.5\n"
                         "edss,,2011-03-01,3.5\ntherapy,Rituximab ,2011-04-01,\n"
                         "therapy, Rituximab,2011-04-01,\n", "s.csv")
    assert t.events[["line", "name", "value"]].fillna(0).values.tolist() == [
        [2, "ON", 0], [3, "", 3.5], [4, "", 3.5], [5, "Rituximab", 0]]
    assert [(w.line, w.message) for w in t.warnings] == [(6, "repeats line 5 exactly; "
                                                          "counted once")]


@pytest.mark.parametrize(("row", "message"), [
    ("therapy,AZA,2011-01-01,laufend",
     "'laufend' is not a date; write dates as YYYY-MM-DD (or DD.MM.YYYY, or YYYY-MM / YYYY when "
     "only the month or year is known); for a therapy that is still running, write 'ongoing'"),
    ("relapse,ON,2011-01-01,2011-01-05",
     "'end' is only used on therapy rows; a relapse row has a single date (leave end empty)"),
])
def test_end_refusals_word_for_word(row, message):
    assert problems("kind,name,start,end\n" + row + "\n") == [(2, "end", message)]


# ---------------------------------------------------------------- the header, word for word

@pytest.mark.parametrize(("text", "found"), [
    ("kind,start,,name\nrelapse,2011-01-01,x,ON\n",
     [(1, "column 3", "column 3 has no header name but holds data; name it")]),
    ("kind,start,name,Name\nrelapse,2011-01-01,ON,TM\n",
     [(1, "Name", "column 'Name' appears twice (columns 3 and 4); keep one")]),
    (b"kind,start,detail\nrelapse,2011-01-01,caf\xe9\n",
     [(2, "detail", "not valid UTF-8 text; in Excel save as 'CSV UTF-8 (Comma delimited)', or "
                    "pass --encoding cp1252 if the file comes from an older Windows program")]),
    ("foo,bar\n1,2\n",
     [(1, None, "the first line is not a header with the expected columns (at least 'kind' "
                "and 'start', separated by commas, semicolons or tabs); found: 'foo,bar'")]),
    ("kind;start,name\nrelapse;2011-01-01,ON\n",
     [(1, None, "the header splits into known columns under more than one delimiter (comma "
                "and semicolon); use one delimiter throughout")]),
])
def test_header_refusals(text, found):
    with pytest.raises(InputError) as err:
        read_events_text(text, "h.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == found


def test_header_notes_and_long_unknown_names():
    assert read_events_text("kind\u00a0,start\nrelapse,2011-01-01\n", "h.csv").notes == [
        "non-breaking spaces in the header read as spaces"]
    long = "x" * 100
    t = read_events_text(f"kind,start,{long}\nrelapse,2011-01-01,1\n", "h.csv")
    shown = "x" * 77 + "..."
    assert [(w.line, w.column, w.message) for w in t.warnings] == [
        (1, shown, f"unknown column '{shown}' ignored")]
    exactly = "x" * 80  # 80 characters are shown whole
    t = read_events_text(f"kind,start,{exactly}\nrelapse,2011-01-01,1\n", "h.csv")
    assert t.warnings[0].message == f"unknown column '{exactly}' ignored"


# ---------------------------------------------------------------- records and blank lines

def test_a_row_with_a_field_too_many_shows_the_line_as_written():
    # the raw line, quotes and all, not the cells joined again
    assert problems('kind,name,start,detail\nrelapse,ON,2011-01-01,"a, b",x\n') == [
        (2, None, "expected 4 fields, found 5 (is there an unquoted delimiter in a cell? (a "
                  "decimal comma, as in 4,5, splits a number into two cells: write 4.5)): "
                  "'relapse,ON,2011-01-01,\"a, b\",x'")]


def test_a_long_raw_line_is_clipped_to_80_characters():
    row = "relapse,ON,2011-01-01," + "y" * 100 + ",x"
    assert problems("kind,name,start,detail\n" + row + "\n")[0][2].endswith(
        f": '{row[:77]}...'")
    exactly = "relapse,ON,2011-01-01," + "y" * 56 + ",x"  # 80 characters: shown whole
    assert len(exactly) == 80
    assert problems("kind,name,start,detail\n" + exactly + "\n")[0][2].endswith(
        f": '{exactly}'")


@pytest.mark.parametrize(("blank", "note"), [
    ("\n", "1 blank line or empty row skipped"),
    ("\n\n", "2 blank lines or empty rows skipped"),
])
def test_blank_lines_are_counted_in_a_note(blank, note):
    assert note in read_events_text(f"kind,name,start\n{blank}relapse,ON,2011-01-01\n",
                                    "c.csv").notes


def test_a_header_without_events_still_reports_its_column_warnings():
    with pytest.raises(InputError) as err:
        read_events_text("kind,start,dose\n", "c.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (None, None, "the file has a header but no events")]
    assert [w.message for w in err.value.warnings] == [
        "unknown column 'dose' ignored (did you mean 'value'?)"]


def test_an_unknown_column_far_from_every_known_one_gets_no_suggestion():
    t = read_events_text("kind,start,zzqx\nrelapse,2011-01-01,1\n", "c.csv")
    assert [w.message for w in t.warnings] == ["unknown column 'zzqx' ignored"]
