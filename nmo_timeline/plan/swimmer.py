"""Swimmer plot layout: one row per patient (pure; no matplotlib).

Each row shows the patient's maintenance periods (from
:mod:`nmo_timeline.periods`) as coloured segments, relapses as markers, an
arrow where therapy is ongoing at the end of follow-up, and the last EDSS.
Time is relative: day 0 is the patient's first recorded date, or the first
dose of ``align`` therapy.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..analysis.periods import (
    MAX_GAP_DAYS,
    MIN_PERIOD_DAYS,
    all_patient_periods,
    rows_by_patient,
)
from ..analysis.periods import UNTREATED as UNTREATED_NAME
from ..domain.colours import UNTREATED
from ..domain.time import DAYS_PER_YEAR
from ..domain.time import UNIT_DAYS as UNITS
from ..errors import NmoTimelineError, list_preview
from ..load import EventTable
from .colours import TherapyColours, therapy_colours

SORTS = ("id", "follow-up", "aligned", "arr")
LEGEND_MAX = 12  # therapies in a legend; the rest are summed up as "+K more"
DENSE_ROW_PX = 3.0  # rows thinner than this are drawn one pixel line each
AXES_SHARE = 0.75  # the part of the canvas height the rows get, about


def top_legend(colours: TherapyColours, shown: Collection[str] | None = None,
               cap: int = LEGEND_MAX) -> tuple[list[str], int]:
    """The therapy labels a legend lists, in legend order, and how many are left out.

    ``shown`` limits the legend to those labels (the therapies a figure shows);
    beyond ``cap`` labels, the ones most patients received are listed.
    """
    labels = [lab for lab in colours.legend if shown is None or lab in shown]
    if len(labels) <= cap:
        return labels, 0
    rank = sorted(labels, key=lambda lab: -colours.patients.get(lab, 0))[:cap]
    top = set(rank)
    return [lab for lab in labels if lab in top], len(labels) - cap


def dense_mode(n_rows: int, size: tuple[float, float], dpi: float) -> bool:
    """Whether ``n_rows`` swimmer rows are thinner than :data:`DENSE_ROW_PX` pixels
    on a canvas of ``size`` inches at ``dpi``: then each patient is one pixel line,
    relapses are ticks, and rows have no labels."""
    return size[1] * AXES_SHARE * dpi / max(n_rows, 1) < DENSE_ROW_PX


@dataclass(frozen=True)
class Segment:
    """A period on a row: from ``x0`` to ``x1`` (in the plan's unit)."""

    x0: float
    x1: float
    regimen: str
    colours: tuple[str, ...]  # one per therapy; several = a combination (stripes)


@dataclass
class SwimRow:
    patient: str
    start: float  # first recorded date, on the plan's time axis
    segments: list[Segment]
    relapses: list[float]
    end: float
    ongoing: bool
    last_edss: float | None
    aligned_days: float
    arr: float | None


@dataclass
class SwimmerPlan:
    """Rows top to bottom, the unit, and the colours for the legend."""

    rows: list[SwimRow]
    unit: str
    align: str | None
    legend: dict[str, str] = field(default_factory=dict)  # therapy label -> colour
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    legend_top: list[str] = field(default_factory=list)  # the labels the legend lists
    legend_more: int = 0  # therapies the legend leaves out ("+K more")
    series: list[str] = field(default_factory=list)  # the cohort's colours, for themes

    @property
    def x_min(self) -> float:
        return min([0.0] + [r.start for r in self.rows])

    @property
    def x_max(self) -> float:
        return max(r.end for r in self.rows) if self.rows else 1.0


def _natural(text: str) -> list[Any]:
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", text)]


def plan_swimmer(
    table: EventTable,
    *,
    align: str | None = None,
    sort: str = "id",
    unit: str = "years",
    cutoff: date | None = None,
    title: str = "",
    show_edss: bool = True,
    anonymize: bool = False,
    min_period_days: int = MIN_PERIOD_DAYS,
    max_gap_days: int = MAX_GAP_DAYS,
) -> SwimmerPlan:
    """Lay out a swimmer plot of every patient in ``table``.

    Parameters
    ----------
    align : str, optional
        A therapy: day 0 is each patient's first dose of it; patients without it
        are left out (listed in ``warnings``).
    sort : {"id", "follow-up", "aligned", "arr"}
        Row order: patient ID (natural order), follow-up length, time on the
        aligned therapy, or overall ARR (the last three longest / highest first).
    unit : {"days", "weeks", "months", "years"}
        Unit of the time axis.
    show_edss : bool
        Label each row with the last EDSS.
    anonymize : bool
        Rows are labelled 1, 2, 3 ... instead of patient IDs.
    min_period_days, max_gap_days
        The period rules: a patient followed for fewer days has no ARR (sorted last by
        ``arr``); a shorter untreated gap between two therapies is no gap.
    """
    if unit not in UNITS:
        raise NmoTimelineError(f"unknown unit '{unit}'; use one of {', '.join(UNITS)}")
    if sort not in SORTS:
        raise NmoTimelineError(f"unknown sort '{sort}'; use one of {', '.join(SORTS)}")
    if sort == "aligned" and align is None:
        raise NmoTimelineError("--sort aligned needs --align THERAPY")
    scale = UNITS[unit]
    colours = therapy_colours(table)
    warnings: list[str] = []
    by_patient = rows_by_patient(table)
    therapy_key = table.registry.therapy_key
    want = therapy_key(align)[0] if align else None
    rows: list[SwimRow] = []
    missing: list[str] = []
    drawn: set[str] = set()
    for pp in all_patient_periods(table, cutoff=cutoff, min_period_days=min_period_days,
                                  max_gap_days=max_gap_days, warnings=warnings):
        patient = pp.patient
        prs = by_patient[patient]
        day0 = pp.record_start
        if want is not None:
            doses = [r.start for r in prs if r.kind == "therapy"
                     and therapy_key(r.name)[0] == want and r.start <= pp.cutoff]
            if not doses:
                missing.append(patient)
                continue
            day0 = min(doses)

        def x(d: date, _day0: date = day0) -> float:
            return (d - _day0).days / scale

        segments = []
        for p in pp.periods:
            if p.regimen == UNTREATED_NAME:
                continue
            segments.append(Segment(x(p.start), x(p.end), p.regimen, colours.of(p.therapies)))
            drawn.update(p.therapies)
        relapses = [x(r.start) for r in prs
                    if r.kind == "relapse" and r.start <= pp.cutoff]
        last = pp.periods[-1]
        ongoing_keys = {therapy_key(r.name)[0] for r in prs if r.kind == "therapy" and r.ongoing}
        edss = [(r.start, r.value) for r in prs
                if r.kind == "edss" and r.start <= pp.cutoff]
        total_days = sum(p.days for p in pp.periods)
        total_years = total_days / DAYS_PER_YEAR
        n_rel = sum(p.relapses for p in pp.periods)
        aligned_days = (sum(p.days for p in pp.periods if want in p.therapies)
                        if want else 0.0)
        rows.append(SwimRow(
            patient=patient, start=x(pp.record_start), segments=segments, relapses=relapses,
            end=x(pp.cutoff),
            ongoing=bool(ongoing_keys & set(last.therapies)),
            last_edss=float(max(edss)[1]) if edss and show_edss else None,
            aligned_days=float(aligned_days),
            arr=n_rel / total_years if total_years > 0 and total_days >= min_period_days
            else None))
    if missing:
        warnings.insert(0, f"{len(missing)} patient(s) never received {align} and are left out: "
                        f"{list_preview(missing)}")
    if not rows:
        raise NmoTimelineError(f"no patient received '{align}'; nothing to draw")
    if sort == "id":
        rows.sort(key=lambda r: _natural(r.patient))
    elif sort == "follow-up":
        rows.sort(key=lambda r: (-(r.end - r.start), _natural(r.patient)))
    elif sort == "aligned":
        rows.sort(key=lambda r: (-r.aligned_days, _natural(r.patient)))
    else:
        rows.sort(key=lambda r: (-(r.arr if r.arr is not None else -1), _natural(r.patient)))
    shown = {colours.labels[k] for k in drawn if k in colours.labels}
    legend = {lab: c for lab, c in colours.legend.items() if lab in shown}
    legend[UNTREATED_NAME] = UNTREATED
    top, more = top_legend(colours, shown)
    if anonymize:  # the figure shows row numbers; terminal warnings still name patients
        rows = [replace(r, patient=str(i)) for i, r in enumerate(rows, start=1)]
    return SwimmerPlan(rows, unit, align, legend, warnings, title, top, more, colours.series)
