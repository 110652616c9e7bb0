"""The slide reader's measure of a drawn figure (the same as ../shared/tools/layout_check.py):
overlapping texts, texts cut by the canvas edge, the share of the height the panels use,
and the widest lane label."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.text import Text

# (share of the height the panels must use, widest lane label as a share of the width)
LIMITS = {(13.333, 7.5): (0.80, 0.30), (10.0, 7.5): (0.80, 0.30), (7.2, 4.5): (0.75, 0.33),
          (3.5, 3.2): (0.65, 0.40)}


@dataclass
class Measure:
    texts: int
    overlaps: list[tuple[str, str]]
    clipped: list[str]
    height_used: float
    widest_lane_label: float


def drawn_boxes(fig: Figure) -> list[tuple[str, object]]:
    """Every visible, non-empty text and its window extent; tick labels only where drawn."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(t) for t in axis._update_ticks()}
            for t in axis.get_major_ticks() + axis.get_minor_ticks():
                if id(t) not in drawn:
                    undrawn.update({id(t.label1), id(t.label2)})
    boxes = []
    for t in fig.findobj(Text):
        if id(t) in undrawn or not t.get_visible() or not t.get_text().strip():
            continue
        bb = t.get_window_extent(r)
        if bb.width > 0 and bb.height > 0:
            boxes.append((t.get_text().strip(), bb))
    return boxes


def measure(fig: Figure) -> Measure:
    boxes = drawn_boxes(fig)
    r = fig.canvas.get_renderer()
    w, h = fig.bbox.width, fig.bbox.height
    # layout_check's tolerances are pixels at the default 200 dpi: the same lengths at any dpi
    px = fig.dpi / 200
    edge, tol = 1 * px, 1.5 * px
    clipped = [s for s, b in boxes
               if b.x0 < -edge or b.y0 < -edge or b.x1 > w + edge or b.y1 > h + edge]
    overlaps = []
    for (s1, b1), (s2, b2) in itertools.combinations(boxes, 2):
        ox = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        oy = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if ox > tol and oy > tol:  # more than a pixel and a half (at 200 dpi) both ways
            overlaps.append((s1, s2))
    axes = [a for a in fig.axes if a.get_visible()]
    top = max(a.get_window_extent(r).y1 for a in axes)
    bottom = min(a.get_window_extent(r).y0 for a in axes)
    lane = max((label.get_window_extent(r).width / w for a in axes
                if a.get_gid() == "panel:therapy" for label in a.get_yticklabels()
                if label.get_visible() and label.get_text()), default=0.0)
    return Measure(len(boxes), overlaps, clipped, (top - bottom) / h, lane)
