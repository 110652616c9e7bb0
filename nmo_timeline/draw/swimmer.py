"""Render a :class:`~nmo_timeline.swimmer.SwimmerPlan` (one row per patient).

Bars are drawn as one PolyCollection per colour, relapses and arrows as one
marker line each, so the artist count stays small at thousands of patients.
Row labels and EDSS labels are thinned to what fits without overlapping.
Rows thinner than a few pixels (:func:`~nmo_timeline.plan.swimmer.dense_mode`)
are drawn one pixel line each, relapses as ticks, without labels.  The legend
lists at most :data:`~nmo_timeline.plan.swimmer.LEGEND_MAX` therapies, and its
columns are chosen from one measurement of each label (:func:`legend_columns`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from ..plan.swimmer import AXES_SHARE, SwimmerPlan, dense_mode
from .figure import MIN_TEXT_PT, Style, note_left_out, styled_figure
from .fit import fit_layout
from .themes import Theme, get_theme

BAR = 0.7  # bar height as a fraction of the row
LEGEND_SHARE = 0.3  # a legend under a figure takes at most this share of the canvas height
TICK_PX = 4.0  # height of a relapse tick in dense mode, pixels
# a relapse of any syndrome: a star, a shape no syndrome has in the timeline's legend
RELAPSE_MARK = "*"


def legend_columns(fig: Figure, labels: Sequence[str], fontsize: float,
                   max_width_in: float) -> int:
    """The most columns (at most one per label) a figure legend of ``labels`` can
    have and stay within ``max_width_in``.

    Each label (its widest line) is measured once; the width of every column count
    follows from
    matplotlib's legend layout (entries split into columns as ``numpy.array_split``
    does; each column as wide as its widest label plus handle and padding).
    """
    if len(labels) <= 1:
        return 1
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(size=fontsize)
    to_pt = 72 / fig.dpi
    widths = np.array([max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                           for line in label.split("\n"))
                       for label in labels], dtype=float) * to_pt
    rc = mpl.rcParams
    entry = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * fontsize
    gap = rc["legend.columnspacing"] * fontsize
    limit = max_width_in * 72 - 2 * rc["legend.borderpad"] * fontsize
    for ncol in range(len(labels), 1, -1):
        columns = [c for c in np.array_split(widths, ncol) if len(c)]
        if sum(float(c.max()) + entry for c in columns) + gap * (len(columns) - 1) <= limit:
            return ncol
    return 1


def legend_height(fig: Figure, labels: Sequence[str], ncol: int, fontsize: float,
                  handleheight: float = 0.7) -> float:
    """The height (inches) of a figure legend of ``labels`` in ``ncol`` columns, as
    matplotlib stacks it (lines of 1.2 font sizes, handles, label spacing, border)."""
    rc = mpl.rcParams
    rows = [max(label.count("\n") + 1, 1) * 1.2 for label in labels]
    columns = [c for c in np.array_split(np.array(rows, dtype=float), max(ncol, 1)) if len(c)]
    tallest = max((float(np.maximum(c, handleheight).sum()) + rc["legend.labelspacing"]
                   * (len(c) - 1) for c in columns), default=0.0)
    return (tallest + 2 * rc["legend.borderpad"]) * fontsize / 72


def legend_that_fits(fig: Figure, labels_for: Callable[[int], list[str]], items: int,
                     fontsize: float, max_width_in: float, max_height_in: float,
                     handleheight: float = 0.7) -> tuple[int, int]:
    """How many of ``items`` droppable entries a legend can keep within the box, and
    its columns.  ``labels_for(k)`` gives the legend's labels when ``k`` are kept
    (with its ``+K more`` entry); entries go one by one until the legend fits."""
    keep = items
    while True:
        labels = labels_for(keep)
        ncol = legend_columns(fig, labels, fontsize, max_width_in)
        if keep == 0 or legend_height(fig, labels, ncol, fontsize,
                                      handleheight) <= max_height_in:
            return keep, ncol
        keep -= 1


def more_handle(more: int, what: str = "therapies") -> tuple[Patch, str]:
    """A legend entry without a mark: ``+K more therapies``."""
    return Patch(facecolor="none", edgecolor="none"), f"+{more} more {what}"


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
    dense = dense_mode(n, size, dpi)
    with styled_figure(style, size, dpi) as fig:
        ax = fig.add_subplot()
        ax.set_gid("panel:swimmer")
        # row i is drawn at y = n - 1 - i (first row on top)
        ys = np.arange(n - 1, -1, -1, dtype=float)
        series = plan.series or list(plan.legend.values())
        themed = dict(zip(series, th.series_colours(series), strict=True))
        if dense:
            _dense_rows(ax, plan, ys, themed, th, dpi)
        else:
            _rows(ax, fig, plan, ys, themed, th, style)
        ongoing = not dense and any(r.ongoing for r in plan.rows)
        lo, hi = plan.x_min, plan.x_max
        pad = (hi - lo) * 0.02 or 1.0
        row_pt = _row_points(fig, n)
        extra = (hi - lo) * 0.06 if not dense and row_pt >= style.font * 0.9 else 0.0
        ax.set_xlim(lo - pad, hi + pad + extra)  # (extra: room for EDSS labels)
        ax.set_ylim(-0.6, n - 0.4)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        origin = f"first dose of {plan.align}" if plan.align else "first recorded event"
        ax.set_xlabel(f"{plan.unit.capitalize()} since {origin}")
        if plan.align:
            ax.axvline(0, color=ink, linewidth=0.8, linestyle=(0, (4, 3)), zorder=0)
        top = plan.legend_top if plan.legend_top or plan.legend_more else [
            label for label in plan.legend if label != "untreated"]
        font = style.text(0.8)
        marks: list[tuple[Artist, str]] = [(
            Line2D([], [], linestyle="none", marker="|", color=th.relapse, markersize=font,
                   markeredgewidth=font / 6) if dense else
            Line2D([], [], linestyle="none", marker=RELAPSE_MARK, color=th.relapse,
                   markersize=font * 1.1,
                   markeredgecolor=ink), "relapse")]
        if ongoing:
            marks.append((Line2D([], [], linestyle="none", marker=">", color=ink), "ongoing"))

        def entries(keep: int) -> list[tuple[Artist, str]]:
            out: list[tuple[Artist, str]] = [
                (Patch(facecolor=themed.get(plan.legend[label], plan.legend[label])), label)
                for label in top[:keep]]
            out += marks
            more = plan.legend_more + len(top) - keep
            return [*out, more_handle(more)] if more else out

        keep, ncol = legend_that_fits(
            fig, lambda k: [label for _, label in entries(k)], len(top), font,
            size[0] - 2 * 0.08, size[1] * LEGEND_SHARE)
        if keep < len(top):  # drawn, but the legend has no room to name them
            unnamed = top[keep:]
            names = ", ".join(unnamed[:3]) + (", ..." if len(unnamed) > 3 else "")
            note_left_out(fig, f"{len(unnamed)} therapies are drawn but not named in the "
                               f"legend ({names}); a larger --size names them")
        handles = [h for h, _ in entries(keep)]
        labels = [label for _, label in entries(keep)]

        def legend(ncol: int) -> Legend:
            return fig.legend(handles=handles, labels=labels, loc="lower center", ncol=ncol,
                              frameon=False, fontsize=font, numpoints=1)

        title = fig.suptitle(plan.title, fontweight="bold") if plan.title else None
        fit_layout(fig, [ax], legend=legend, legend_entries=ncol, title=title,
                   right_in=0.3)
        if not dense:
            _thin_labels_to_the_axes(fig, ax, plan, ys, style)
            _room_for_edss(fig, ax)
        else:  # the longest axis label no taller than the rows
            renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
            for text in (f"{n:,} patients, one line each", f"{n:,} patients", ""):
                ax.yaxis.label.set_text(text)
                if (ax.yaxis.label.get_window_extent(renderer).height
                        <= ax.get_window_extent(renderer).height):
                    break
    return fig


def label_size(style: Style, row_pt: float) -> tuple[float, int]:
    """The row labels' size in points and step: every row labelled, at a size down to
    70 % of the usual; rows too thin for that labelled every ``step``-th."""
    usual = style.text(0.8)
    least = max(MIN_TEXT_PT, 0.7 * usual)
    step = max(1, math.ceil(least * 1.25 / max(row_pt, 1e-9)))  # a label's height, with air
    return min(usual, row_pt * step / 1.25), step


def _thin_labels_to_the_axes(fig: Figure, ax: Any, plan: SwimmerPlan, ys: np.ndarray,
                             style: Style) -> None:
    """Fit the row labels again to the rows' height once the layout is placed (on a
    small canvas the legend and axis labels leave the rows less than the estimate);
    EDSS labels stay only where every row keeps its label.  What is left out is noted."""
    n = len(plan.rows)
    row_pt = ax.get_window_extent().height * 72 / fig.dpi / max(n, 1)
    size, step = label_size(style, row_pt)
    edss = [t for t in ax.texts if t.get_gid() == "edss-label"]
    if step == 1:
        for text in [*ax.get_yticklabels(), *edss]:
            text.set_fontsize(min(text.get_fontsize(), size))
        return
    shown = list(range(0, n, step))
    if len(ax.get_yticks()) > len(shown):
        ax.set_yticks([ys[i] for i in shown])
        ax.set_yticklabels([plan.rows[i].patient for i in shown], fontsize=size)
    for text in edss:
        text.remove()
    with_edss = sum(row.last_edss is not None for row in plan.rows)
    note_left_out(fig, f"{n - len(shown)} of {n} patient IDs are not written (every "
                       f"{'other' if step == 2 else f'{step}th'} row is labelled)"
                       + (f" and {with_edss} last EDSS labels are left out" if with_edss
                          else "") + "; a larger --size writes them")


def _room_for_edss(fig: Figure, ax: Any) -> None:
    """Widen the time axis just enough that every EDSS label ends inside the canvas.

    A label sits a fixed number of points right of its row's end; shrinking the
    scale moves each anchor left in proportion to its distance from the axis start.
    """
    labels = [t for t in ax.texts if t.get_gid() == "edss-label"]
    if not labels:
        return
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    limit = fig.bbox.x1 - 0.08 * fig.dpi
    box = ax.get_window_extent(renderer)
    lo, hi = ax.get_xlim()
    need = hi
    for t in labels:
        x = t.xy[0]
        anchor = float(ax.transData.transform((x, 0))[0])
        right = t.get_window_extent(renderer).x1
        if right > limit and x > lo:
            room = limit - (right - anchor) - box.x0  # pixels left for the anchor
            if room > 0:
                need = max(need, lo + (x - lo) * box.width / room)
    if need > hi:
        ax.set_xlim(lo, need)


def _rows(ax: Any, fig: Figure, plan: SwimmerPlan, ys: np.ndarray, themed: dict[str, str],
          th: Theme, style: Style) -> None:
    """Rows with room to spare: bars (stripes for combinations), diamonds, arrows and
    labels."""
    ink = th.ink
    n = len(plan.rows)
    # one PolyCollection per colour, its rectangles built as one (N, 4, 2) array
    boxes: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
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
        ax.plot(rx, ry, linestyle="none", marker=RELAPSE_MARK, markersize=ms * 1.35,
                color=th.relapse,
                markeredgecolor=ink if ms > 4 or th.greyscale else th.relapse,
                markeredgewidth=0.5,
                zorder=3, gid="relapses")
    ox = [r.end for r in plan.rows if r.ongoing]
    oy = [y for y, r in zip(ys, plan.rows, strict=True) if r.ongoing]
    if ox:
        ax.plot(ox, oy, linestyle="none", marker=">", markersize=ms * 1.1, color=ink,
                zorder=3, gid="ongoing")
    _labels(ax, plan, ys, row_pt, style, ms)


def _dense_rows(ax: Any, plan: SwimmerPlan, ys: np.ndarray, themed: dict[str, str],
                th: Theme, dpi: float) -> None:
    """Each patient as one pixel line (follow-up, then the periods over it, in row order
    so that where rows share a pixel the last one drawn shows), relapses as ticks, no
    row labels.  A combination is drawn in its first therapy's colour."""
    px = 72 / dpi  # one pixel, in points
    segments: list[tuple[tuple[float, float], tuple[float, float]]] = []
    colours: list[str] = []
    for y, row in zip(ys.tolist(), plan.rows, strict=True):
        segments.append(((row.start, y), (row.end, y)))
        colours.append(th.faint)
        for seg in row.segments:
            segments.append(((seg.x0, y), (seg.x1, y)))
            colours.append(themed.get(seg.colours[0], seg.colours[0]))
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=px,
                                     antialiaseds=False, capstyle="butt", zorder=2,
                                     gid="dense-rows"))
    rx = [x for r in plan.rows for x in r.relapses]
    ry = [y for y, r in zip(ys, plan.rows, strict=True) for _ in r.relapses]
    if rx:
        ax.plot(rx, ry, linestyle="none", marker="|", markersize=TICK_PX * px,
                markeredgewidth=px, color=th.relapse, zorder=3, gid="relapses")
    ax.set_yticks([])
    ax.set_ylabel(f"{len(plan.rows):,} patients, one line each")


def _row_points(fig: Figure, n: int) -> float:
    """Approximate height of one row in points (the axes take ~75 % of the height)."""
    return float(fig.get_size_inches()[1] * 72 * AXES_SHARE / max(n, 1))


def _labels(ax: object, plan: SwimmerPlan, ys: np.ndarray, row_pt: float, style: Style,
            ms: float) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    n = len(plan.rows)
    size, step = label_size(style, row_pt)
    shown = list(range(0, n, step))
    ax.set_yticks([ys[i] for i in shown])
    ax.set_yticklabels([plan.rows[i].patient for i in shown], fontsize=size)
    if step == 1:
        for y, row in zip(ys, plan.rows, strict=True):
            if row.last_edss is not None:
                ax.annotate(f"EDSS {row.last_edss:g}", (row.end, y),
                            xytext=(style.font * (1.2 if row.ongoing else 0.5) + ms, 0),
                            textcoords="offset points", va="center", ha="left",
                            fontsize=min(style.text(0.7), size), gid="edss-label")
