"""Step-by-step builds (``--build``): the plan as it stood at the end of each period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain.time import MAX_GAP_DAYS
from .timeline import TimelinePlan

if TYPE_CHECKING:
    from ..load import EventTable


def reveal(plan: TimelinePlan, until: date) -> TimelinePlan:
    """The same plan showing only what happened up to ``until`` (inclusive).

    The axis, lanes, panels and legend stay, so frames of a talk line up; bars are cut
    at ``until``, later ticks, markers, values and periods are left out, and a lane not
    started yet is an empty, unnamed row.
    """
    stop = until + timedelta(days=1)
    lanes = []
    for lane in plan.lanes:
        bars = [replace(b, stop=min(b.stop, stop), ongoing=b.ongoing and b.stop <= stop)
                for b in lane.bars if b.start <= until]  # a course under way keeps its dose
        ticks = [t for t in lane.ticks if t.day <= until]
        note = lane.note if ticks and len(ticks) == len(lane.ticks) else ""
        # a lane not started yet keeps its place and its label's room (frames line up),
        # but not its name
        lanes.append(replace(lane, bars=bars, ticks=ticks, note=note, shown=bool(bars or ticks)))
    return replace(
        plan, lanes=lanes, whole=plan.whole or plan,
        edss=[m for m in plan.edss if m.day <= until],
        relapses=[m for m in plan.relapses if m.day <= until],
        mri=[m for m in plan.mri if m.day <= until],
        labs=[replace(series, points=[m for m in series.points if m.day <= until])
              for series in plan.labs],
        periods=[replace(p, stop=min(p.stop, stop)) for p in plan.periods if p.start <= until],
        # the last frame keeps every callout: one outside the record is named there
        callouts=[c for c in plan.callouts if c[0] <= until or until >= plan.record_end],
    )


def build_steps(table: EventTable, max_gap_days: int = MAX_GAP_DAYS) -> list[date]:
    """The last day of each maintenance-therapy period: one frame each for ``--build``
    (``max_gap_days``: the switch gap of the period rules)."""
    from ..analysis.periods import UNTREATED, patient_periods

    pp = patient_periods(table, table.patients[0], max_gap_days=max_gap_days)
    # a period too short to count (a bridging course of days) adds no frame of its own,
    # and the last frame shows the whole record
    steps = [p.end - timedelta(days=0 if p.last else 1)
             for p in pp.periods if p.regimen != UNTREATED and p.counted]
    return steps if steps and steps[-1] >= pp.cutoff else [*steps, pp.cutoff]
