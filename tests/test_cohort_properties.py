"""Property tests (hypothesis) for the cohort views: pathways count every patient once,
occupancy shares sum to 1, the number at risk never rises, and both agree with a plain
day-by-day reading of each patient's periods."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nmo_timeline.analysis.occupancy import occupancy_of, patient_anchors
from nmo_timeline.analysis.pathways import pathways_of, patient_lines
from nmo_timeline.analysis.periods import all_patient_periods
from nmo_timeline.errors import InputError, NmoTimelineError
from nmo_timeline.load import read_events_text
from nmo_timeline.plan.colours import therapy_colours
from nmo_timeline.plan.pathways import plan_from_pathways

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
H = "patient,kind,name,start,end,value\n"
AGENTS = ["Azathioprine", "AZA", "Rituximab", "Tocilizumab", "Mycophenolate", "IVMP",
          "Study drug", "Plasma exchange"]


@st.composite
def patient_rows(draw, pid: str) -> list[str]:
    origin = date(2005, 1, 1) + timedelta(draw(st.integers(0, 300)))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        start = origin + timedelta(draw(st.integers(0, 2000)))
        how = draw(st.sampled_from(["single", "end", "end", "ongoing"]))
        end = {"single": "", "ongoing": "ongoing"}.get(
            how, (start + timedelta(draw(st.integers(0, 600)))).isoformat())
        rows.append(f"{pid},therapy,{draw(st.sampled_from(AGENTS))},{start},{end},\n")
    for d in draw(st.lists(st.integers(0, 2200), max_size=4, unique=True)):
        rows.append(f"{pid},relapse,TM,{origin + timedelta(d)},,\n")
    rows.append(f"{pid},edss,,{origin + timedelta(draw(st.integers(0, 2500)))},,3.0\n")
    return rows


@st.composite
def cohorts(draw):
    n = draw(st.integers(1, 7))
    rows = [r for i in range(n) for r in draw(patient_rows(f"P{i}"))]
    try:
        return read_events_text(H + "".join(draw(st.permutations(rows))), "c.csv")
    except InputError:  # two different rows on one day: refused by the loader
        return None


@SETTINGS
@given(cohorts(), st.integers(1, 8), st.integers(1, 4))
def test_every_patient_is_in_exactly_one_pathway(table, depth, min_patients):
    assume(table is not None)
    periods = all_patient_periods(table)
    result = pathways_of(periods, depth=depth, min_patients=min_patients)
    assert sum(p.patients for p in result.pathways) + result.other_patients == len(periods)
    assert len({p.therapies for p in result.pathways}) == len(result.pathways)
    want = Counter(tuple(x.therapies for x in patient_lines(pp)[:depth]) for pp in periods)
    assert {p.therapies: p.patients for p in result.pathways} == {
        seq: n for seq, n in want.items() if n >= min_patients}
    assert result.other_patients == sum(n for n in want.values() if n < min_patients)
    for pp in periods:
        lines = patient_lines(pp)
        assert all(a.therapies != b.therapies for a, b in itertools.pairwise(lines))
        # a line's days are its periods'; a regimen held for less than the minimum
        # period is no line
        assert sum(x.days for x in lines) == sum(p.days for p in pp.periods
                                                 if p.therapies and p.counted)
    # each line number counts the patients who reached it, once
    for number in range(1, depth + 1):
        reached = sum(1 for pp in periods if len(patient_lines(pp)) >= number)
        assert sum(r.patients for r in result.lines if r.line == number) == reached
    # the sunburst accounts for everyone in its inner ring, and nests
    plan = plan_from_pathways(result, therapy_colours(table))
    inner = sorted((w.start, w.stop) for w in plan.wedges if w.ring == 1)
    assert inner[0][0] == 0 and abs(inner[-1][1] - 1) < 1e-9
    assert all(abs(a[1] - b[0]) < 1e-9 for a, b in itertools.pairwise(inner))
    assert sum(w.patients for w in plan.wedges if w.ring == 1) == len(periods)


def _months(k: int) -> int:
    return (487 * k) // 16


@SETTINGS
@given(cohorts(), st.sampled_from(["onset", "first-therapy", "rituximab", "aza"]))
def test_shares_sum_to_one_and_at_risk_never_rises(table, align):
    assume(table is not None)
    periods = all_patient_periods(table)
    try:
        occ = occupancy_of(table, periods, align=align)
    except NmoTimelineError as exc:  # nobody has the anchor: the one refusal
        what = "a maintenance therapy" if align == "first-therapy" else f"'{align}'"
        assert str(exc) == f"no patient received {what}; nothing to draw"
        assume(False)
    assert occ.at_risk[0] == len(occ.patients) == len(periods) - len(occ.left_out)
    assert (np.diff(occ.at_risk) <= 0).all() and occ.at_risk[-1] >= 1
    assert (occ.counts >= 0).all()
    assert (occ.counts.sum(axis=0) == occ.at_risk).all()
    assert np.allclose(occ.shares.sum(axis=0), 1.0)
    # the same counts, read day by day from each patient's periods
    anchors, _ = patient_anchors(table, periods, align)
    epoch = date(1970, 1, 1)
    want = np.zeros_like(occ.counts)
    row = {name: i for i, name in enumerate(occ.regimens)}
    for pp, anchor in zip(periods, anchors.tolist(), strict=True):
        if anchor < 0:
            continue
        day0 = epoch + timedelta(anchor)
        # a period shorter than the minimum shows the state before it (not the first)
        state = []
        for i, p in enumerate(pp.periods):
            state.append(p.therapies if p.counted or i == 0 else state[-1])
        k = 0
        while (day := day0 + timedelta(_months(k))) <= pp.cutoff:
            (i,) = [i for i, p in enumerate(pp.periods) if p.start <= day < p.end
                    or (p.last and day == p.end)]
            want[row[state[i]], k] += 1
            k += 1
    assert (want == occ.counts).all()
