"""The loader: every rule of the CSV contract, each error at its exact line and column."""

from __future__ import annotations

import math

import pytest
from conftest import places

from nmo_timeline.errors import InputError
from nmo_timeline.load import events_as_records, load_events, read_events_text

HEADER = "kind,name,start,end,value,unit,detail\n"


def iso(ts) -> str:
    return ts.date().isoformat()


# --------------------------------------------------------------- reading right


def test_bundled_case_loads_every_row(load):
    from nmo_timeline import bundled_events_path

    path = bundled_events_path()
    table = load_events(path)
    n_records = sum(1 for line in path.read_text().splitlines()[1:] if line.strip())
    assert len(table.events) == n_records
    assert table.warnings == []
    assert table.events["kind"].value_counts().to_dict() == {
        "therapy": 28, "edss": 11, "relapse": 7, "mri": 6, "lab": 3}


def test_columns_match_case_insensitively_in_any_order(load):
    t = load(" Start ,KIND,Value\n2011-03-04,EDSS,3.5\n")
    row = t.events.iloc[0]
    assert (row["kind"], iso(row["start"]), row["value"]) == ("edss", "2011-03-04", 3.5)


def test_therapy_end_single_and_ongoing(load):
    t = load(HEADER
             + "therapy,Rituximab,2011-01-01,,1000,mg,\n"
             + "therapy,Azathioprine,2011-02-01,2011-06-30,150,mg,\n"
             + "therapy,Tocilizumab,2011-07-01,Ongoing,8,mg/kg,\n")
    ev = t.events
    assert math.isnan(ev.loc[0, "end"].value) or ev.loc[0, "end"] != ev.loc[0, "end"]
    assert not ev.loc[0, "ongoing"]
    assert iso(ev.loc[1, "end"]) == "2011-06-30"
    assert bool(ev.loc[2, "ongoing"]) is True
    assert ev.loc[2, "end"] != ev.loc[2, "end"]  # NaT


def test_partial_dates_are_imputed_and_remember_precision(load):
    t = load(HEADER + "therapy,Azathioprine,2010-03,2011,,,\n")
    row = t.events.iloc[0]
    assert iso(row["start"]) == "2010-03-01"
    assert iso(row["end"]) == "2011-12-31"
    assert (row["start_precision"], row["end_precision"]) == ("month", "year")


def test_dotted_dates_are_day_first(load):
    t = load("kind,start\nrelapse,03.04.2011\n")
    assert iso(t.events.loc[0, "start"]) == "2011-04-03"


def test_patient_ids_stay_text(load):
    t = load("patient,kind,start\n007,relapse,2011-01-01\n7,relapse,2011-01-02\n")
    assert t.patients == ["007", "7"]
    assert t.has_patient_column


def test_blank_lines_are_skipped_and_lines_stay_physical(load, problems):
    text = "kind,start\n\nrelapse,2011-01-01\n,\n\nrelapse,2011-13-01\n"
    assert places(problems(text)) == [(6, "start")]
    t = load("kind,start\n\nrelapse,2011-01-01\n,\n")
    assert t.events["line"].tolist() == [3]


def test_unknown_column_is_a_warning_naming_the_closest(load):
    t = load("kind,start,dose\nrelapse,2011-01-01,\n")
    assert [(w.line, w.column) for w in t.warnings] == [(1, "dose")]
    assert "did you mean 'value'" in t.warnings[0].message


def test_strict_turns_warnings_into_errors(problems):
    found = problems("kind,start,dose\nrelapse,2011-01-01,\n", strict=True)
    assert places(found) == [(1, "dose")]


def test_edss_half_point_is_a_warning(load):
    t = load("kind,start,value\nedss,2011-01-01,0.5\n")
    assert [(w.line, w.column) for w in t.warnings] == [(2, "value")]


def test_exact_duplicate_is_counted_once_with_a_warning(load):
    t = load("kind,start,name\nrelapse,2011-01-01,ON\nrelapse,2011-01-01,ON\n")
    assert len(t.events) == 1
    assert [(w.line, w.column) for w in t.warnings] == [(3, None)]
    assert "repeats line 2" in t.warnings[0].message


def test_json_records(load):
    t = load(HEADER + "therapy,Tocilizumab,2011-07,ongoing,8,mg/kg,IV\n")
    (rec,) = events_as_records(t)
    assert rec == {
        "line": 2, "patient": None, "kind": "therapy", "name": "Tocilizumab",
        "start": "2011-07-01", "end": None, "ongoing": True, "value": 8.0, "unit": "mg/kg",
        "detail": "IV", "role": "maintenance", "start_precision": "month",
        "end_precision": None,
    }


def test_role_column_overrides_registry(load):
    t = load("kind,name,start,role\ntherapy,Prednisolone,2011-01-01,acute\n"
             "therapy,Study drug,2011-02-01,\n")
    assert t.events["role"].tolist() == ["acute", "maintenance"]


def test_read_events_text_accepts_str():
    t = read_events_text("kind,start\nrelapse,2011-03-04\n")
    assert len(t.events) == 1


# --------------------------------------------------------------- errors, placed


