"""Regimen occupancy as a stacked area chart (pure; no matplotlib).

Layers from the bottom: the regimens with the most patient-months first, then
(beyond :data:`~nmo_timeline.plan.swimmer.LEGEND_MAX` regimens) the rest as
one ``other regimens`` layer, and ``untreated`` on top, so the coloured height
is the share on maintenance therapy.  Colours are those of every other figure;
an add-on combination is its first therapy's colour, hatched in the second's.
Under the axis, the number of patients at risk at each tick.  The chart ends
where fewer than :data:`MIN_AT_RISK` patients (half the series, if it has fewer
than 20) are still in follow-up: beyond, each patient would swing the shares by
a tenth or more.  The numbers (:class:`~nmo_timeline.analysis.occupancy.Occupancy`)
keep every month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..analysis.occupancy import Occupancy, regimen_occupancy
from ..analysis.periods import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..domain.colours import UNTREATED
from .colours import TherapyColours, therapy_colours
from .pathways import COMBINATION_HATCH
from .swimmer import LEGEND_MAX

if TYPE_CHECKING:
    from ..load import EventTable

OTHER_REGIMENS = "other regimens"
MAX_TICKS = 10
MIN_AT_RISK = 10  # the chart ends where fewer are at risk (half a smaller series)


@dataclass(frozen=True)
class Layer:
    """One band of the stack: its name, paint and patient counts per month."""

    name: str
    colours: tuple[str, ...]  # face, then the hatch colour of a combination; () = other
    hatch: str
    counts: np.ndarray
    untreated: bool = False


@dataclass
class OccupancyPlan:
    """The stack (bottom first), the months, the ticks and the number at risk."""

    layers: list[Layer]
    times_years: np.ndarray  # month k at k / 12
    at_risk: np.ndarray
    ticks: list[float]  # x ticks in years; the number at risk is written under each
    tick_labels: list[str]
    xlabel: str
    series: list[str]  # the cohort's colours, spread over greys by the print theme
    occupancy: Occupancy
    min_at_risk: int  # the chart ends where fewer patients are in follow-up
    title: str = ""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the figure groups or leaves out

    ylabels: tuple[str, ...] = ("Patients in follow-up", "In follow-up", "")  # longest first

    @property
    def risk_headings(self) -> tuple[str, ...]:
        """The heading of the at-risk row, longest first (the longest that fits is drawn)."""
        n = self.min_at_risk
        return (f"Patients at risk (the chart ends where fewer than {n} remain)",
                f"Patients at risk (chart ends below {n})", "At risk")

    @property
    def x_max(self) -> float:
        """The end of the last month drawn."""
        return float(self.times_years[-1]) + 1 / 12

    def at_risk_at(self, years: float) -> int:
        """Patients at risk at the month nearest ``years``."""
        k = min(max(round(years * 12), 0), len(self.at_risk) - 1)
        return int(self.at_risk[k])


def time_ticks(span_years: float, anchor: str,
               max_ticks: int = MAX_TICKS) -> tuple[list[float], list[str], str]:
    """Ticks (in years) at a round step, their labels, and the axis label: in months
    for spans up to two years (every 1, 3 or 6), else in years (1, 2, 5, 10 ...).

    Examples
    --------
    >>> time_ticks(0.5, "onset")[1:]
    (['0', '1', '2', '3', '4', '5', '6'], 'Months since onset')
    >>> time_ticks(14.2, "onset")[1]
    ['0', '2', '4', '6', '8', '10', '12', '14']
    """
    if span_years <= 2:
        step = next(m for m in (1, 3, 6) if span_years * 12 / m <= max_ticks)
        months = list(range(0, int(span_years * 12 + 1e-9) + 1, step))
        return [m / 12 for m in months], [str(m) for m in months], f"Months since {anchor}"
    magnitude = 10 ** math.floor(math.log10(span_years / max_ticks))
    step = next(m * magnitude for m in (1, 2, 5, 10) if span_years / (m * magnitude)
                <= max_ticks)
    years = [k * step for k in range(int(span_years / step + 1e-9) + 1)]
    return years, [f"{y:g}" for y in years], f"Years since {anchor}"


def plan_occupancy(table: EventTable, *, align: str = "onset", title: str = "",
                   min_period_days: int = MIN_PERIOD_DAYS,
                   max_gap_days: int = MAX_GAP_DAYS) -> OccupancyPlan:
    """The share of patients on each regimen, month by month, as a stacked area plan.

    Parameters
    ----------
    align : str
        ``onset``, ``first-therapy`` or a therapy (see
        :mod:`nmo_timeline.analysis.occupancy`).
    title : str
        Figure title.
    min_period_days, max_gap_days
        The period rules (:func:`~nmo_timeline.analysis.occupancy.regimen_occupancy`).
    """
    occ = regimen_occupancy(table, align=align, min_period_days=min_period_days,
                            max_gap_days=max_gap_days)
    return plan_from_occupancy(occ, therapy_colours(table), title=title)


def plan_from_occupancy(occ: Occupancy, colours: TherapyColours, *,
                        title: str = "") -> OccupancyPlan:
    """Lay out ``occ`` (see :func:`plan_occupancy`)."""
    floor = min(MIN_AT_RISK, -(-len(occ.patients) // 2))
    months = max(1, int((occ.at_risk >= floor).sum()))  # at risk never rises: a prefix
    counts = occ.counts[:, :months]
    treated = [i for i, r in enumerate(occ.regimens) if r and counts[i].any()]
    shown, rest = treated[:LEGEND_MAX], treated[LEGEND_MAX:]
    layers: list[Layer] = []
    for i in shown:
        paint = colours.of(occ.regimens[i])
        layers.append(Layer(occ.names[i], paint[:2],
                            COMBINATION_HATCH if len(paint) > 1 else "", counts[i]))
    notes = []
    if rest:
        layers.append(Layer(f"{OTHER_REGIMENS} ({len(rest)})", (), "",
                            counts[rest].sum(axis=0)))
        few = "the regimen" if len(rest) == 1 else f"the {len(rest)} regimens"
        notes.append(f"{few} with the fewest patient-months drawn as one grey layer, "
                     f"'{OTHER_REGIMENS} ({len(rest)})': "
                     + ", ".join(occ.names[i] for i in rest))
    for i, r in enumerate(occ.regimens):
        if not r and counts[i].any():
            layers.append(Layer(occ.names[i], (UNTREATED,), "", counts[i], untreated=True))
    ticks, labels, xlabel = time_ticks(months / 12, occ.anchor)
    return OccupancyPlan(layers, occ.times_years[:months], occ.at_risk[:months], ticks,
                         labels, xlabel, colours.series, occ, floor, title,
                         list(occ.warnings), notes)
