"""Render a :class:`~nmo_timeline.plan.forest.ForestPlan`: estimates and CIs on a log axis,
the numbers in a table beside it.

Object-oriented API on an Agg canvas.  Artists carry gids for the tests: ``panel:forest``,
``ci`` (one line collection), ``estimates``, ``zero`` and ``reference`` (marker lines),
``table:<column>`` (the texts of a table column), ``note``, ``band`` (row shading).
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import NullLocator
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from ..plan.forest import ForestPlan, Marker
from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from .figure import Style, styled_figure
from .fit import fit_layout
from .textfit import keep_inside, shorten, wrap_text
from .themes import get_theme

PAD_IN = 0.08
ROW_PITCH = 1.7  # row height in units of the table's font size
MIN_AXES_SHARE = 0.3  # the axis keeps at least this share of the width


def forest_capacity(size: tuple[float, float]) -> int:
    """How many rows fit on a canvas of ``size`` inches at a readable row height (the rest
    of the height goes to the title, axis, label and note).

    Examples
    --------
    >>> forest_capacity((13.333, 7.5)), forest_capacity((3.5, 3.2))
    (17, 15)
    """
    style = Style.for_canvas(*size)
    font = style.font * 0.93
    reserved = style.font * 8.5  # header row, ticks, axis label, two lines of note, title
    return max(3, int((size[1] * 72 - reserved) / (font * ROW_PITCH)))


def render_forest(
    plan: ForestPlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str = "light",
) -> Figure:
    """Draw a forest plot onto a new Figure.

    The table's columns are measured first; on a narrow canvas the renderer switches to
    the plan's short headers, then leaves out the optional column, then shortens long
    regimen names, so the axis keeps at least :data:`MIN_AXES_SHARE` of the width.  A few
    rows are not stretched over the whole height.
    """
    th = get_theme(theme)
    style = Style.for_canvas(*size, theme=th)
    width, height = size
    n = len(plan.rows)
    font = style.font * 0.93
    with styled_figure(style, size, dpi) as fig:
        ax = fig.add_subplot()
        ax.set_gid("panel:forest")
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        ys = [float(n - 1 - i) for i in range(n)]
        header_y = float(n)
        ax.set_xscale("log")
        ax.set_xlim(plan.x_min, plan.x_max)
        ax.set_ylim(-0.6, n + 0.5)
        ax.set_xticks(list(plan.ticks), labels=list(plan.tick_labels))
        ax.xaxis.set_minor_locator(NullLocator())
        for side in ("left", "top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.patch.set_visible(False)  # the row shading shows through
        ax.grid(axis="x", color=th.faint, linewidth=style.font / 15, zorder=0)
        ax.set_axisbelow(True)
        xlabel = ax.set_xlabel(plan.x_label)

        # the table: texts made first, measured, then placed beside the axis
        made: dict[int, list[Text]] = {}
        for j, column in enumerate(plan.columns):
            texts = [fig.text(0, 0, column, fontsize=font, fontweight="bold", ha="right",
                              va="center_baseline", gid=f"table:{column}")]
            texts += [fig.text(0, 0, r.cells[j], fontsize=font, ha="right",
                               va="center_baseline", gid=f"table:{column}") for r in plan.rows]
            made[j] = texts
        gap = font * 1.2 / 72

        def extent(t: Text) -> tuple[float, float]:
            bb = t.get_window_extent(renderer)
            return bb.width / dpi, bb.height / dpi

        def col_width(j: int) -> float:
            return max(extent(t)[0] for t in made[j])

        def table_width() -> float:
            return sum(col_width(j) + gap for j in made)

        ax.set_yticks([*ys, header_y], labels=[*(r.label for r in plan.rows), "Regimen"],
                      fontsize=font)
        *row_labels, head = ax.get_yticklabels()
        head.set_fontweight("bold")

        def axes_room() -> float:
            labels = max(extent(t)[0] for t in (*row_labels, head))
            return width - 2 * PAD_IN - 0.3 - labels - table_width()

        # narrow canvases: short headers, then no optional column, then shorter names
        short = axes_room() < MIN_AXES_SHARE * width
        if short:
            for j, texts in made.items():
                texts[0].set_text(plan.short_columns[j])
        for j in reversed(range(len(plan.columns))):
            if axes_room() < MIN_AXES_SHARE * width and not plan.required[j]:
                for t in made.pop(j):
                    t.remove()
        limit = width - 2 * PAD_IN - 0.4 - table_width() - MIN_AXES_SHARE * width
        for t in row_labels:
            shorten(t, max(limit, 0.5), renderer, dpi)

        banded = set(ys[1::2]) if n >= 4 else set()
        across = blended_transform_factory(fig.transFigure, ax.transData)
        for y in sorted(banded):  # shading every other row leads the eye to its numbers
            fig.add_artist(Rectangle((0, y - 0.5), 1, 1.0, transform=across,
                                     facecolor=th.bands[0], edgecolor="none", zorder=-1,
                                     gid="band"))
        _marks(ax, plan, ys, th.ink, th.paper, style,
               lambda y: th.bands[0] if y in banded else th.paper)

        # the axis label may not reach past the canvas: wrap it to the room around the axis
        ytick = (mpl.rcParams["ytick.major.pad"] + mpl.rcParams["ytick.major.size"]) / 72
        left_in = max(extent(t)[0] for t in (*row_labels, head)) + ytick + PAD_IN
        right_in = table_width() + PAD_IN
        centre = left_in + (width - left_in - right_in) / 2
        wrap_text(xlabel, 2 * min(centre, width - centre) - 2 * PAD_IN, renderer, dpi)
        note_text = " ".join(x for x in (plan.note, plan.short_note if short else "") if x)
        note = None
        if note_text:
            note = fig.text(PAD_IN / width, PAD_IN / height, note_text, fontsize=style.text(0.7),
                            ha="left", va="top", gid="note")
            wrap_text(note, width - 2 * PAD_IN, renderer, dpi)
        under = _bottom_in(ax, renderer, dpi)
        note_in = extent(note)[1] + 0.06 if note is not None else 0.0
        title = fig.suptitle(plan.title, fontweight="bold") if plan.title else None
        fit_layout(fig, [ax], title=title, right_in=right_in, extra_bottom_in=under + note_in,
                   pad_in=PAD_IN, max_block_in=(n + 1) * font * 3.2 / 72)
        box = ax.get_position()
        keep_inside(xlabel, fig, renderer)
        if note is not None:
            note.set_y(box.y0 - under / height)
        _thin_ticks(ax, renderer)
        x = box.x1 * width
        place = blended_transform_factory(fig.transFigure, ax.transData)
        for j in sorted(made):
            x += gap + col_width(j)
            for t, y in zip(made[j], [header_y, *ys], strict=True):
                t.set_transform(place)
                t.set_position((x / width, y))
    return fig


def _thin_ticks(ax: object, renderer: object) -> None:
    """Keep decades only (then every other one) where the x tick labels would touch."""
    import itertools
    import math

    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)

    def crowded() -> bool:
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels()  # type: ignore[arg-type]
                 if t.get_text()]
        return any(a.x1 + 2 > b.x0 for a, b in itertools.pairwise(boxes))

    ticks = [float(t) for t in ax.get_xticks()]
    lo, hi = ax.get_xlim()
    for keep in (lambda t: math.isclose(math.log10(t), round(math.log10(t))),
                 lambda t: math.isclose(math.log10(t) / 2, round(math.log10(t) / 2))):
        if not crowded():
            return
        ticks = [t for t in ticks if keep(t)] or ticks[:1]
        ax.set_xticks(ticks, labels=[f"{t:g}" for t in ticks])
        ax.set_xlim(lo, hi)


def _marks(ax: object, plan: ForestPlan, ys: list[float], ink: str, paper: str,
           style: Style, shade: Callable[[float], str]) -> None:
    """Estimates, CI lines, the zero and reference markers, the reference line, and the
    words "not estimable" on the row's own background (``shade``: the colour behind y)."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    lw = max(1.0, style.font / 9)
    ms = style.font * 0.6
    segments = []
    points: tuple[list[float], list[float]] = ([], [])
    zeros: tuple[list[float], list[float]] = ([], [])
    refs: tuple[list[float], list[float]] = ([], [])
    for row, y in zip(plan.rows, ys, strict=True):
        if row.marker is Marker.POINT and row.low is not None and row.high is not None:
            segments.append([(row.low, y), (row.high, y)])
            points[0].append(row.estimate or 0.0)
            points[1].append(y)
        elif row.marker is Marker.ZERO and row.high is not None:
            segments.append([(plan.x_min, y), (row.high, y)])
            zeros[0].append(plan.x_min)
            zeros[1].append(y)
        elif row.marker is Marker.REFERENCE:
            refs[0].append(1.0)
            refs[1].append(y)
        elif row.marker is Marker.NONE:  # said on the axis too: the column may be left out
            ax.annotate("not estimable", (plan.x_min, y), xytext=(style.font * 0.4, 0),
                        textcoords="offset points", ha="left", va="center_baseline",
                        fontsize=style.text(0.75), fontstyle="italic", color=ink, zorder=4,
                        bbox={"facecolor": shade(y), "edgecolor": "none", "pad": 1.0},
                        gid="not-estimable")
    if plan.reference_line is not None:
        ax.axvline(plan.reference_line, color=ink, linewidth=lw * 0.8, linestyle=(0, (4, 3)),
                   zorder=1, gid="reference-line")
    ax.add_collection(LineCollection(segments, colors=ink, linewidths=lw, zorder=2, gid="ci"))
    if points[0]:
        ax.plot(*points, linestyle="none", marker="s", markersize=ms, color=ink, zorder=3,
                gid="estimates")
    if zeros[0]:
        # the marker's point on the axis' left edge, its body inside the axis
        inside = ax.transData + ScaledTranslation(ms * 0.6 / 72, 0, ax.figure.dpi_scale_trans)
        ax.plot(*zeros, linestyle="none", marker="<", markersize=ms * 1.2, color=ink,
                markerfacecolor=paper, markeredgewidth=lw, zorder=3, clip_on=False,
                transform=inside, gid="zero")
    if refs[0]:
        ax.plot(*refs, linestyle="none", marker="s", markersize=ms, color=ink,
                markerfacecolor=paper, markeredgewidth=lw, zorder=3, gid="reference")


def _bottom_in(ax: object, renderer: object, dpi: float) -> float:
    """Height under the axis taken by the x tick labels and the x label, in inches."""
    import matplotlib as mpl
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ticks = [t.get_window_extent(renderer).height for t in ax.get_xticklabels()  # type: ignore[arg-type]
             if t.get_text()]
    label = ax.xaxis.label.get_window_extent(renderer).height  # type: ignore[arg-type]
    pad = (mpl.rcParams["xtick.major.pad"] + mpl.rcParams["xtick.major.size"]
           + ax.xaxis.labelpad) / 72
    return (max(ticks, default=0.0) + label) / dpi + pad + 0.05
