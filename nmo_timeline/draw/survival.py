"""Render a :class:`~nmo_timeline.plan.survival.SurvivalPlan`: Kaplan-Meier curves and the
numbers at risk under the axis.

Two stacked axes share the time axis: the curves, and below them a table with one row per
curve (its label in the curve's colour) and the numbers at risk at each tick.  Gids:
``panel:survival``, ``panel:at-risk``, ``curve:<regimen>``, ``censored:<regimen>``,
``median:<regimen>``, ``median-line``, ``at-risk:<regimen>`` (the numbers of one row).
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, PercentFormatter

from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from ..plan.survival import SurvivalPlan
from .figure import Style, styled_figure
from .fit import fit_layout
from .textfit import shorten
from .themes import Theme, get_theme

#: Line styles that tell curves apart without colour (in every theme, so near colours
#: and greyscale prints stay apart).
DASHES: tuple[Any, ...] = ("solid", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (2, 2)),
          (0, (8, 2, 1, 2, 1, 2)), (0, (3, 1, 1, 1)), (0, (10, 3)))
ROW_PITCH = 1.45  # at-risk row height in units of its font size
LINE_CONTRAST = 3.0  # WCAG's minimum for graphics
MAX_LABEL_SHARE = 0.28  # longer regimen names are shortened to this share of the width


def survival_capacity(size: tuple[float, float]) -> int:
    """How many curves a canvas of ``size`` inches shows readably: their rows of numbers at
    risk and their legend entries take about a third of the height at most (and never more
    than 8 curves: more lines than that cannot be told apart).

    Examples
    --------
    >>> survival_capacity((13.333, 7.5)), survival_capacity((3.5, 3.2))
    (6, 5)
    """
    style = Style.for_canvas(*size)
    row = style.text(0.8) * ROW_PITCH
    return max(1, min(len(DASHES), int(size[1] * 72 * 0.3 / (row * 1.5))))


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    def lum(c: str) -> float:
        rgb = [int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _outline(colour: str, th: Theme, width: float) -> list[Any]:
    """An ink outline for a line whose colour has less than 3:1 contrast with the paper
    (light yellows on white, dark blues on the dark theme): the line keeps the therapy's
    colour of every other figure, the outline makes it stand out."""
    if _contrast(colour, th.paper) >= LINE_CONTRAST:
        return []
    from matplotlib.patheffects import withStroke

    return [withStroke(linewidth=width * 1.5, foreground=th.ink)]


def _line_colour(colour: str, th: Theme) -> str:
    """``colour``, moved towards the ink in small steps until a line of it has a contrast
    of at least 3:1 with the paper (light yellows on white, dark blues on the dark theme)."""
    out = colour
    for step in range(1, 10):
        if _contrast(out, th.paper) >= LINE_CONTRAST:
            break
        share = step / 10
        mixed = (int(colour[i:i + 2], 16) * (1 - share) + int(th.ink[i:i + 2], 16) * share
                 for i in (1, 3, 5))
        out = "#" + "".join(f"{round(v):02X}" for v in mixed)
    return out


def render_survival(
    plan: SurvivalPlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str = "light",
) -> Figure:
    """Draw Kaplan-Meier curves with the numbers at risk onto a new Figure."""
    th = get_theme(theme)
    style = Style.for_canvas(*size, theme=th)
    ink = th.ink
    n = len(plan.curves)
    small = style.text(0.8)
    hues = th.series_colours([c.colour for c in plan.curves])  # as in every other figure
    colours = [_line_colour(c, th) for c in hues]  # for text and thin guides: readable
    # a line style each in every theme: two regimens of near colours stay apart
    dashes: list[Any] = [DASHES[i % len(DASHES)] for i in range(n)]
    lw = max(1.2, style.font / 6)
    with styled_figure(style, size, dpi) as fig:
        table_in = (n + 1.2) * small * ROW_PITCH / 72
        grid = fig.add_gridspec(2, 1, height_ratios=[3.0, 1.0])
        ax = fig.add_subplot(grid[0])
        risk = fig.add_subplot(grid[1], sharex=ax)
        ax.set_gid("panel:survival")
        risk.set_gid("panel:at-risk")
        for curve, hue, colour, dash in zip(plan.curves, hues, colours, dashes, strict=True):
            ax.plot(curve.x, curve.y, drawstyle="steps-post", color=hue, linewidth=lw,
                    linestyle=dash, label=curve.label, zorder=3, gid=f"curve:{curve.regimen}",
                    path_effects=_outline(hue, th, lw))
            if curve.censored_x:
                ax.plot(curve.censored_x, curve.censored_y, linestyle="none", marker="|",
                        markersize=style.font * 0.7, markeredgewidth=lw * 0.8, color=hue,
                        zorder=4, gid=f"censored:{curve.regimen}",
                        path_effects=_outline(hue, th, lw * 0.8))
            if curve.median is not None:
                ax.plot([curve.median, curve.median], [0.0, 0.5], color=colour,
                        linewidth=lw * 0.6, linestyle=(0, (1, 1.5)), zorder=2,
                        gid=f"median:{curve.regimen}")
        medians = [c.median for c in plan.curves if c.median is not None]
        if medians:
            ax.plot([0.0, max(medians)], [0.5, 0.5], color=ink, linewidth=lw * 0.5,
                    linestyle=(0, (1, 1.5)), zorder=2, gid="median-line")
        ax.set_xlim(0, plan.x_max)
        ax.set_ylim(0, 1.04)
        ax.xaxis.set_major_locator(FixedLocator(list(plan.ticks)))
        ax.set_xticks(list(plan.ticks), labels=[f"{t:g}" for t in plan.ticks])
        ax.yaxis.set_major_locator(FixedLocator([0.0, 0.25, 0.5, 0.75, 1.0]))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel(plan.y_label)
        ax.set_xlabel(plan.x_label)

        # numbers at risk: one row per curve, a column per tick
        for side in ("left", "top", "right", "bottom"):
            risk.spines[side].set_visible(False)
        risk.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
        risk.tick_params(axis="y", length=0, labelsize=small)
        risk.set_ylim(n - 0.5, -1.5)
        risk.set_yticks(range(-1, n), labels=["Number at risk", *(c.regimen for c in plan.curves)])
        head, *rows = risk.get_yticklabels()
        head.set_fontweight("bold")
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        names = []  # long names are shortened alike in the table and the legend
        for label, colour in zip(rows, colours, strict=True):
            label.set_color(ink if th.greyscale else colour)
            names.append(shorten(label, MAX_LABEL_SHARE * size[0], renderer, dpi))
        for i, curve in enumerate(plan.curves):
            for t, k in zip(plan.ticks, curve.at_risk, strict=True):
                risk.text(t, i, str(k), ha="center", va="center", fontsize=small,
                          gid=f"at-risk:{curve.regimen}")
        gap = _gap_in(fig, ax, small)

        handles = [Line2D([], [], color=c, linestyle=d, linewidth=lw,
                          path_effects=_outline(c, th, lw),
                          label=curve.label if name == curve.regimen
                          else f"{name} (n = {curve.patients})")
                   for curve, name, c, d in zip(plan.curves, names, hues, dashes, strict=True)]
        handles.append(Line2D([], [], linestyle="none", marker="|", color=ink,
                              markersize=style.font * 0.7, label="censored"))

        def legend(ncol: int) -> Legend:
            return fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False,
                              fontsize=small)

        title = fig.suptitle(plan.title, fontweight="bold") if plan.title else None
        fit_layout(fig, [ax, risk], legend=legend, legend_entries=len(handles), title=title,
                   gap_in=gap, right_in=0.35)
        # the table gets the height of its rows, the curves the rest
        top, bottom = fig.subplotpars.top, fig.subplotpars.bottom
        usable = (top - bottom) * size[1] - gap
        grid.set_height_ratios([max(usable - table_in, 0.5), table_in])
        fig.subplots_adjust()
        # time 0 sits a little right of the axis, so the numbers at risk under it clear the
        # row labels
        half = max((t.get_window_extent(renderer).width for t in risk.texts), default=0.0)
        axes_in = ax.get_position().width * size[0]
        share = min(0.15, (half / 2 / dpi + small / 72) / max(axes_in, 1e-6))
        ax.set_xlim(-plan.x_max * share / (1 - share), plan.x_max)
    return fig


def _gap_in(fig: Figure, ax: object, small: float) -> float:
    """Room between the curves and the table: the x tick labels and x label, measured."""
    import matplotlib as mpl
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ticks = max((t.get_window_extent(renderer).height for t in ax.get_xticklabels()
                 if t.get_text()), default=0.0)
    label = ax.xaxis.label.get_window_extent(renderer).height
    pads = (mpl.rcParams["xtick.major.pad"] + mpl.rcParams["xtick.major.size"]
            + ax.xaxis.labelpad + small * 0.5) / 72
    return float((ticks + label) / fig.dpi + pads)
