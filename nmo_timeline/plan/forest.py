"""Forest plot plan: pooled ARR per regimen with its exact CI, or NB2 rate ratios (pure).

One row per regimen, top to bottom in the order of the summary's cohort table, with a
table of numbers beside the axis.  The x axis is logarithmic, so a rate of 0 has no place
on it: a regimen without relapses is drawn as an open marker pointing left at the axis'
left edge (``Marker.ZERO``: "below this axis"), with its CI line from the edge to the exact
upper limit, and its table cell says ``0.00 (0.00-...)``.  No matplotlib here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from ..analysis.inputs import level_label
from ..analysis.summary import Summary
from ..errors import NmoTimelineError


class Marker(str, Enum):
    """How a row's estimate is drawn."""

    POINT = "point"  # a filled square at the estimate, a line for the CI
    ZERO = "zero"  # estimate 0: an open marker at the axis' left edge, CI to its upper limit
    REFERENCE = "reference"  # the model's reference regimen: an open square at 1, no CI
    NONE = "none"  # not estimable: the table says why, nothing on the axis


@dataclass(frozen=True)
class ForestRow:
    """One regimen: its estimate and CI (in the axis' units) and its table cells."""

    label: str
    marker: Marker
    estimate: float | None
    low: float | None
    high: float | None
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ForestPlan:
    """Rows top to bottom, the table's columns and the log axis.

    ``required`` says which columns must be shown; the others (the estimate written out)
    may be left out by the renderer when the canvas is too narrow for them, which then also
    uses the ``short_columns`` headers and adds ``short_note`` to the note.
    """

    rows: tuple[ForestRow, ...]
    columns: tuple[str, ...]
    required: tuple[bool, ...]
    short_columns: tuple[str, ...]  # headers for narrow canvases, explained by short_note
    short_note: str
    x_label: str
    x_min: float
    x_max: float
    ticks: tuple[float, ...]
    reference_line: float | None
    title: str = ""
    note: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def tick_labels(self) -> tuple[str, ...]:
        """Plain numbers (``0.1``, ``1``, ``10``), not powers of ten."""
        return tuple(f"{t:g}" for t in self.ticks)


def _num(v: float | None) -> str:
    if v is None or not math.isfinite(v):
        return "-" if v is None or math.isnan(v) else "inf"
    return "<0.01" if 0 < v < 0.005 else f"{v:.2f}"


def _with_ci(v: float, low: float | None, high: float | None) -> str:
    return f"{_num(v)} ({_num(low)}-{_num(high)})"


def plan_forest(summary: Summary, *, title: str = "", max_rows: int | None = None) -> ForestPlan:
    """Lay out a forest plot of ``summary``: its model's rate ratios if it has a model
    (``summarise(..., model="negbin")``), else the pooled ARR of every regimen.

    Parameters
    ----------
    summary : Summary
        From :func:`~nmo_timeline.analysis.summary.summarise`.
    title : str
        Figure title.
    max_rows : int, optional
        The most rows the canvas can show readably; beyond it the regimens with the fewest
        person-years are left out (a note on the figure and a warning say how many).
    """
    cohort = {c.regimen: c for c in summary.cohort}
    ci = level_label(summary.level)
    counts = ("Patients", "Relapses", "Person-years")
    rows: list[ForestRow] = []
    dropped_zero = [c.regimen for c in summary.cohort if c.years <= 0]

    def numbers(regimen: str) -> tuple[str, str, str]:
        c = cohort[regimen]
        return str(c.patients), str(c.relapses), f"{c.years:.1f}"

    if summary.model is None:
        for c in summary.cohort:
            if c.arr_pooled is None:
                continue
            marker = Marker.ZERO if c.relapses == 0 else Marker.POINT
            rows.append(ForestRow(c.regimen, marker, c.arr_pooled, c.arr_ci_low, c.arr_ci_high,
                                  (*numbers(c.regimen),
                                   _with_ci(c.arr_pooled, c.arr_ci_low, c.arr_ci_high))))
        columns = (*counts, f"ARR ({ci} CI)")
        x_label = f"Pooled ARR, relapses per person-year ({ci} CI, log scale)"
        method = f"Exact Poisson {ci} CI."
        reference = None
    else:
        m = summary.model
        if cohort[m.reference].relapses == 0:
            raise NmoTimelineError(f"the reference regimen '{m.reference}' has no relapses, so "
                                   "every rate ratio against it is unbounded; choose another "
                                   "with --reference")
        terms = {t.regimen: t for t in m.terms}
        ref = ForestRow(m.reference, Marker.REFERENCE, 1.0, None, None,
                        (*numbers(m.reference), "1 (reference)"))
        rows.append(ref)
        for c in summary.cohort:
            t = terms.get(c.regimen)
            if t is None:
                continue
            finite = all(math.isfinite(v) for v in (t.rate_ratio, t.ci_low, t.ci_high))
            if t.events == 0 or not finite or t.ci_low <= 0:
                rows.append(ForestRow(c.regimen, Marker.NONE, None, None, None,
                                      (*numbers(c.regimen), "not estimable")))
            else:
                rows.append(ForestRow(c.regimen, Marker.POINT, t.rate_ratio, t.ci_low,
                                      t.ci_high, (*numbers(c.regimen),
                                                  _with_ci(t.rate_ratio, t.ci_low, t.ci_high))))
        columns = (*counts, f"RR ({ci} CI)")
        x_label = f"Rate ratio vs {m.reference} ({ci} CI, log scale)"
        errors = ", cluster-robust by patient" if m.cov_type == "cluster" else ""
        method = (f"{m.family.split(',')[0].capitalize()} regression, one observation per "
                  f"patient-period; Wald {ci} CI{errors}.")
        reference = 1.0
    warnings = []
    if dropped_zero:
        warnings.append(f"regimens without time of positive length are left out of the "
                        f"figure: {', '.join(dropped_zero)}")
    if max_rows is not None and len(rows) > max_rows:
        keep = _largest(rows, cohort_years={c.regimen: c.years for c in summary.cohort},
                        n=max_rows, pinned=rows[0].label if reference is not None else None)
        left_out = [r.label for r in rows if r.label not in keep]
        rows = [r for r in rows if r.label in keep]
        warnings.append(f"{len(left_out)} regimens with the fewest person-years are left out "
                        f"of the figure to keep it readable (summary lists them all)")
    else:
        left_out = []
    if not rows:
        raise NmoTimelineError("no regimen with time of positive length; nothing to draw")
    note = [method]
    if any(r.marker is Marker.NONE for r in rows):
        note.append("Not estimable: no relapses on the regimen.")
    if any(r.marker is Marker.ZERO for r in rows):
        note.append("◁ No relapses: ARR 0, below the axis; the line reaches the upper limit.")
    if left_out:
        note.append(f"{len(left_out)} regimens with fewer person-years not shown.")
    x_min, x_max, ticks = log_axis(rows, reference)
    return ForestPlan(tuple(rows), columns, (True, True, True, False),
                      ("n", "Rel.", "PY", columns[3]),
                      "n: patients, Rel.: relapses, PY: person-years.", x_label, x_min, x_max,
                      ticks, reference, title, " ".join(note), tuple(warnings))


