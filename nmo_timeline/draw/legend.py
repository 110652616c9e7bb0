"""The timeline's figure legend: one handle per plan legend entry, in the theme's paint."""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..plan.timeline import LegendEntry
from .figure import Style
from .fit import legend_that_fits
from .panels import mark_pt


def timeline_legend(fig: Figure, entries: list[LegendEntry], style: Style,
                    width_in: float) -> Legend | None:
    """The legend under the panels, in as many columns as fit ``width_in``."""
    handles = [legend_handle(entry, style) for entry in entries]
    if not handles:
        return None
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return legend_that_fits(
        lambda ncol: fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False,
                                handletextpad=0.3, columnspacing=0.9, labelspacing=0.3,
                                borderpad=0.2, numpoints=1),
        len(handles), width_in, renderer, float(fig.dpi))


def legend_handle(entry: LegendEntry, style: Style) -> Artist:
    """The handle that stands for ``entry``: the acute-treatment patch, the partial-date
    whisker, the relapse marker, or an MRI marker (active, quiet or unknown)."""
    ms = mark_pt(style) * 0.85  # a legend sample, a little smaller than the mark
    t = style.theme
    if not entry.marker:
        paint = t.acute_paint
        return Patch(facecolor=paint.face, edgecolor=paint.edge, hatch=paint.hatch,
                     label=entry.label)
    kind, _, group = entry.key.partition(":")
    if kind == "partial":
        return Line2D([], [], linestyle="-", marker="|", markersize=ms, color=t.ink,
                      linewidth=style.font / 8, label=entry.label)
    if kind == "relapse":
        return Line2D([], [], linestyle="none", marker=entry.marker, markersize=ms,
                      color=t.relapse, markeredgecolor=t.ink, label=entry.label)
    colour, face = t.mri_paint(group)
    return Line2D([], [], linestyle="none", marker=entry.marker, markersize=ms,
                  color=colour, markerfacecolor=face, label=entry.label)
