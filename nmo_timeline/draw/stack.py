"""Where the panels go: heights in inches that fill the canvas, gaps that keep tick labels
apart, and a label column of bounded width (pure arithmetic; the caller measures text).

Every panel has a minimum height (what its labels need to stay readable and apart), a
cap on how much it is worth growing, and a weight for sharing spare height.  The stack
takes the canvas height left by the title, legend, time axis and footnotes: minimums
first, then the spare height by weight up to the caps, then whatever is left to every
panel by weight, so the panels always fill the canvas.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..errors import OptionError


@dataclass(frozen=True)
class Need:
    """What one panel asks for, in inches: ``minimum``, growth ``weight`` and ``cap``.

    ``edge_labels``: the panel has numeric tick labels at its top and bottom edges, which
    reach half a line beyond the axes (so the gap to a neighbour must hold them).
    ``stretch``: the panel may grow past its cap when every cap is reached (a strip of
    labels, such as the period band, may not: it would become a large empty box).
    """

    minimum: float
    weight: float
    cap: float
    edge_labels: bool = False
    stretch: bool = True


def label_width_cap(width_in: float) -> float:
    """The widest a lane label may be, as a share of the canvas: 30 % on slides and pages,
    33 % at double-column width, 40 % at column width (narrow canvases need words)."""
    if width_in >= 10:
        return 0.30
    if width_in >= 5:
        return 0.33
    return 0.40


def height_share_target(width_in: float) -> float:
    """The share of the canvas height the panels should fill: 80 % on slides and pages,
    75 % at double-column width, 65 % at column width (legend and axis take the rest)."""
    if width_in >= 10:
        return 0.80
    if width_in >= 5:
        return 0.75
    return 0.65


def gaps(needs: list[Need], tick_line_in: float, base_in: float = 0.06) -> list[float]:
    """The gap under each panel but the last: room for the halves of the edge labels."""
    out = []
    for upper, lower in itertools.pairwise(needs):
        reach = 0.5 * tick_line_in * (upper.edge_labels + lower.edge_labels)
        out.append(max(base_in, reach + base_in / 2))
    return out


def allocate(needs: list[Need], gap_list: list[float], available_in: float,
             what: str = "the panels") -> list[float]:
    """Heights that fill ``available_in``: minimums, then growth by weight up to the caps,
    then the rest by weight (to panels of weight 0 only if no panel has weight).

    Raises
    ------
    OptionError
        When the minimums do not fit: the figure could not be read at this size.
    """
    room = available_in - sum(gap_list)
    heights = [n.minimum for n in needs]
    spare = room - sum(heights)
    if spare < -1e-9:
        raise OptionError(
            f"{what} need {sum(heights) + sum(gap_list):.1f} in of height to stay readable, "
            f"but the canvas leaves {available_in:.1f} in; choose a larger --size")
    # growth up to the caps, by weight (caps may bind one after another)
    open_ = [i for i, n in enumerate(needs) if n.weight > 0 and heights[i] < n.cap]
    while spare > 1e-9 and open_:
        total = sum(needs[i].weight for i in open_)
        step = {i: spare * needs[i].weight / total for i in open_}
        bound = [i for i in open_ if heights[i] + step[i] >= needs[i].cap]
        if not bound:
            for i in open_:
                heights[i] += step[i]
            spare = 0.0
            break
        for i in bound:  # these reach their cap; the rest share what remains
            spare -= needs[i].cap - heights[i]
            heights[i] = needs[i].cap
        open_ = [i for i in open_ if i not in bound]
    if spare > 1e-9:  # every cap reached: fill the canvas anyway, by weight
        weights = [n.weight if n.stretch else 0.0 for n in needs]
        if not any(weights):
            weights = [n.weight for n in needs]
        if not any(weights):
            weights = [1.0] * len(needs)
        total = sum(weights)
        heights = [h + spare * w / total for h, w in zip(heights, weights, strict=True)]
    return heights


def positions(heights: list[float], gap_list: list[float], top_in: float
              ) -> list[tuple[float, float]]:
    """(bottom, height) of each panel from the top down, in inches from the canvas bottom."""
    out = []
    y = top_in
    for i, h in enumerate(heights):
        y -= h
        out.append((y, h))
        if i < len(gap_list):
            y -= gap_list[i]
    return out