def _largest(rows: list[ForestRow], cohort_years: dict[str, float], n: int,
             pinned: str | None) -> set[str]:
    """The labels of the ``n`` rows with the most person-years (``pinned`` always kept)."""
    ranked = sorted((r.label for r in rows if r.label != pinned),
                    key=lambda label: -cohort_years.get(label, 0.0))
    keep = set(ranked[: max(0, n - (pinned is not None))])
    if pinned is not None:
        keep.add(pinned)
    return keep


NICE = (1.0, 2.0, 5.0)


def log_axis(rows: list[ForestRow], reference: float | None) -> tuple[float, float,
                                                                      tuple[float, ...]]:
    """Limits and ticks of the log axis: every estimate and finite limit inside, room at the
    left edge for the rows without relapses, ticks at 1-2-5 steps (decades when crowded).

    Examples
    --------
    >>> r = ForestRow("A", Marker.POINT, 0.5, 0.2, 1.4, ())
    >>> x0, x1, ticks = log_axis([r], None)
    >>> round(x0, 3), round(x1, 3), ticks
    (0.16, 1.75, (0.2, 0.5, 1.0))
    """
    values = [v for r in rows for v in (r.estimate, r.low, r.high)
              if v is not None and math.isfinite(v) and v > 0]
    if reference is not None:
        values.append(reference)
    if not values:  # every row without relapses has a finite upper limit, so not reached
        values = [1.0]
    lo, hi = min(values), max(values)
    if any(r.marker is Marker.ZERO for r in rows):
        lo /= 2  # the open marker at the edge keeps clear of the smallest value
    lo, hi = lo / 1.25, hi * 1.25
    if hi / lo < 4:  # a narrow range still gets a readable axis
        mid = math.sqrt(lo * hi)
        lo, hi = mid / 2, mid * 2
    candidates = [m * 10.0 ** e for e in range(math.floor(math.log10(lo)) - 1,
                                               math.ceil(math.log10(hi)) + 1) for m in NICE]
    ticks = [t for t in candidates if lo <= t <= hi]
    if len(ticks) < 2:  # reach out to the round values on either side
        below = max(t for t in candidates if t < lo)
        above = min(t for t in candidates if t > hi)
        lo, hi = min(lo, below / 1.1), max(hi, above * 1.1)
        ticks = [t for t in candidates if lo <= t <= hi]
    if len(ticks) > 7:
        ticks = [t for t in ticks if math.isclose(math.log10(t), round(math.log10(t)))]
    return lo, hi, tuple(float(f"{t:.6g}") for t in ticks)
