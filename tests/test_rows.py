"""Rules across rows (load/rows.py): the role of an acute agent by its schedule, and rows
of one agent dated only to the same month; and the cell rules that catch a decimal comma
(load/contract.py).  Messages are checked word for word."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmo_timeline.analysis.summary import summarise
from nmo_timeline.errors import InputError
from nmo_timeline.load import load_events, read_events_text

CORPUS = Path(__file__).resolve().parent / "corpus"
H = "kind,name,start,end,value,unit,role\n"


def roles(text: str) -> list[tuple[str, str]]:
    t = read_events_text(H + text, "r.csv")
    ev = t.events[t.events["kind"] == "therapy"]
    return list(zip(ev["name"].tolist(), ev["role"].tolist(), strict=True))


# ---------------------------------------------------------------- role by schedule


def test_a_pulse_of_a_few_days_is_acute_a_long_course_is_maintenance():
    assert roles("therapy,IVMP,2010-01-01,2010-01-05,,,\n"
                 "therapy,Prednisolone,2010-01-06,2010-01-20,,,\n"
                 "therapy,Prednisolone,2011-01-01,2011-06-30,,,\n"
                 "therapy,IVIG,2012-01-01,ongoing,,,\n") == [
        ("IVMP", "acute"), ("Prednisolone", "acute"), ("Prednisolone", "maintenance"),
        ("IVIG", "maintenance")]


def test_a_course_of_31_days_is_acute_32_days_maintenance():
    assert roles("therapy,Plasma exchange,2010-01-01,2010-01-31,,,\n"
                 "therapy,Plasma exchange,2011-01-01,2011-02-01,,,\n") == [
        ("Plasma exchange", "acute"), ("Plasma exchange", "maintenance")]


def test_three_monthly_administrations_are_maintenance_two_are_not():
    monthly = "".join(f"therapy,IVIG,{date(2016, 11, 7) + timedelta(28 * k)},,1,g/kg,\n"
                      for k in range(3))
    assert [r for _, r in roles(monthly)] == ["maintenance"] * 3
    two = "".join(f"therapy,IVIG,{date(2016, 11, 7) + timedelta(28 * k)},,1,g/kg,\n"
                  for k in range(2))
    assert [r for _, r in roles(two)] == ["acute"] * 2
    # the gaps must be about a month (14-45 days): steroid pulses months apart are acute,
    # so are the five days of one plasma exchange course written as single days
    apart = "".join(f"therapy,IVMP,{date(2010, 1, 1) + timedelta(90 * k)},,,,\n"
                    for k in range(4))
    assert [r for _, r in roles(apart)] == ["acute"] * 4
    daily = "".join(f"therapy,PLEX,{date(2010, 1, 1) + timedelta(2 * k)},,,,\n"
                    for k in range(5))
    assert [r for _, r in roles(daily)] == ["acute"] * 5


def test_monthly_runs_are_per_agent_and_per_patient():
    text = ("patient,kind,name,start,end,value,unit,role\n"
            "A,therapy,IVIG,2010-01-01,,,,\nB,therapy,IVIG,2010-01-15,,,,\n"
            "A,therapy,IVIg,2010-02-01,,,,\nB,therapy,IVMP,2010-02-15,,,,\n"
            "A,therapy,immunoglobulins,2010-03-01,,,,\n")
    ev = read_events_text(text, "r.csv").events
    assert list(zip(ev["patient"], ev["role"], strict=True)) == [
        ("A", "maintenance"), ("B", "acute"), ("A", "maintenance"), ("B", "acute"),
        ("A", "maintenance")]  # A: three spellings of IVIG a month apart; B: two agents


def test_the_role_column_always_decides():
    assert roles("therapy,IVIG,2010-01-01,2012-01-01,,,acute\n"
                 "therapy,Prednisolone,2013-01-01,2013-01-05,,,maintenance\n"
                 "therapy,Rituximab,2014-01-01,,,,acute\n") == [
        ("IVIG", "acute"), ("Prednisolone", "maintenance"), ("Rituximab", "acute")]


def test_maintenance_agents_stay_maintenance_whatever_the_schedule():
    assert roles("therapy,Rituximab,2010-01-01,,,,\ntherapy,Azathioprine,2011-01-01,"
                 "2011-01-05,,,\n") == [("Rituximab", "maintenance"),
                                         ("Azathioprine", "maintenance")]


def test_validate_says_how_many_rows_the_schedule_made_maintenance():
    t = read_events_text(H + "therapy,Prednisolone,2011-01-01,2011-06-30,,,\n", "r.csv")
    assert t.notes == ["1 therapy row of acute agents read as maintenance by their schedule "
                       "(ongoing, a course of more than 31 days, or about monthly)"]


def test_corpus_mogad_monthly_ivig_is_maintenance_and_the_induction_acute():
    t = load_events(CORPUS / "mogad_ivig_maintenance.csv")
    ivig = t.events[t.events["name"] == "IVIG"]
    assert ivig["role"].tolist() == ["acute", "maintenance"]  # as its role column says
    # without the role column the schedule reaches the same reading
    text = (CORPUS / "mogad_ivig_maintenance.csv").read_text().replace(",acute\n", ",\n")
    text = text.replace(",maintenance\n", ",\n")
    bare = read_events_text(text, "mogad.csv")
    therapy = bare.events[bare.events["kind"] == "therapy"]
    assert list(zip(therapy["name"], therapy["role"], strict=True)) == [
        ("IV methylprednisolone", "acute"), ("Prednisolone", "maintenance"),
        ("IV methylprednisolone", "acute"), ("Prednisolone", "maintenance"),
        ("IV methylprednisolone", "acute"), ("IVIG", "acute"), ("IVIG", "maintenance"),
        ("IV methylprednisolone", "acute")]
    s = summarise(bare)
    assert [p.regimen for p in s.patients[0].periods] == [
        "untreated", "Oral prednisolone", "untreated", "Oral prednisolone", "untreated",
        "IVIG", "untreated"]


def test_corpus_japanese_psl_is_twelve_years_of_maintenance():
    t = load_events(CORPUS / "japanese_abbreviations.csv")
    therapy = t.events[t.events["kind"] == "therapy"]
    got = dict(zip(therapy["name"], therapy["role"], strict=False))
    assert got == {"mPSL": "acute", "IVMP": "acute", "PE": "acute", "PSL": "maintenance",
                   "TAC": "maintenance", "IVIg": "acute", "SAT": "maintenance"}
    s = summarise(t)
    assert [p.regimen for p in s.patients[0].periods] == [
        "untreated", "Oral prednisolone", "Oral prednisolone + Tacrolimus",
        "Oral prednisolone + Satralizumab + Tacrolimus", "Satralizumab"]


def test_corpus_german_pulses_open_no_period_and_report_no_arr_of_73():
    s = summarise(load_events(CORPUS / "german_excel_export.csv"))
    regimens = [p.regimen for p in s.patients[0].periods]
    assert "IV methylprednisolone" not in " ".join(regimens)
    assert all(p.arr is None or p.arr < 30 for p in s.patients[0].periods)


# ---------------------------------------------------------------- same month, same agent


def test_two_administrations_in_one_month_are_refused_not_merged():
    with pytest.raises(InputError) as info:
        read_events_text(H + "therapy,Rituximab,2008-06,,1000,mg,\n"
                              "therapy,Rituximab,2008-06,,1000,mg,\n", "m.csv")
    assert [str(p) for p in info.value.problems] == [
        "m.csv:3:start: dated only to the month (2008-06), like line 2: two administrations "
        "of Rituximab in one month cannot be told apart; give the full dates (YYYY-MM-DD), "
        "or keep one row if it was one administration"]


def test_same_month_rows_under_two_names_and_relapses_are_refused_too():
    with pytest.raises(InputError) as info:
        read_events_text(H + "therapy,RTX,2008,,,,\ntherapy,MabThera,2008,,,,\n"
                              "relapse,ON,2009-03,,,,\nrelapse,ON,2009-03,,,,\n", "m.csv")
    assert [(p.line, p.column, p.message.split(":")[0]) for p in info.value.problems] == [
        (3, "start", "dated only to the year (2008), like line 2"),
        (5, "start", "dated only to the month (2009-03), like line 4")]
    assert "two relapses in one month" in info.value.problems[1].message


def test_exact_repeats_with_full_dates_are_still_counted_once():
    t = read_events_text(H + "therapy,Rituximab,2008-06-02,,,,\n"
                             "therapy,Rituximab,2008-06-02,,,,\n", "m.csv")
    assert len(t.events) == 1
    assert [w.message for w in t.warnings] == ["repeats line 2 exactly; counted once"]


# ---------------------------------------------------------------- decimal comma, cell rules


@pytest.mark.parametrize(("text", "message"), [
    ("kind,name,start,end,value,unit\nlab,IL-6,2011-04-01,,12,5\n",
     "unit '5' is a number, not a unit"),
    ("kind,start,value,unit\nedss,2011-04-01,4,points\n",
     "an EDSS score has no unit (found 'points'): leave unit empty"),
])
def test_a_number_in_unit_or_any_unit_on_an_edss_row_suggests_a_decimal_comma(text, message):
    with pytest.raises(InputError) as info:
        read_events_text(text, "u.csv")
    assert [str(p) for p in info.value.problems] == [
        f"u.csv:2:unit: {message}; was a value written with a decimal comma? In a "
        "comma-separated file 4,5 is split at the comma into value 4 and unit 5: write it "
        "with a point (4.5)"]


def test_in_a_semicolon_file_the_hint_is_one_cell():
    with pytest.raises(InputError) as info:
        read_events_text("kind;start;value;unit\nedss;01.04.2011;4;5\n", "u.csv")
    assert [p.message for p in info.value.problems] == [
        "unit '5' is a number, not a unit; if it belongs to the value, write the value in one "
        "cell (4,5 or 4.5)"]


def test_a_bare_number_in_detail_right_after_the_value_suggests_a_decimal_comma():
    text = ("kind,name,start,end,value,detail\nedss,,2020-01-01,,3,5\n"
            "lab,IL6,2020-02-01,,12,25\nedss,,2020-03-01,,3,cycle 2\n")
    with pytest.raises(InputError) as info:
        read_events_text(text, "d.csv")
    assert [(p.line, p.column, p.message) for p in info.value.problems] == [
        (2, "detail", "detail '5' is a bare number right after the value; was a value written "
                      "with a decimal comma? In a comma-separated file 4,5 is split at the "
                      "comma into value 4 and detail 5: write it with a point (4.5); if it is "
                      "a note, write it with words (cycle 5)"),
        (3, "detail", "detail '25' is a bare number right after the value; was a value "
                      "written with a decimal comma? In a comma-separated file 4,25 is split "
                      "at the comma into value 4 and detail 25: write it with a point (4.25); "
                      "if it is a note, write it with words (cycle 25)")]


@pytest.mark.parametrize("text", [
    "kind,name,start,end,detail,value\nedss,,2020-01-01,,5,3\n",  # detail not after value
    "kind;start;value;detail\nedss;2020-01-01;3;5\n",  # a semicolon file: no split
])
def test_a_number_in_detail_elsewhere_is_a_note(text):
    assert read_events_text(text, "d.csv").events.loc[0, "detail"] == "5"

@pytest.mark.parametrize("unit", ["mg", "1:x", "pg/mL", "x10^9/L", "%", "g/kg/day", "IU/mL"])
def test_real_units_are_free_text(unit):
    t = read_events_text(f"kind,name,start,value,unit\nlab,A,2011-01-01,1,{unit}\n", "u.csv")
    assert t.events.loc[0, "unit"] == unit


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10).map(lambda k: k), st.sampled_from([0, 5]))
def test_every_edss_with_a_decimal_comma_in_a_comma_file_is_refused(whole, tenth):
    # 'edss,,DATE,,4,5' (or with a trailing comma) can never read as a valid EDSS row
    for row in (f"edss,,2011-04-01,,{whole},{tenth}", f"edss,,2011-04-01,,{whole},{tenth},",
                f"edss,,2011-04-01,,{whole},{tenth},,"):
        text = "kind,name,start,end,value,unit,detail\n" + row + "\nedss,,2012-01-01,,3.0,,\n"
        with pytest.raises(InputError):
            read_events_text(text, "e.csv")


# ---------------------------------------------------------------- names the registry lacks

def test_an_unknown_therapy_is_maintenance_and_said_once_at_its_first_row():
    t = read_events_text(H + "therapy,Rituximab,2010-01-01,,,,\n"
                         "therapy,Phenoxymethylpenicillin,2010-02-01,2011-02-01,,,\n"
                         "therapy,Phenoxymethylpenicillin,2012-02-01,2013-02-01,,,\n"
                         "therapy,Study drug,2014-01-01,ongoing,,,maintenance\n"
                         "therapy,Rituxiamb,2015-01-01,,,,\n", "r.csv")
    unknown = [w for w in t.warnings if "not a known therapy" in w.message]
    assert [(w.line, w.column, w.message) for w in unknown] == [
        (3, "name", "'Phenoxymethylpenicillin' is not a known therapy, so it counts as "
         "maintenance (it opens treatment periods); if it is a co-medication, vaccination or "
         "prophylaxis, give its rows the role 'other' (drawn, never a period), or name it in "
         "a --registry file")]  # a role cell decides; a near name gets "did you mean"
    assert dict(roles("therapy,Phenoxymethylpenicillin,2010-02-01,2011-02-01,,,\n")) == {
        "Phenoxymethylpenicillin": "maintenance"}


def test_role_other_is_drawn_but_never_opens_a_period():
    text = (H + "relapse,ON,2019-01-01,,,,\n"
            "therapy,Azathioprine,2019-02-01,2021-12-31,150,mg,\n"
            "therapy,Meningococcal vaccination,2019-06-01,,,,other\n"
            "therapy,Phenoxymethylpenicillin,2019-06-15,2021-12-31,500,mg,other\n"
            "relapse,TM,2020-06-01,,,,\nedss,,2021-12-01,,3.0,,\n")
    t = read_events_text(text, "r.csv")
    assert not [w for w in t.warnings if "not a known therapy" in w.message]
    periods = summarise(t).patients[0].periods
    assert [p.regimen for p in periods] == ["untreated", "Azathioprine"]  # not split
    from nmo_timeline import plot_timeline
    from nmo_timeline.plan.colours import therapy_colours

    fig = plot_timeline(t, dpi=40)
    ax = next(a for a in fig.axes if a.get_gid() == "panel:therapy")
    assert [x.get_text() for x in ax.get_yticklabels()][::-1] == [
        "Azathioprine", "Meningococcal vaccination", "Phenoxymethylpenicillin"]
    (bar,) = [c for c in ax.collections if c.get_gid() == "bars:phenoxymethylpenicillin"]
    assert not bar.get_hatch()  # drawn like a course, not like a pulse
    assert list(therapy_colours(t).legend) == ["Azathioprine"]  # cohort legends: periods only


def test_maintenance_ivig_is_drawn_in_its_maintenance_colour_not_the_acute_grey():
    from nmo_timeline.plan.colours import therapy_colours
    from nmo_timeline.plan.timeline import plan_timeline

    text = ("patient,kind,name,start,end,value,unit,role\n"
            "A,therapy,IVIG,2016-10-09,2016-10-13,2,g/kg,\n"       # an induction: acute
            "A,therapy,IVIG,2016-11-07,2019-10-31,1,g/kg,maintenance\n"
            "B,therapy,Privigen,2017-01-02,2017-01-06,2,g/kg,\n")  # acute only
    t = read_events_text(text, "mog.csv")
    (lane,) = plan_timeline(t.for_patient("A")).lanes
    assert lane.colour == "#F0E442" and not lane.acute
    (only_acute,) = plan_timeline(t.for_patient("B")).lanes
    assert only_acute.colour == "#C4C4C4" and only_acute.acute
    colours = therapy_colours(t)
    assert colours.by_key["ivig"] == "#F0E442" and colours.legend == {"IVIG": "#F0E442"}


def test_a_role_cell_must_be_one_of_the_three():
    with pytest.raises(InputError) as e:
        read_events_text(H + "therapy,Baclofen,2010-01-01,,,,comedication\n", "r.csv")
    assert [p.message for p in e.value.problems] == [
        "'comedication' is not a role; expected acute, maintenance or other"]


@pytest.mark.parametrize("value", ["1e308", "-1e16", "1e300"])
def test_a_value_beyond_any_measure_is_refused_not_drawn(value):
    with pytest.raises(InputError) as e:
        read_events_text(H + f"lab,IgG,2020-01-01,,{value},g/L,\nlab,IgG,2020-02-01,,5,g/L,\n",
                         "r.csv")
    assert [(p.line, p.column, p.message) for p in e.value.problems] == [
        (2, "value", f"'{value}' is out of range: values up to 10^15 are read (write a count "
                     "such as 2.5 x 10^9/L as 2.5 with the unit 10^9/L)")]
    assert read_events_text(H + "lab,Platelets,2020-01-01,,2.5e11,/L,\n", "r.csv")  # fine


@pytest.mark.parametrize("first, second", [("2008-06", "2008-06-01"), ("2008-06-01", "2008-06")])
def test_a_full_date_and_a_month_of_one_infusion_conflict(first, second):
    # not the 'two in one month' refusal: one row says the day, the other only the month
    with pytest.raises(InputError) as err:
        read_events_text(f"kind,name,start\ntherapy,Rituximab,{first}\n"
                         f"therapy,Rituximab,{second}\n", "m.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, "start", "conflicts with line 2: same patient, kind, name and date but a "
                     "different start; keep one")]


@pytest.mark.parametrize(("first", "second", "same"), [
    ("mg/dl", "mg/dL", True), ("iu/ml", "IU/mL", True), ("pg/ML", "pg/mL", False),
    ("mg/ml", "mg/l", False),  # milli- and plain litre differ a thousandfold
    ("µmol/L", "mmol/L", False), ("mU/mL", "MU/mL", False), ("mg/dl", "MG/DL", False),
])
def test_units_differ_only_where_the_case_cannot_change_the_meaning(first, second, same):
    text = (f"kind,name,start,value,unit\nlab,X,2011-01-01,1,{first}\n"
            f"lab,X,2011-02-01,1,{second}\n")
    if same:
        assert len(read_events_text(text, "u.csv").events) == 2
        return
    with pytest.raises(InputError) as err:
        read_events_text(text, "u.csv")
    (p,) = err.value.problems
    assert (p.line, p.column) == (3, "unit")
    assert p.message.startswith(f"X is in '{second}' here but in '{first}' on line 2; use one "
                                "unit per analyte")


def test_a_one_day_course_ends_on_its_start():
    t = read_events_text("kind,name,start,end\ntherapy,AZA,2011-01-01,2011-01-01\n", "d.csv")
    assert t.events["end"].dt.date.tolist() == [date(2011, 1, 1)]
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start,end\ntherapy,AZA,2011-01-02,2011-01-01\n", "d.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (2, "end", "end 2011-01-01 is before start 2011-01-02")]


@pytest.mark.parametrize(("rows", "column"), [
    ("lab,X,2011-01-01,1,mg,\nlab,X,2011-01-01,1,g,\n", "unit"),
    ("lab,X,2011-01-01,1,,left\nlab,X,2011-01-01,1,,right\n", "detail"),
])
def test_same_day_rows_that_differ_name_the_column(rows, column):
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start,value,unit,detail\n" + rows, "d.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, column, f"conflicts with line 2: same patient, kind, name and date but a "
                    f"different {column}; keep one")]


def test_two_relapses_dated_to_one_month_are_refused_word_for_word():
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start\nrelapse,ON,2011-01\nrelapse,ON,2011-01\n", "d.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, "start", "dated only to the month (2011-01), like line 2: two relapses in one month "
                     "cannot be told apart; give the full dates (YYYY-MM-DD), or keep one row "
                     "if it was one relapse")]


def test_one_date_style_per_file_counts_end_dates_and_breaks_ties_by_the_first():
    # a tie (one of each): the style seen first is the file's
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start\nrelapse,ON,01.01.2011\nrelapse,ON,2011-01-03\n",
                         "d.csv")
    assert [(p.line, p.column, p.message) for p in err.value.problems] == [
        (3, "start", "'2011-01-03' is written YYYY-MM-DD, but this file writes dates "
                     "DD.MM.YYYY (1 of 2 dates); use one date style throughout")]
    # end dates count and are named, in the order of the file (a row's start, then its end)
    with pytest.raises(InputError) as err:
        read_events_text("kind,name,start,end\ntherapy,AZA,2011-01-01,01.02.2011\n"
                         "therapy,MMF,03.02.2011,2011-05-01\ntherapy,TCZ,2011-06-01,ongoing\n",
                         "d.csv")
    assert [(p.line, p.column) for p in err.value.problems] == [(2, "end"), (3, "start")]
    assert err.value.problems[0].message == (
        "'01.02.2011' is written DD.MM.YYYY, but this file writes dates YYYY-MM-DD (3 of 5 "
        "dates); use one date style throughout")


def ivig(patient: str, starts: list[date]) -> str:
    return "".join(f"{patient},therapy,IVIG,{d.isoformat()}\n" for d in starts)


@pytest.mark.parametrize(("gap", "role"), [(13, "acute"), (14, "maintenance"),
                                           (45, "maintenance"), (46, "acute")])
def test_about_monthly_means_14_to_45_days_apart(gap, role):
    starts = [date(2011, 1, 1) + timedelta(days=gap * i) for i in range(3)]
    t = read_events_text("patient,kind,name,start\n" + ivig("A", starts), "s.csv")
    assert set(t.events["role"]) == {role}


def test_monthly_infusions_are_counted_per_patient():
    # one pulse each, a month apart, in two patients: no patient has a monthly schedule
    text = "patient,kind,name,start\n" + "".join(
        ivig(p, [date(2011, 1 + i, 1)]) for i, p in enumerate("ABC"))
    assert set(read_events_text(text, "s.csv").events["role"]) == {"acute"}


def test_each_patient_keeps_the_unit_of_their_own_first_row():
    t = read_events_text("patient,kind,name,start,value,unit\nA,lab,CRP,2011-01-01,3,mg/L\n"
                         "B,lab,CRP,2011-01-01,0.3,mg/dL\nB,lab,CRP,2011-02-01,0.4,mg/dL\n",
                         "u.csv")
    assert t.events["unit"].tolist() == ["mg/L", "mg/dL", "mg/dL"]


@pytest.mark.parametrize(("rows", "note"), [(1, "trailing delimiters removed (1 row)"),
                                            (2, "trailing delimiters removed (2 rows)")])
def test_excel_trailing_delimiters_are_counted_by_row(rows, note):
    body = "".join(f"relapse,ON,2011-0{i + 1}-01,\n" for i in range(rows))
    assert read_events_text("kind,name,start\n" + body, "t.csv").notes == [note]


# -- rules a mutation run (load/contract, load/rows, load/vocabulary) found unpinned -------


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as e:
        read_events_text(text, "f.csv")
    return [str(p) for p in e.value.problems]


def test_cell_notes_count_missing_tokens_and_decimal_commas_even_on_warned_cells():
    t = read_events_text("kind,name,start,end\ntherapy,Rituximab,2011-01-01,n/a\n", "f.csv")
    assert t.notes == ["missing-value tokens read as empty (1 cell)"]
    # EDSS 0.5 is warned about, and still drawn as given, from a decimal comma too
    t = read_events_text("kind;start;value\nedss;01.01.2011;0,5\n", "f.csv")
    assert t.notes == ["semicolon-separated", "decimal commas read as points (1 cell)"]
    assert list(t.events["value"]) == [0.5]
    assert [str(w) for w in t.warnings] == [
        "f.csv:2:value: EDSS 0.5 is not a step of the Kurtzke scale (0, then 1.0 to 10); "
        "drawn as given"]


def test_one_date_style_names_each_odd_date_at_its_own_cell_in_file_order():
    # a tie (one ISO start, one dotted end) goes to ISO: the dotted end is the odd one
    assert _problems("kind,name,start,end\ntherapy,Rituximab,2011-01-01,01.02.2011\n") == [
        "f.csv:2:end: '01.02.2011' is written DD.MM.YYYY, but this file writes dates "
        "YYYY-MM-DD (1 of 2 dates); use one date style throughout"]
    odd = _problems("kind,name,start,end\ntherapy,Rituximab,2011-01-01,2011-02-01\n"
                    "therapy,Azathioprine,2011-03-01,2011-04-01\n"
                    "therapy,Tocilizumab,01.05.2011,01.06.2011\n")
    assert [p.split(": '")[0] for p in odd] == ["f.csv:4:start", "f.csv:4:end"]


def test_every_exact_repeat_is_named_and_the_first_row_kept():
    t = read_events_text("kind,name,start\nrelapse,ON,2011-01-01\nrelapse,ON,2011-01-01\n"
                         "relapse,ON,2011-01-01\n", "f.csv")
    assert [str(w) for w in t.warnings] == ["f.csv:3: repeats line 2 exactly; counted once",
                                            "f.csv:4: repeats line 2 exactly; counted once"]
    assert list(t.events["line"]) == [2]
    vague = _problems("kind,name,start\nrelapse,ON,2011-03\nrelapse,ON,2011-03\n"
                      "relapse,ON,2011-03\n")
    assert [p.split(": ")[0] for p in vague] == ["f.csv:3:start", "f.csv:4:start"]


def test_a_cross_row_error_names_the_column_as_the_header_writes_it():
    assert _problems("Kind,Name,Start,End\ntherapy,Rituximab,2011-02-01,2011-01-01\n") == [
        "f.csv:2:End: end 2011-01-01 is before start 2011-02-01"]


@pytest.mark.parametrize("first", ["patient,kind,name,start\nA,therapy,IVIG,2011-01-01\n",
                                   "patient,kind,name,start\nB,therapy,IVMP,2011-12-01\n"])
def test_a_monthly_series_is_read_within_one_patient_and_one_agent(first):
    # the row before the series (another patient's, or another agent's) is not part of it
    text = first + "".join(f"B,therapy,IVIG,2012-0{m}-01\n" for m in (1, 2, 3))
    roles = list(read_events_text(text, "f.csv").events["role"])
    assert roles == ["acute", "maintenance", "maintenance", "maintenance"]


def test_a_registry_agent_of_role_other_stays_other_when_ongoing(tmp_path):
    from nmo_timeline.load import load_events

    registry = tmp_path / "clinic.toml"
    registry.write_text('[therapies.flu-vaccine]\nlabel = "Flu vaccine"\nrole = "other"\n')
    csv = tmp_path / "f.csv"
    csv.write_text("kind,name,start,end\ntherapy,Flu vaccine,2011-01-01,ongoing\n")
    from nmo_timeline.load import read_registry

    t = load_events(csv, registry=read_registry(registry))
    assert list(t.events["role"]) == ["other"] and t.notes == []


def test_a_registry_file_that_cannot_be_read_is_one_line(tmp_path, monkeypatch):
    from pathlib import Path

    from nmo_timeline.load import read_registry

    registry = tmp_path / "clinic.toml"
    registry.write_text("")

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(InputError) as e:
        read_registry(registry)
    assert [str(p) for p in e.value.problems] == [
        f"{registry}: cannot be read (Permission denied)"]


@pytest.mark.parametrize(("text", "message"), [
    ("patient,kind,start\nA,relapse,2011-01-01\n,relapse,2011-02-01\n",
     "f.csv:3:patient: patient is empty, but other rows name a patient"),
    ('kind,start,value\nedss,2011-01-01,"4,5"\n',
     "f.csv:2:value: '4,5' has a decimal comma, which is only read in semicolon- or "
     "tab-separated files; write it with a point (e.g. 3.5)"),
    ("kind,start\nlab test,2011-01-01\n",
     "f.csv:2:kind: 'lab test' is not a kind; expected one of therapy, relapse, edss, mri, lab "
     "(did you mean 'lab'?)"),
    # milli vs gram is another unit, not a case variant: no "differ in case" note
    ("kind,name,start,value,unit\nlab,CRP,2011-01-01,3,mg/L\nlab,CRP,2011-02-01,3,g/L\n",
     "f.csv:3:unit: CRP is in 'g/L' here but in 'mg/L' on line 2; use one unit per analyte"),
    ("kind,name,start,value,role\ntherapy,Rituximab,2011-01-01,1000,maintenance\n"
     "therapy,Rituximab,2011-01-01,1000,other\n",
     "f.csv:3:role: conflicts with line 2: same patient, kind, name and date but a different "
     "role; keep one"),
])
def test_messages_word_for_word(text, message):
    assert _problems(text) == [message]
