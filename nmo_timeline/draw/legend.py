"""The timeline's figure legend: one handle per plan legend entry, in the theme's paint."""

from __future__ import annotations

from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..plan.timeline import LegendEntry
from .figure import Style


def legend_handle(entry: LegendEntry, style: Style) -> Artist:
    """The handle that stands for ``entry``: the acute-treatment patch, the partial-date
    whisker, the relapse marker, or an MRI marker (active, quiet or unknown)."""
    ms = style.font * 0.75 * 0.85
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
    colour, face = {"active": (t.ink, t.ink), "quiet": (t.ink, t.paper),
                    "unknown": (t.unknown_edge, t.unknown_face)}[group]
    return Line2D([], [], linestyle="none", marker=entry.marker, markersize=ms,
                  color=colour, markerfacecolor=face, label=entry.label)
