"""Treatment pathways as a sunburst (pure; no matplotlib).

Line 1 is the innermost ring, each later line one ring further out, as in
OHDSI's treatment pathways.  A wedge is the start of pathways (line 1, then
line 2 ...): its angle is the share of all patients whose pathway starts that
way.  A wedge is drawn only where at least ``min_patients`` patients share it;
under each wedge, the continuations shared by fewer patients are drawn as one
``other`` wedge (hatched), so each ring still accounts for every patient who
reached that line.  Wedges run clockwise from 12 o'clock, most patients first;
patients without any maintenance therapy close the inner ring.  Colours are the
therapy colours of every other figure
(:func:`~nmo_timeline.plan.colours.therapy_colours`); an add-on combination is
its first therapy's colour, hatched in the second's.  Inner rings are wider
than outer ones: they hold the largest wedges and their labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..analysis.pathways import OTHER, Pathways, Regimen, treatment_pathways
from ..analysis.periods import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..domain.colours import UNTREATED
from .colours import TherapyColours, therapy_colours
from .swimmer import top_legend

if TYPE_CHECKING:
    from ..load import EventTable

HOLE = 0.2  # radius of the hole in the middle, as a share of the outer radius
OUTWARD = 0.3  # each ring is this much (of the first ring's width) narrower than the one inside
COMBINATION_HATCH = "///"
OTHER_HATCH = "xx"  # "other" in print, where a grey could be a therapy's
NONE = "no maintenance therapy"

REGIMEN, NO_THERAPY, RARE = "regimen", "none", "other"


@dataclass(frozen=True)
class Wedge:
    """One ring segment: a regimen at one line, after the lines inside it.

    ``start`` and ``stop`` are shares of the full circle, clockwise from 12 o'clock;
    ``inner`` and ``outer`` radii are shares of the outer radius.
    """

    ring: int
    start: float
    stop: float
    inner: float
    outer: float
    kind: str  # REGIMEN, NO_THERAPY or RARE
    regimen: str
    sequence: tuple[str, ...]  # the regimens from line 1 up to this one
    colours: tuple[str, ...]  # face, then the hatch colour of a combination; () = other
    hatch: str
    patients: int
    labels: tuple[str, ...]  # label texts, most wanted first; the first that fits is drawn


@dataclass
class PathwaysPlan:
    """The sunburst's wedges, legend and texts."""

    wedges: list[Wedge]
    rings: int
    patients: int
    pathways: Pathways
    legend_top: list[str]  # therapy labels the legend lists
    legend_more: int
    legend: dict[str, str]  # therapy label -> colour, every therapy in the wedges
    series: list[str]  # the cohort's colours, spread over greys by the print theme
    caption: str
    centre: tuple[str, ...]  # texts for the hole, most wanted first
    title: str = ""
    combination: bool = False
    no_therapy: bool = False
    other: bool = False
    warnings: list[str] = field(default_factory=list)


def share_text(patients: int, total: int) -> str:
    """A share as a whole percentage; ``<1%`` for a small one that is not zero."""
    pct = 100 * patients / total
    return "<1%" if 0 < pct < 0.5 else f"{pct:.0f}%"


def _labels(name: str, patients: int, total: int) -> tuple[str, ...]:
    """A wedge's label texts, most wanted first: name over share, on one line, then
    the name broken at its middle space (a combination after each ``+``)."""
    share = share_text(patients, total)
    out = [f"{name}\n{share}", f"{name} {share}"]
    if " + " in name:
        out.append(name.replace(" + ", " +\n") + f"\n{share}")
    elif " " in name:
        spaces = [i for i, c in enumerate(name) if c == " "]
        cut = min(spaces, key=lambda i: abs(2 * i - len(name)))
        out.append(f"{name[:cut]}\n{name[cut + 1:]}\n{share}")
    return tuple(out)


def plan_pathways(table: EventTable, *, depth: int = 4, min_patients: int = 1,
                  title: str = "", min_period_days: int = MIN_PERIOD_DAYS,
                  max_gap_days: int = MAX_GAP_DAYS) -> PathwaysPlan:
    """The pathways of every patient in ``table`` as a sunburst plan.

    Parameters
    ----------
    depth : int
        Lines of therapy (rings) counted.
    min_patients : int
        Pathways shared by fewer patients are one ``other`` wedge.
    title : str
        Figure title.
    min_period_days, max_gap_days
        The period rules (:func:`~nmo_timeline.analysis.pathways.treatment_pathways`).
    """
    result = treatment_pathways(table, depth=depth, min_patients=min_patients,
                                min_period_days=min_period_days, max_gap_days=max_gap_days)
    return plan_from_pathways(result, therapy_colours(table), title=title)


