"""The array implementation of the period rules against the per-patient reference.

``tests/reference_periods.py`` keeps the plain per-patient version of the rules;
these tests generate cohorts (several patients, every kind of therapy record,
partial dates, close relapses, EDSS at random days) and require the same periods,
the same warnings in the same order, and the same refusals.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from cohort import write_cohort  # tests/ is on sys.path (rootdir mode)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference_periods import reference_periods

from nmo_timeline import bundled_events_path, load_events
from nmo_timeline.analysis.periods import all_patient_periods, patient_periods
from nmo_timeline.errors import InputError, NmoTimelineError
from nmo_timeline.load import read_events_text

H = "patient,kind,name,start,end,value,role\n"
AGENTS = ["Azathioprine", "Rituximab", "RTX", "Tocilizumab", "Mycophenolate", "IVMP",
          "Alemtuzumab", "Study drug", "study  DRUG", "Plasma exchange"]
offset = st.integers(0, 2500)


def iso(d: date, partial: bool) -> str:
    return d.strftime("%Y-%m") if partial else d.isoformat()


@st.composite
def patient_rows(draw, pid: str) -> list[str]:
    origin = date(2004, 1, 1) + timedelta(draw(st.integers(0, 400)))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        agent = draw(st.sampled_from(AGENTS))
        start = origin + timedelta(draw(offset))
        how = draw(st.sampled_from(["single", "single", "end", "ongoing"]))
        end = ""
        if how == "end":
            end = (start + timedelta(draw(st.integers(0, 700)))).isoformat()
        elif how == "ongoing":
            end = "ongoing"
        role = draw(st.sampled_from(["", "", "", "acute", "maintenance"]))
        partial = how != "end" and draw(st.integers(0, 9)) == 0
        rows.append(f"{pid},therapy,{agent},{iso(start, partial)},{end},,{role}\n")
    for d in draw(st.lists(offset, max_size=8, unique=True)):
        partial = draw(st.integers(0, 9)) == 0
        rows.append(f"{pid},relapse,ON,{iso(origin + timedelta(d), partial)},,,\n")
    for d in draw(st.lists(offset, min_size=1, max_size=4, unique=True)):
        value = draw(st.sampled_from(["1.0", "2.5", "4.0", "6.5"]))
        rows.append(f"{pid},edss,,{origin + timedelta(d)},,{value},\n")
    return draw(st.permutations(rows))


@st.composite
def cohorts(draw) -> str:
    n = draw(st.integers(1, 5))
    rows = [r for i in range(n) for r in draw(patient_rows(f"P{i}"))]
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))  # patients interleaved in the file
    return H + "".join(rows)


def load(text: str):
    try:
        return read_events_text(text, "c.csv")
    except InputError:  # e.g. a month and a day of the same therapy: a conflict
        return None


def outcome(fn, table, **kw):
    warnings: list[str] = []
    try:
        return fn(table, warnings=warnings, **kw), warnings
    except NmoTimelineError as exc:
        return str(exc), None  # warnings gathered before a refusal are not shown


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.integers(0, 45), st.sampled_from([0, 30, 180, 10_000]),
       st.one_of(st.none(), offset.map(lambda d: date(2004, 6, 1) + timedelta(d))),
       st.sampled_from([0, 1, 30, 365]), st.sampled_from([0, 1, 30, 400]))
def test_array_periods_equal_the_reference(text, grace, window, cutoff, min_days, max_gap):
    table = load(text)
    assume(table is not None)
    kw = dict(grace_days=grace, edss_window_days=window, cutoff=cutoff,
              min_period_days=min_days, max_gap_days=max_gap)
    assert outcome(all_patient_periods, table, **kw) == outcome(reference_periods, table, **kw)


def test_bundled_case_and_a_generated_cohort_equal_the_reference(tmp_path):

    write_cohort(tmp_path / "c.csv", 3000)
    for table in (load_events(bundled_events_path()), load_events(tmp_path / "c.csv")):
        got, want = outcome(all_patient_periods, table), outcome(reference_periods, table)
        assert got == want
        assert len(got[0]) == len(table.patients)


def test_one_patient_of_many():
    table = read_events_text(H + "A,therapy,Rituximab,2010-01-01,,,\nB,relapse,ON,2011-01-01,,,\n"
                             "A,relapse,TM,2010-06-01,,,\n", "c.csv")
    pp = patient_periods(table, "A")
    assert (pp.patient, [p.regimen for p in pp.periods], pp.periods[0].relapse_lines) == (
        "A", ["Rituximab"], (4,))
    with pytest.raises(NmoTimelineError, match="no events for patient 'C'"):
        patient_periods(table, "C")
