"""The layout, as a property: any realistic record, at every size and theme, draws without
an error, without overlapping or clipped text, with the panels filling the canvas and lane
labels within their column; what does not fit is named in the figure's note.

Records are generated: lane names of every length (up to three words more than any
lane has room for), 1 to 10 lanes (8 at double-column, 6 at column width), 0 to 4 lab
analytes, 0 to 15 relapses of every syndrome, EDSS or none, MRI or none, spans from 3
days to 50 years.  The measure is the slide reader's (tests/layout_measure.py, the same
as ../shared/tools/layout_check.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from layout_measure import LIMITS, measure

from nmo_timeline import plot_timeline, read_events_text
from nmo_timeline.domain.registry import therapy_key
from nmo_timeline.draw.figure import left_out

WORDS = ["Rituximab", "biosimilar", "(Truxima)", "375", "mg/m2", "weekly", "x4", "then",
         "CD19-guided", "re-dosing", "Azathioprine", "Tocilizumab", "IV", "methylprednisolone",
         "Plasma", "exchange", "Study", "drug", "XY-1234", "Mycophenolate", "mofetil",
         "(CellCept)", "bridging", "until", "B-cell", "depletion", "Prednisolone", "taper"]
SYNDROMES = ["ON", "TM", "APS", "brainstem", "ADEM", "bilateral ON", "cerebellar", ""]
SIZES = list(LIMITS)
MAX_LANES = {(13.333, 7.5): 10, (10.0, 7.5): 10, (7.2, 4.5): 8, (3.5, 3.2): 6}


# found by this test: five lanes, every row panel and four labs at column size, where the
# merged lab key is taller than its panel and must hang into the time axis' band
MERGED_KEY_HANGS = """kind,name,start,end,value,unit,role
therapy,Rituximab 0,1980-01-01,,,mg,
therapy,biosimilar 2,1980-01-01,,,mg,
therapy,biosimilar 3,1980-01-01,,,mg,
therapy,biosimilar 4,1980-01-01,,,mg,
therapy,Rituximab 5,1980-01-02,1980-01-02,,mg,
relapse,ON,1980-01-01,,,,
edss,,1980-01-01,,1.0,,
mri,brain,1980-01-01,,0,,
lab,CSF IL-6,1980-01-01,,10,pg/mL,
lab,CD19 B cells,1980-01-01,,10,cells/uL,
lab,Sodium,1980-01-01,,10,mmol/L,
lab,AQP4-IgG titre,1980-01-03,,10,1:x,
"""


@st.composite
def records(draw: st.DrawFn) -> tuple[str, tuple[float, float]]:
    size = draw(st.sampled_from(SIZES))
    span = draw(st.sampled_from([3, 40, 200, 900, 3000, 7300, 18250]))
    origin = date(1980, 1, 1) + timedelta(draw(st.integers(0, 9000)))

    def day() -> date:
        return origin + timedelta(draw(st.integers(0, span)))

    rows = []
    n_lanes = draw(st.integers(1, MAX_LANES[size]))
    for i in range(n_lanes):
        name = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14)))
        name = f"{name} {i}"  # one lane each
        for _ in range(draw(st.integers(1, 3))):
            start = day()
            how = draw(st.sampled_from(["single", "course", "ongoing"]))
            end = ("ongoing" if how == "ongoing" else
                   (start + timedelta(draw(st.integers(0, max(1, span // 3))))).isoformat()
                   if how == "course" else "")
            role = draw(st.sampled_from(["", "", "acute"]))
            value = draw(st.sampled_from(["", "1000", "8"]))
            rows.append(f"therapy,{name},{start},{end},{value},mg,{role}")
    for _ in range(draw(st.integers(0, 15))):
        rows.append(f"relapse,{draw(st.sampled_from(SYNDROMES))},{day()},,,,")
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 12))):
            edss = draw(st.sampled_from(["1.0", "2.0", "3.5", "6.5", "8.0"]))
            rows.append(f"edss,,{day()},,{edss},,")
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 6))):
            rows.append(f"mri,brain,{day()},,{draw(st.sampled_from(['0', '2']))},,")
    labs = draw(st.lists(st.sampled_from([("CSF IL-6", "pg/mL"), ("AQP4-IgG titre", "1:x"),
                                          ("IgG", "g/L"), ("CD19 B cells", "cells/uL"),
                                          ("Sodium", "mmol/L")]), max_size=4, unique=True))
    for lab, unit in labs:
        for _ in range(draw(st.integers(1, 8))):
            value = draw(st.sampled_from(["10", "320", "1000", "4.5", "0", "136"]))
            rows.append(f"lab,{lab},{day()},,{value},{unit},")
    # one row per kind, therapy and day (as the registry groups names): keep the first
    seen, unique = set(), []
    for row in rows:
        kind, name, start, *_ = row.split(",")
        key = (kind, therapy_key(name)[0] if kind == "therapy" else name, start)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return "kind,name,start,end,value,unit,role\n" + "\n".join(unique) + "\n", size


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records(), st.sampled_from(["light", "dark", "print"]), st.booleans())
@example((MERGED_KEY_HANGS, (3.5, 3.2)), "light", True)
def test_any_record_fits_any_canvas(record, theme, arr):
    text, size = record
    table = read_events_text(text, "r.csv")
    fig = plot_timeline(table, size=size, theme=theme, arr=arr, dpi=40)
    m = measure(fig)
    need_height, lane_width = LIMITS[size]
    assert m.overlaps == []
    assert m.clipped == []
    assert m.height_used >= need_height - 1e-3
    assert m.widest_lane_label <= lane_width + 1e-3
    hidden = [t for t in fig.findobj() if (getattr(t, "get_gid", lambda: "")() or "").split(
        ":")[0] in ("bar-label", "lab-value", "lab-name", "callout", "period-arr", "note")
        and not t.get_visible()]
    note = left_out(fig)
    if hidden:  # nothing leaves silently
        assert note and int(note.split()[0]) >= len(hidden)
