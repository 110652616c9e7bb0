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
    extra_bottom_in: float = 0.0,
    max_block_in: float | None = None,
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
    extra_bottom_in : room for a secondary axis row under the x axis, inches.
    max_block_in : the tallest the stack of panels may be; a short stack (few lanes) is
        centred rather than stretched, with the legend kept just under it.
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
    bottom = max(bottom, extra_bottom_in)
    made: Legend | None = None
    if legend is not None and legend_entries:
        made = legend_that_fits(legend, legend_entries, width - 2 * pad_in, renderer, dpi)
        made.set_bbox_to_anchor((0.5, pad_in / height), transform=fig.transFigure)
        bottom += extent_legend(made, renderer, dpi)[1] + 0.12
    bottom += pad_in

    # the top y tick label reaches half its height above the axes
    top = pad_in + mpl.rcParams["ytick.labelsize"] / 72 / 2 if isinstance(
        mpl.rcParams["ytick.labelsize"], float) else pad_in + 0.1
    if title is not None and title.get_text():
        fit_text_width(title, width - 2 * pad_in, renderer, dpi)
        top += extent(title)[1] + 0.1
        title.set_y(1 - pad_in / height)
        title.set_verticalalignment("top")

    n = len(axes)
    usable = height - top - bottom
    if max_block_in is not None and usable > max_block_in:
        spare = usable - max_block_in
        top += spare / 2
        bottom += spare / 2
        usable = max_block_in
        if made is not None:
            made.set_bbox_to_anchor((0.5, (pad_in + spare / 2) / height),
                                    transform=fig.transFigure)
        if title is not None and title.get_text():
            title.set_y(1 - (pad_in + spare / 2) / height)  # the title stays on the block
    hspace = gap_in * n / max(usable - (n - 1) * gap_in, 1e-6) if n > 1 else 0.0
    fig.subplots_adjust(left=left / width, right=1 - right_in / width,
                        bottom=bottom / height, top=1 - top / height, hspace=hspace)


def legend_that_fits(legend: Callable[[int], Legend], entries: int, max_in: float,
                     renderer: object, dpi: float) -> Legend:
    """The legend with as many columns (at most ``entries``) as fit ``max_in`` inches."""
    ncol = entries
    made = legend(ncol)
    while ncol > 1 and extent_legend(made, renderer, dpi)[0] > max_in:
        made.remove()
        ncol -= 1
        made = legend(ncol)
    return made


def wrap_to_width(text: str, max_in: float, width: Callable[[str], float]) -> str:
    """``text`` broken at spaces into lines at most ``max_in`` wide (as ``width`` measures)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and width(f"{lines[-1]} {word}") <= max_in:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def fit_text_width(text: Text, max_in: float, renderer: object, dpi: float) -> None:
    """Wrap ``text`` at spaces, then shrink it, until it is at most ``max_in`` wide."""
    def width() -> float:
        return float(text.get_window_extent(renderer).width) / dpi  # type: ignore[arg-type]

    words = text.get_text().split()
    base = float(text.get_fontsize())
    for n_lines in (1, 2, 3):
        per = -(-len(words) // n_lines)
        lines = [" ".join(words[i : i + per]) for i in range(0, len(words), per)]
        text.set_text("\n".join(lines))
        for factor in (1.0, 0.9, 0.8):
            text.set_fontsize(base * factor)
            if width() <= max_in:
                return
    size = float(text.get_fontsize())
    while width() > max_in and size > 6:
        size *= 0.9
        text.set_fontsize(size)


def extent_legend(legend: Legend, renderer: object, dpi: float) -> tuple[float, float]:
    bb = legend.get_window_extent(renderer)  # type: ignore[arg-type]
    return bb.width / dpi, bb.height / dpi


# Optional texts, most important first: dropped (hidden) when they would collide.
OPTIONAL_TEXT = ("callout", "note:", "period-arr", "lab-name", "lab-value", "bar-label",
                 "edss-label")


def _priority(gid: str) -> int:
    return next(i for i, prefix in enumerate(OPTIONAL_TEXT) if gid.startswith(prefix))


def resolve_collisions(fig: Figure) -> list[Text]:
    """Hide optional labels that would overlap another text or leave the canvas.

    Fixed texts (tick labels inside the view, axis labels, legend, title) always
    stay; optional ones (gids in :data:`OPTIONAL_TEXT`) are kept in priority
    order only where they fit.  Returns the texts that were hidden.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    fixed: list[Text] = []
    optional: list[Text] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            lo, hi = sorted(axis.get_view_interval())
            eps = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks():
                if lo - eps <= tick.get_loc() <= hi + eps:
                    fixed.extend(t for t in (tick.label1, tick.label2)
                                 if t.get_visible() and t.get_text())
        fixed.extend(t for t in (ax.xaxis.label, ax.yaxis.label) if t.get_text())
        for child in ax.get_children():
            if isinstance(child, Text) and child.get_visible() and child.get_text():
                gid = child.get_gid() or ""
                if any(gid.startswith(p) for p in OPTIONAL_TEXT):
                    optional.append(child)
    fixed.extend(t for t in fig.texts if t.get_visible() and t.get_text())
    for legend in fig.legends:
        fixed.extend(legend.get_texts())
    kept = [t.get_window_extent(renderer) for t in fixed]
    canvas = fig.bbox
    hidden = []
    for t in sorted(optional, key=lambda t: _priority(t.get_gid() or "")):
        bb = t.get_window_extent(renderer)
        inside = (bb.x0 >= canvas.x0 and bb.x1 <= canvas.x1 and bb.y0 >= canvas.y0
                  and bb.y1 <= canvas.y1)
        owner = t.axes
        gid = t.get_gid() or ""
        if inside and owner is not None and not gid.startswith(("edss-label", "callout")):
            box = owner.bbox
            inside = (bb.x1 <= box.x1 + 2 and bb.x0 >= box.x0 - 2
                      and bb.y0 >= box.y0 - 2 and bb.y1 <= box.y1 + 2)
        if not inside or any(bb.overlaps(k) for k in kept):
            t.set_visible(False)
            hidden.append(t)
        else:
            kept.append(bb)
    return hidden