@pytest.mark.parametrize(
    ("body", "where", "fragment"),
    [
        ("edss,,2011-01-01,,11,,\n", (2, "value"), "not on the scale"),
        ("edss,,2011-01-01,,3.25,,\n", (2, "value"), "not on the scale"),
        ("edss,,2011-01-01,,,,\n", (2, "value"), "needs a value"),
        ("lab,CSF IL-6,2011-01-01,,abc,pg/mL,\n", (2, "value"), "'abc' is not a number"),
        ("lab,,2011-01-01,,3,pg/mL,\n", (2, "name"), "needs a name"),
        ("therapy,,2011-01-01,,,,\n", (2, "name"), "needs a name"),
        ("relapse,ON,2011-01-01,2011-01-05,,,\n", (2, "end"), "only used on therapy rows"),
        ("therapy,AZA,2011-02-01,2011-01-01,,,\n", (2, "end"), "before start"),
        ("relapse,,03/04/2011,,,,\n", (2, "start"), "ambiguous"),
        ("relapse,,40544,,,,\n", (2, "start"), "Excel serial"),
        ("relapse,,2011-02-29,,,,\n", (2, "start"), "28 days"),
        ("relapse,,01.02.11,,,,\n", (2, "start"), "two-digit year"),
        ("relapse,,,,,,\n", None, None),  # all empty but kind: start missing
        ("attack,,2011-01-01,,,,\n", (2, "kind"), "'attack' is not a kind"),
        ("mri,brain,2011-01-01,,1.5,,\n", (2, "value"), "lesion count"),
        ("therapy,AZA,2011-01-01,,-5,mg,\n", (2, "value"), "negative"),
        ("relapse,ON,2011-01-01,,2,,\n", (2, "value"), "not used on relapse rows"),
        ("edss,,2011-01-01,,\"3,5\",,\n", (2, "value"), "decimal comma"),
        ("therapy,RTX,2011-01-01,,1.000,mg,\n", (2, "value"), "ambiguous"),
    ],
)
def test_cell_errors_are_placed(problems, body, where, fragment):
    found = problems(HEADER + body)
    if where is None:
        assert places(found) == [(2, "start")]
        return
    assert places(found) == [where]
    assert fragment in found[0].message


def test_column_is_named_as_written(problems):
    found = problems(" Kind ,START,Value\nedss,2011-01-01,12\n")
    assert places(found) == [(2, "Value")]
    assert str(found[0]) == (
        "events.csv:2:Value: EDSS 12 is not on the scale (0 to 10 in steps of 0.5)")


def test_all_errors_are_reported_at_once(problems):
    text = (HEADER
            + "edss,,2011-01-01,,12,,\n"
            + "relapse,,2011-02-30,,,,\n"
            + "therapy,AZA,2011-05-01,2011-04-01,,,\n")
    assert places(problems(text)) == [(2, "value"), (3, "start"), (4, "end")]


def test_report_ends_with_a_count():
    with pytest.raises(InputError) as info:
        read_events_text(HEADER + "edss,,2011-01-01,,12,,\nedss,,2011-01-02,,13,,\n", "f.csv")
    assert info.value.report().splitlines()[-1] == "2 errors found; nothing was written."


def test_missing_required_column_suggests_the_header_there(problems):
    found = problems("kind,date\nrelapse,2011-01-01\n")
    assert places(found) == [(1, "start")]
    assert "rename it to 'start'" in found[0].message and "'date'" in found[0].message


def test_mixed_date_styles_name_the_odd_row(problems):
    text = ("kind,start\nrelapse,2011-01-01\nrelapse,2011-02-01\n"
            "relapse,03.04.2011\nrelapse,2011-05-01\n")
    found = problems(text)
    assert places(found) == [(4, "start")]
    assert "DD.MM.YYYY" in found[0].message and "YYYY-MM-DD" in found[0].message


def test_slash_dates_are_read_with_an_explicit_format(load, problems):
    t = load("kind,start\nrelapse,03/04/2011\n", date_format="DD/MM/YYYY")
    assert iso(t.events.loc[0, "start"]) == "2011-04-03"
    t = load("kind,start\nrelapse,03/04/2011\n", date_format="MM/DD/YYYY")
    assert iso(t.events.loc[0, "start"]) == "2011-03-04"
    found = problems("kind,start\nrelapse,03/04/2011\nrelapse,2011-05-01\n",
                     date_format="DD/MM/YYYY")
    assert places(found) == [(3, "start")]


def test_conflicting_duplicates_are_errors(problems):
    text = "kind,start,value\nedss,2011-01-01,3.0\nedss,2011-01-01,3.5\n"
    found = problems(text)
    assert places(found) == [(3, "value")]
    assert "conflicts with line 2" in found[0].message


def test_lab_units_must_agree(problems):
    text = HEADER + "lab,CSF IL-6,2011-01-01,,3,pg/mL,\nlab,csf il-6,2011-02-01,,3,ng/L,\n"
    assert places(problems(text)) == [(3, "unit")]


def test_empty_patient_cell_in_a_patient_file(problems):
    text = "patient,kind,start\nP1,relapse,2011-01-01\n,relapse,2011-01-02\n"
    assert places(problems(text)) == [(3, "patient")]


def test_short_and_long_rows(problems):
    text = "kind,start,detail\nrelapse,2011-01-01\nrelapse,2011-01-02,a,b\n"
    found = problems(text)
    assert places(found) == [(2, None), (3, None)]
    assert "expected 3 fields, found 2: 'relapse,2011-01-01'" in found[0].message
    assert "expected 3 fields, found 4" in found[1].message


# --------------------------------------------------------------- whole-file problems


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n  \n", "the file is empty"),
        (b"kind,start\n", "the file has a header but no events"),
        (b"kind,start\n\n,\n", "the file has a header but no events"),
        (b"\x00\x01\x02binary\x00" * 20, "this is not a text file"),
        ("kind,start\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest", "Excel workbook"),
        (b"hello world\n", "not a header"),
    ],
)
def test_file_level_problems_get_one_line(problems, content, message):
    found = problems(content)
    assert len(found) == 1
    assert message in found[0].message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_events(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a directory"):
        load_events(tmp_path)
