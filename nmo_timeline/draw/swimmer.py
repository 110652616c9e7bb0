"""Render a :class:`~nmo_timeline.swimmer.SwimmerPlan` (one row per patient).

Bars are drawn as one PolyCollection per colour, relapses and arrows as one
marker line each, so the artist count stays small at thousands of patients.
Row labels and EDSS labels are thinned to what fits without overlapping.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from ..plan.swimmer import SwimmerPlan
from .figure import Style, styled_figure
from .fit import fit_layout
from .themes import get_theme

BAR = 0.7  # bar height as a fraction of the row


def render_swimmer(
    plan: SwimmerPlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str = "light",
) -> Figure:
    """Draw a swimmer plot onto a new Figure (object-oriented API, Agg canvas)."""
    th = get_theme(theme)
    style = Style.for_canvas(*size, theme=th)
    ink = th.ink
    n = len(plan.rows)
    with styled_figure(style, size, dpi) as fig:
        ax = fig.add_subplot()
        ax.set_gid("panel:swimmer")
        # row i is drawn at y = n - 1 - i (first row on top)
        ys = np.arange(n - 1, -1, -1, dtype=float)
        # one PolyCollection per colour, its rectangles built as one (N, 4, 2) array
        boxes: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
        order = list(plan.legend.values())
        themed = dict(zip(order, th.series_colours(order), strict=True))
        for y, row in zip(ys.tolist(), plan.rows, strict=True):
            for seg in row.segments:
                k = len(seg.colours)
                h = BAR / k
                for j, colour in enumerate(seg.colours):
                    y0 = y - BAR / 2 + j * h
                    boxes[themed.get(colour, colour)].append((seg.x0, seg.x1, y0, y0 + h))
        polys: dict[str, np.ndarray] = {}
        for colour, rects in boxes.items():
            a = np.asarray(rects, dtype=float)
            x0, x1, y0, y1 = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
            polys[colour] = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y0]),
                                      np.column_stack([x1, y1]), np.column_stack([x0, y1])],
                                     axis=1)
        # follow-up as a thin line under the bars
        follow = [[(r.start, y), (r.end, y)]
                  for y, r in zip(ys, plan.rows, strict=True)]
        ax.add_collection(LineCollection(follow, colors=th.faint, linewidths=1.0,
                                         zorder=1, gid="follow-up"))
        for colour, verts in polys.items():
            ax.add_collection(PolyCollection(cast(Any, verts), facecolors=colour, edgecolors="none",
                                             zorder=2, gid=f"bars:{colour}"))
        row_pt = _row_points(fig, n)
        ms = float(np.clip(row_pt * 0.55, 1.5, style.font * 0.75))
        rx = [x for r in plan.rows for x in r.relapses]
        ry = [y for y, r in zip(ys, plan.rows, strict=True) for _ in r.relapses]
        if rx:
            ax.plot(rx, ry, linestyle="none", marker="D", markersize=ms, color=th.relapse,
                    markeredgecolor=ink if ms > 4 or th.greyscale else th.relapse,
                    markeredgewidth=0.5,
                    zorder=3, gid="relapses")
        ox = [r.end for r in plan.rows if r.ongoing]
        oy = [y for y, r in zip(ys, plan.rows, strict=True) if r.ongoing]
        if ox:
            ax.plot(ox, oy, linestyle="none", marker=">", markersize=ms * 1.1, color=ink,
                    zorder=3, gid="ongoing")
        _labels(ax, plan, ys, row_pt, style, ms)
        lo, hi = plan.x_min, plan.x_max
        pad = (hi - lo) * 0.02 or 1.0
        extra = (hi - lo) * 0.06 if row_pt >= style.font * 0.9 else 0.0  # room for EDSS labels
        ax.set_xlim(lo - pad, hi + pad + extra)
        ax.set_ylim(-0.6, n - 0.4)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        origin = f"first dose of {plan.align}" if plan.align else "first recorded event"
        ax.set_xlabel(f"{plan.unit.capitalize()} since {origin}")
        if plan.align:
            ax.axvline(0, color=ink, linewidth=0.8, linestyle=(0, (4, 3)), zorder=0)
        handles: list[Artist] = [Patch(facecolor=themed[c], label=label)
                                 for label, c in plan.legend.items() if label != "untreated"]
        handles.append(Line2D([], [], linestyle="none", marker="D", color=th.relapse,
                              markeredgecolor=ink, label="relapse"))
        if ox:
            handles.append(Line2D([], [], linestyle="none", marker=">", color=ink,
                                  label="ongoing"))

        def legend(ncol: int) -> Legend:
            return fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False,
                              fontsize=style.text(0.8), numpoints=1)

        title = fig.suptitle(plan.title, fontweight="bold") if plan.title else None
        fit_layout(fig, [ax], legend=legend, legend_entries=len(handles), title=title,
                   right_in=0.3)
    return fig


def _row_points(fig: Figure, n: int) -> float:
    """Approximate height of one row in points (the axes take ~75 % of the height)."""
    return float(fig.get_size_inches()[1] * 72 * 0.75 / max(n, 1))


def _labels(ax: object, plan: SwimmerPlan, ys: np.ndarray, row_pt: float, style: Style,
            ms: float) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    n = len(plan.rows)
    label_pt = style.text(0.8) * 1.25  # a label's height with some air
    step = max(1, int(np.ceil(label_pt / max(row_pt, 1e-9))))
    shown = list(range(0, n, step))
    ax.set_yticks([ys[i] for i in shown])
    ax.set_yticklabels([plan.rows[i].patient for i in shown], fontsize=style.text(0.8))
    if step == 1:
        for y, row in zip(ys, plan.rows, strict=True):
            if row.last_edss is not None:
                ax.annotate(f"EDSS {row.last_edss:g}", (row.end, y),
                            xytext=(style.font * (1.2 if row.ongoing else 0.5) + ms, 0),
                            textcoords="offset points", va="center", ha="left",
                            fontsize=style.text(0.7), gid="edss-label")
