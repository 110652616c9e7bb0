"""Draw an :class:`~nmo_timeline.plan.occupancy.OccupancyPlan`: a stacked area chart.

Each layer is one ``fill_between`` drawn as steps (the state at month ``k``
holds until month ``k + 1``), with the gid ``area:<name>``.  The number of
patients at risk is written under each x tick (thinned where the numbers would
touch), under a ``Patients at risk`` heading.  On a wide canvas the legend sits
at the right, listing the layers top to bottom as they are stacked; on a narrow
one it sits under the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter
from matplotlib.transforms import blended_transform_factory

from ..plan.occupancy import Layer, OccupancyPlan
from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from ..plan.pathways import OTHER_HATCH
from .figure import Style, note_left_out, styled_figure
from .fit import fit_layout
from .pathways import set_hatch_colour
from .swimmer import LEGEND_SHARE, legend_that_fits, more_handle
from .themes import Theme, get_theme

PAD_IN = 0.08
WIDE_IN = 6.0  # from this canvas width on, the legend sits at the right


def render_occupancy(
    plan: OccupancyPlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str = "light",
) -> Figure:
    """Draw a regimen occupancy chart onto a new Figure (object-oriented API, Agg canvas)."""
    th = get_theme(theme)
    style = Style.for_canvas(*size, theme=th)
    themed = dict(zip(plan.series, th.series_colours(plan.series), strict=True))
    width = size[0]
    with styled_figure(style, size, dpi) as fig:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        ax = fig.add_subplot()
        ax.set_gid("panel:occupancy")
        _areas(ax, plan, themed, th)
        ax.set_xlim(0, plan.x_max)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel(plan.ylabels[0])
        ax.set_xlabel(plan.xlabel)
        risk_font = style.text(0.75)
        ticks = _thinned_ticks(fig, plan, risk_font)
        ax.set_xticks(ticks, [plan.tick_labels[plan.ticks.index(t)] for t in ticks])
        ax.spines["left"].set_bounds(0, 1)
        # the x axis block as fit_layout measures it, then the at-risk heading and numbers
        xtick = (mpl.rcParams["xtick.major.pad"] + mpl.rcParams["xtick.major.size"]) / 72
        tick_h = max(t.get_window_extent(renderer).height for t in ax.get_xticklabels()
                     if t.get_text()) / dpi
        xlabel_h = ax.xaxis.label.get_window_extent(renderer).height / dpi
        axis_block = tick_h + xtick + xlabel_h + ax.xaxis.labelpad / 72
        row_h = risk_font * 1.3 / 72
        font = style.text(0.8)
        entries = _legend_entries(plan, themed, th)
        regimens = sum(1 for layer in plan.layers if layer.colours and not layer.untreated)
        title = fig.suptitle(plan.title, fontweight="bold") if plan.title else None
        block = axis_block + 0.1 + 2 * row_h
        if width >= WIDE_IN:  # beside the chart, one column as tall as the canvas allows
            keep, _ = legend_that_fits(fig, lambda k: [lab for _, lab in entries(k)],
                                       regimens, font, 1e9, size[1] - 2 * PAD_IN, 1.2)
            handles, labels = (list(x) for x in zip(*entries(keep), strict=True))
            legend = fig.legend(handles, labels, loc="center left", frameon=False,
                                fontsize=font, handleheight=1.2)
            leg_w = legend.get_window_extent(renderer).width / dpi
            fit_layout(fig, [ax], title=title, right_in=leg_w + 0.35, extra_bottom_in=block)
            box = ax.get_position()
            legend.set_bbox_to_anchor((1 - (leg_w + 0.2) / width, (box.y0 + box.y1) / 2),
                                      transform=fig.transFigure)
        else:  # under it, at most a third of the canvas high
            keep, ncol = legend_that_fits(fig, lambda k: [lab for _, lab in entries(k)],
                                          regimens, font, width - 2 * PAD_IN,
                                          size[1] * LEGEND_SHARE, 1.2)
            handles, labels = (list(x) for x in zip(*entries(keep), strict=True))

            def make(n: int) -> Legend:
                return fig.legend(handles, labels, loc="lower center", frameon=False,
                                  fontsize=font, ncol=n, handleheight=1.2)

            fit_layout(fig, [ax], legend=make, legend_entries=ncol, title=title,
                       right_in=0.3, extra_bottom_in=block)
        unnamed = [layer.name for layer in plan.layers
                   if layer.colours and not layer.untreated][keep:]
        if unnamed:  # drawn in their colours, but the legend has no room to name them
            what = "1 regimen is" if len(unnamed) == 1 else f"{len(unnamed)} regimens are"
            note_left_out(fig, f"{what} drawn but not named in the legend "
                               f"({', '.join(unnamed)}); a larger --size names them")
        _at_risk(fig, ax, plan, ticks, axis_block, row_h, risk_font)
        tall = ax.get_window_extent(renderer).height * 72 / dpi  # points
        for ticks_y in ([0, 0.25, 0.5, 0.75, 1.0], [0, 0.5, 1.0], [0, 1.0]):
            if tall >= (len(ticks_y) - 1) * 2 * mpl.rcParams["ytick.labelsize"]:
                break  # tick labels at least two of their heights apart
        ax.yaxis.set_major_locator(FixedLocator(ticks_y))
        for text in plan.ylabels:  # the longest y label no taller than the axes
            ax.yaxis.label.set_text(text)
            if (ax.yaxis.label.get_window_extent(renderer).height
                    <= ax.get_window_extent(renderer).height):
                break
    return fig


def _paint(layer: Layer, themed: dict[str, str], th: Theme) -> tuple[str, str, str]:
    """Face, hatch and hatch colour of a layer under the theme: ``other regimens`` in
    a neutral grey (hatched on paper in print, where a grey could be a therapy's)."""
    if not layer.colours:
        if th.greyscale:
            return th.paper, OTHER_HATCH, th.unknown_edge
        return th.unknown_edge, "", th.unknown_edge
    face = themed.get(layer.colours[0], layer.colours[0])
    if th.greyscale or len(layer.colours) < 2:
        return face, layer.hatch, th.ink
    return face, layer.hatch, themed.get(layer.colours[1], layer.colours[1])


def _areas(ax: Axes, plan: OccupancyPlan, themed: dict[str, str], th: Theme) -> None:
    at_risk = np.maximum(plan.at_risk, 1)
    x = np.append(plan.times_years, plan.x_max)
    below = np.zeros(len(x))
    for layer in plan.layers:
        share = np.append(layer.counts / at_risk, layer.counts[-1] / at_risk[-1])
        above = below + share
        face, hatch, hatch_colour = _paint(layer, themed, th)
        area = ax.fill_between(x, below, above, step="post", facecolor=face,
                               edgecolor="none", linewidth=0, hatch=hatch or None,
                               gid=f"area:{layer.name}", zorder=2)
        if hatch:
            set_hatch_colour(area, hatch_colour)
        below = above


def _legend_entries(plan: OccupancyPlan, themed: dict[str, str],
                    th: Theme) -> Callable[[int], list[tuple[Artist, str]]]:
    """The legend's entries when it keeps the ``k`` regimens with the most patient-months:
    the layers top to bottom, as they are stacked, then ``+K more regimens``."""
    def entries(keep: int) -> list[tuple[Artist, str]]:
        regimens = [layer for layer in plan.layers if layer.colours and not layer.untreated]
        shown = {id(layer) for layer in regimens[:keep]}
        out: list[tuple[Artist, str]] = []
        for layer in reversed(plan.layers):
            if layer.colours and not layer.untreated and id(layer) not in shown:
                continue
            face, hatch, hatch_colour = _paint(layer, themed, th)
            patch = Patch(facecolor=face, edgecolor="none", hatch=hatch or None)
            if hatch:
                set_hatch_colour(patch, hatch_colour)
            out.append((patch, layer.name))
        if len(regimens) > keep:
            out.append(more_handle(len(regimens) - keep, "regimens"))
        return out

    return entries


def _thinned_ticks(fig: Figure, plan: OccupancyPlan, font: float) -> list[float]:
    """The plan's ticks, every second (third ...) one where the at-risk numbers under
    them would come closer than half a number's width (estimated from the widest)."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=font)
    widest = max(renderer.get_text_width_height_descent(f"{plan.at_risk_at(t):,}", prop,
                                                        ismath=False)[0]
                 for t in plan.ticks) / fig.dpi
    axes_in = fig.get_size_inches()[0] * 0.7  # about; the layout is not placed yet
    ticks = plan.ticks
    step = 1
    while len(ticks[::step]) > 2:
        per_tick = axes_in * (ticks[step] - ticks[0]) / plan.x_max if len(ticks) > step else 0
        if per_tick >= widest * 1.5:
            break
        step += 1
    return ticks[::step]


def _at_risk(fig: Figure, ax: Axes, plan: OccupancyPlan, ticks: list[float],
             axis_block: float, row_h: float, font: float) -> None:
    """The number at risk under each tick, under a heading, below the x axis label."""
    box = ax.get_position()
    height = fig.get_size_inches()[1]
    top = box.y0 * height - axis_block - 0.1
    inches = blended_transform_factory(ax.transData, fig.dpi_scale_trans)
    left = blended_transform_factory(ax.transAxes, fig.dpi_scale_trans)
    heading = fig.text(0, top, "", transform=left, ha="left", va="top", fontsize=font,
                       fontweight="bold", gid="at-risk-heading")
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    room = fig.bbox.x1 - ax.get_window_extent(renderer).x0 - 0.05 * fig.dpi
    for text in plan.risk_headings:  # the first that fits between the axis start and the edge
        heading.set_text(text)
        if heading.get_window_extent(renderer).width <= room:
            break
    for t in ticks:
        fig.text(t, top - row_h, f"{plan.at_risk_at(t):,}", transform=inches, ha="center",
                 va="top", fontsize=font, gid="at-risk")


def areas(fig: Figure) -> dict[str, Any]:
    """The stacked areas of a figure from :func:`render_occupancy`, by layer name."""
    out: dict[str, Any] = {}
    for ax in fig.axes:
        for c in ax.collections:
            gid = c.get_gid() or ""
            if gid.startswith("area:"):
                out[gid[len("area:"):]] = c
    return out
