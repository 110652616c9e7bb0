"""Fit axes, legend and title into the canvas by measuring text once.

A lighter stand-in for matplotlib's constrained layout for our fixed stack of
panels: only the labels that sit outside the axes are measured (y tick labels
and y labels on the left, x tick labels, legend and title at the bottom and top),
then ``subplots_adjust`` places the panels.  No iteration, no full draw.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text


def fit_layout(
    fig: Figure,
    axes: list[Axes],
    *,
    legend: Callable[[int], Legend] | None = None,
    legend_entries: int = 0,
    title: Text | None = None,
    gap_in: float = 0.08,
    pad_in: float = 0.08,
    right_in: float = 0.25,
) -> None:
    """Set the subplot margins so that every outside label fits.

    Parameters
    ----------
    fig, axes : the figure and its stacked axes (top to bottom, shared x).
    legend : makes the figure legend with a given number of columns; it is made
        with as many columns as fit the width (at most ``legend_entries``) and
        placed centred at the bottom.
    title : the figure's suptitle, if any.
    gap_in : vertical gap between panels, inches.
    pad_in : padding at the canvas edges, inches.
    right_in : right margin, inches.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    dpi = fig.dpi
    width, height = fig.get_size_inches()

    def extent(t: Text) -> tuple[float, float]:
        bb = t.get_window_extent(renderer)
        return bb.width / dpi, bb.height / dpi

    ytick = (mpl.rcParams["ytick.major.pad"] + mpl.rcParams["ytick.major.size"]) / 72
    left = 0.0
    for ax in axes:
        labels = [t for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]
        tick_w = max((extent(t)[0] for t in labels), default=0.0)
        ylabel = ax.yaxis.label
        label_w = (extent(ylabel)[0] + ax.yaxis.labelpad / 72) if ylabel.get_text() else 0.0
        left = max(left, tick_w + ytick + label_w)
    left += pad_in

    bottom_ax = axes[-1]
    xtick = (mpl.rcParams["xtick.major.pad"] + mpl.rcParams["xtick.major.size"]) / 72
    xlabels = [t for t in bottom_ax.get_xticklabels() if t.get_visible() and t.get_text()]
    tick_h = max((extent(t)[1] for t in xlabels), default=0.0)
    lines = 1
    formatter = bottom_ax.xaxis.get_major_formatter()
    if hasattr(formatter, "get_offset") and formatter.get_offset():
        lines = 2
    bottom = tick_h * lines + xtick
    xlabel = bottom_ax.xaxis.label
    if xlabel.get_text():
        bottom += extent(xlabel)[1] + bottom_ax.xaxis.labelpad / 72
    if legend is not None and legend_entries:
        ncol = legend_entries
        made = legend(ncol)
        while ncol > 1 and extent_legend(made, renderer, dpi)[0] > width - 2 * pad_in:
            made.remove()
            ncol -= 1
            made = legend(ncol)
        made.set_bbox_to_anchor((0.5, pad_in / height), transform=fig.transFigure)
        bottom += extent_legend(made, renderer, dpi)[1] + 0.12
    bottom += pad_in

    # the top y tick label reaches half its height above the axes
    top = pad_in + mpl.rcParams["ytick.labelsize"] / 72 / 2 if isinstance(
        mpl.rcParams["ytick.labelsize"], float) else pad_in + 0.1
    if title is not None and title.get_text():
        top += extent(title)[1] + 0.1
        title.set_y(1 - pad_in / height)
        title.set_verticalalignment("top")

    n = len(axes)
    usable = height - top - bottom
    hspace = gap_in * n / max(usable - (n - 1) * gap_in, 1e-6) if n > 1 else 0.0
    fig.subplots_adjust(left=left / width, right=1 - right_in / width,
                        bottom=bottom / height, top=1 - top / height, hspace=hspace)


def extent_legend(legend: Legend, renderer: object, dpi: float) -> tuple[float, float]:
    bb = legend.get_window_extent(renderer)  # type: ignore[arg-type]
    return bb.width / dpi, bb.height / dpi