def plan_from_pathways(result: Pathways, colours: TherapyColours, *,
                       title: str = "") -> PathwaysPlan:
    """Lay out ``result`` (see :func:`plan_pathways`)."""
    total = result.patients
    k_min = result.min_patients
    sequences = list(result.counts.items())
    rings = max([len(seq) for seq, _ in sequences], default=1) or 1
    weights = [1 / (1 + OUTWARD * k) for k in range(rings)]  # inner rings hold the big wedges
    edges = [HOLE + (1 - HOLE) * sum(weights[:k]) / sum(weights) for k in range(rings + 1)]
    wedges: list[Wedge] = []
    used: set[str] = set()

    def other_wedge(ring: int, start: float, patients: int) -> Wedge:
        return Wedge(ring, start, start + patients / total, edges[ring - 1], edges[ring],
                     RARE, OTHER, (), (), "", patients,
                     _labels(OTHER, patients, total))

    def place(ring: int, start: float, prefix: tuple[Regimen, ...],
              members: list[tuple[tuple[Regimen, ...], int]]) -> float:
        """Wedges of ring ``ring`` and beyond for ``members`` (pathways longer than the
        prefix); continuations of fewer than ``min_patients`` patients are one ``other``
        wedge.  Returns where the last wedge stops."""
        groups: dict[Regimen, list[tuple[tuple[Regimen, ...], int]]] = {}
        for seq, n in members:
            groups.setdefault(seq[ring - 1], []).append((seq, n))
        sized = [(regimen, group, sum(n for _, n in group)) for regimen, group in groups.items()]
        sized.sort(key=lambda item: (-item[2], result.names[item[0]].casefold()))
        rare = 0
        for regimen, group, n in sized:
            if n < k_min:
                rare += n
                continue
            used.update(regimen)
            paint = colours.of(regimen)
            name = result.names[regimen]
            wedges.append(Wedge(ring, start, start + n / total, edges[ring - 1], edges[ring],
                                REGIMEN, name, tuple(result.names[r] for r in (*prefix, regimen)),
                                paint[:2], COMBINATION_HATCH if len(paint) > 1 else "", n,
                                _labels(name, n, total)))
            deeper = [(seq, k) for seq, k in group if len(seq) > ring]
            if deeper:
                place(ring + 1, start, (*prefix, regimen), deeper)
            start += n / total
        if rare:
            wedges.append(other_wedge(ring, start, rare))
            start += rare / total
        return start

    untreated = result.counts.get((), 0)
    start = place(1, 0.0, (), [(seq, n) for seq, n in sequences if seq and n])
    if untreated >= k_min:
        wedges.append(Wedge(1, start, start + untreated / total, edges[0], edges[1],
                            NO_THERAPY, NONE, (), (UNTREATED,), "", untreated,
                            _labels(NONE, untreated, total) + _labels("no therapy", untreated,
                                                                      total)))
    elif untreated:  # too few to show on their own: with the rare first lines
        last = wedges[-1] if wedges and wedges[-1].ring == 1 else None
        if last is not None and last.kind == RARE:
            wedges[-1] = other_wedge(1, last.start, last.patients + untreated)
        else:
            wedges.append(other_wedge(1, start, untreated))
    shown = {colours.labels[k] for k in used if k in colours.labels}
    top, more = top_legend(colours, shown)
    legend = {lab: c for lab, c in colours.legend.items() if lab in shown}
    lines = "line 1" if rings == 1 else f"lines 1 (centre) to {rings}"
    caption = f"Maintenance therapy, {lines}; shares of {total:,} patients"
    centre = (f"{total:,}\npatient{'s' if total != 1 else ''}", f"{total:,}")
    return PathwaysPlan(wedges, rings, total, result, top, more, legend, colours.series,
                        caption, centre, title,
                        combination=any(w.hatch == COMBINATION_HATCH for w in wedges),
                        no_therapy=any(w.kind == NO_THERAPY for w in wedges),
                        other=any(w.kind == RARE for w in wedges),
                        warnings=list(result.warnings))
