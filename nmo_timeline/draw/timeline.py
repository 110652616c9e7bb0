"""Render: a :class:`~nmo_timeline.layout.TimelinePlan` -> matplotlib Figure.

Object-oriented API only (``matplotlib.figure.Figure``), no pyplot state.
One method per panel, in the order the plan lists them.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

import matplotlib
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..output.atomic import atomic_output
from ..errors import OptionError
from .fit import fit_layout, resolve_collisions
from ..plan.timeline import (
    PANEL_EDSS,
    PANEL_MRI,
    PANEL_PERIODS,
    PANEL_RELAPSE,
    PANEL_THERAPY,
    SYNDROMES,
    Marker,
    TimelinePlan,
    panel_heights,
)
from ..domain.registry import ACUTE
from .themes import THEMES, Theme, get_theme

SLIDE_SIZE = (13.333, 7.5)
DEFAULT_DPI = 200
FORMATS = ("png", "svg", "pdf")
INK = THEMES["light"].ink
MIN_TEXT_PT = 6.0  # smallest text anywhere (journal minimum)
MIN_BAR_FRACTION = 0.004  # short episodes stay visible: at least 0.4 % of the axis
MAX_IN_PER_UNIT = 1.1  # inches per unit of panel height (a lane is 0.62 units) at 15 pt

BASE_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "svg.hashsalt": "nmo-timeline",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 1.0,
    # Glyph outlines as designed, as in the PDF and SVG output: at slide resolution
    # hinting changes little on screen, but its bytecode interpreter is a tenth of `plot`
    "text.hinting": "no_hinting",
}


@dataclass(frozen=True)
class Style:
    """Sizes derived from the canvas so text stays readable at every size."""

    width: float
    height: float
    font: float
    theme: Theme = THEMES["light"]
    family: str = "DejaVu Sans"

    def text(self, factor: float) -> float:
        """A secondary text size: ``factor`` of the base size, never under 6 pt."""
        return max(MIN_TEXT_PT, self.font * factor)

    @classmethod
    def for_canvas(cls, width: float, height: float, theme: Theme | None = None,
                   family: str | None = None, font_scale: float = 1.0) -> Style:
        scale = min(width / SLIDE_SIZE[0], height / SLIDE_SIZE[1])
        return cls(width, height, font=max(7.0, 15.0 * scale) * font_scale,
                   theme=theme or THEMES["light"], family=family or "DejaVu Sans")


# The rcParams each of our figures was built under: save_figure draws it under the same
# ones, so the drawing matches what fit_layout measured, and matplotlib's font lookup
# (cached per font size *and* rcParams) is not repeated for every text at save time.
_DRAW_RC: weakref.WeakKeyDictionary[Figure, dict[str, Any]] = weakref.WeakKeyDictionary()


@contextmanager
def styled_figure(style: Style, size: tuple[float, float], dpi: float) -> Iterator[Figure]:
    """A new Figure on an Agg canvas, with ``style``'s rcParams (BASE_RC, sizes, theme
    colours) in force inside the block; :func:`save_figure` later draws it under the same."""
    rc = dict(BASE_RC)
    t = style.theme
    rc.update({
        "font.family": style.family,
        "axes.edgecolor": t.ink,
        "axes.labelcolor": t.ink,
        "xtick.color": t.ink,
        "ytick.color": t.ink,
        "text.color": t.ink,
        "figure.facecolor": t.paper,
        "axes.facecolor": t.paper,
        "savefig.facecolor": t.paper,
        "hatch.color": t.ink,
        "font.size": style.font,
        "axes.labelsize": style.font,
        "xtick.labelsize": style.font * 0.93,
        "ytick.labelsize": style.font * 0.93,
        "legend.fontsize": style.text(0.8),
        "figure.titlesize": style.font * 1.25,
        "axes.linewidth": style.font / 12,
        "xtick.major.width": style.font / 12,
        "ytick.major.width": style.font / 12,
    })
    with matplotlib.rc_context(cast(Any, rc)):
        fig = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(fig)
        _DRAW_RC[fig] = rc
        yield fig


def drawing_rc(fig: Figure) -> dict[str, Any]:
    """The rcParams :func:`save_figure` draws ``fig`` under: those it was built with,
    or :data:`BASE_RC` for a figure made elsewhere."""
    return _DRAW_RC.get(fig, BASE_RC)


def _values(points: list[Marker]) -> list[float]:
    return [m.value if m.value is not None else float("nan") for m in points]


def _num(d: date) -> float:
    return float(mdates.date2num(d))


SIZES: dict[str, tuple[float, float]] = {
    "slide": SLIDE_SIZE,
    "slide-4x3": (10.0, 7.5),
    "a4": (11.69, 8.27),
    "column": (3.5, 3.2),
    "double-column": (7.2, 4.5),
}


def parse_size(text: str) -> tuple[float, float]:
    """A size preset (``slide``, ``slide-4x3``, ``a4``, ``column``, ``double-column``)
    or ``WIDTHxHEIGHT`` in inches."""
    key = text.strip().casefold()
    if key in SIZES:
        return SIZES[key]
    parts = key.split("x")
    try:
        w, h = (float(p) for p in parts)
    except ValueError:
        raise OptionError(
            f"--size '{text}': use a preset ({', '.join(SIZES)}) or WIDTHxHEIGHT in inches, "
            "e.g. 10x6") from None
    if not (2 <= w <= 50 and 1.5 <= h <= 50):
        raise OptionError(f"--size '{text}': width 2-50 in and height 1.5-50 in, please")
    return (w, h)


def render_plan(
    plan: TimelinePlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str | Theme = "light",
    font_family: str | None = None,
    font_scale: float = 1.0,
) -> Figure:
    """Draw a plan onto a new :class:`~matplotlib.figure.Figure`.

    Parameters
    ----------
    plan : TimelinePlan
        From :func:`nmo_timeline.layout.plan_timeline`.
    size : (float, float)
        Width and height in inches (default: a 16:9 slide, 13.33 x 7.5).
    dpi : int
        Resolution for raster output.
    theme : {"light", "dark", "print"} or Theme
        Colours; ``print`` is greyscale-safe with a hatch per lane.
    font_family, font_scale
        Font family and a factor on the size-derived font size.
    """
    th = get_theme(theme) if isinstance(theme, str) else theme
    style = Style.for_canvas(*size, theme=th, family=font_family, font_scale=font_scale)
    with styled_figure(style, size, dpi) as fig:
        axes = fig.subplots(
            len(plan.panels), 1, sharex=True, squeeze=False,
            gridspec_kw={"height_ratios": panel_heights(plan)},
        )[:, 0]
        drawer = _Drawer(fig, plan, style)
        for ax, panel in zip(axes, plan.panels, strict=False):
            drawer.draw(ax, panel)
        drawer.finish(list(axes))
        resolve_collisions(fig)
    return fig


class _Drawer:
    def __init__(self, fig: Figure, plan: TimelinePlan, style: Style):
        self.fig = fig
        self.plan = plan
        self.style = style
        self.legend: dict[str, Any] = {}
        self.theme = style.theme

    def draw(self, ax: Axes, panel: str) -> None:
        ax.set_gid(f"panel:{panel}")
        if panel == PANEL_EDSS:
            self.edss(ax)
        elif panel == PANEL_THERAPY:
            self.therapy(ax)
        elif panel == PANEL_RELAPSE:
            self.relapse(ax)
        elif panel == PANEL_MRI:
            self.mri(ax)
        elif panel == PANEL_PERIODS:
            self.periods(ax)
        else:
            self.lab(ax, panel.split(":", 1)[1])

    # -- panels ---------------------------------------------------------------
    def edss(self, ax: Axes) -> None:
        pts = self.plan.edss
        x = [_num(m.day) for m in pts]
        y = _values(pts)
        ink, paper = self.theme.ink, self.theme.paper
        ax.step(x, y, where="post", color=ink, linewidth=self.style.font / 5, gid="edss-step")
        ax.plot(x, y, linestyle="none", marker="o", markersize=self.style.font * 0.5,
                color=ink, markerfacecolor=paper, markeredgewidth=self.style.font / 8,
                gid="edss-points", zorder=3)
        ax.set_ylim(0, 10)
        ax.set_yticks([0, 2, 4, 6, 8, 10] if self.style.height >= 5 else [0, 5, 10])
        ax.set_ylabel("EDSS")
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)
        ax.set_axisbelow(True)
        self._guides(ax)

    def therapy(self, ax: Axes) -> None:
        lanes = self.plan.lanes
        n = len(lanes)
        bar_h = 0.62
        ms = self.style.font * 1.35
        t = self.theme
        maint = [lane.key for lane in lanes if lane.role != ACUTE]
        for i, lane in enumerate(lanes):
            y = n - 1 - i
            acute = lane.role == ACUTE
            colour = t.therapy(lane.colour, maint.index(lane.key) if not acute else -1,
                               len(maint))
            hatch = t.hatch(i, acute)
            if lane.bars:
                min_days = (self.plan.x_max - self.plan.x_min).days * MIN_BAR_FRACTION
                spans = [(_num(b.start), max(_num(b.stop) - _num(b.start), min_days))
                         for b in lane.bars]
                ax.broken_barh(spans, (y - bar_h / 2, bar_h), facecolors=colour,
                               edgecolors=t.ink if hatch else colour,
                               hatch=hatch or None, linewidth=0.8,
                               gid=f"bars:{lane.key}")
                for b in lane.bars:
                    if b.ongoing:
                        ax.plot([_num(b.stop)], [y], marker=">", markersize=ms * 0.75,
                                color=colour, markeredgecolor=t.ink, linestyle="none",
                                clip_on=self.plan.windowed, gid=f"ongoing:{lane.key}")
                    self._bar_label(ax, b.start, b.stop, y, b.label, colour)
            if lane.ticks:
                # single administrations: a tick as tall as a bar, a fixed width in points
                ax.vlines([_num(tk.day) for tk in lane.ticks], y - bar_h / 2, y + bar_h / 2,
                          linewidth=self.style.font / 4.5, color=colour,
                          gid=f"ticks:{lane.key}")
                if lane.note:
                    last = max(tk.day for tk in lane.ticks)
                    ax.annotate(lane.note, (_num(last), y), xytext=(self.style.font * 0.8, 0),
                                textcoords="offset points", va="center", ha="left",
                                fontsize=self.style.text(0.75), color=t.ink,
                                gid=f"note:{lane.key}")
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_yticks(range(n))
        ax.set_yticklabels([lane.label for lane in reversed(lanes)])
        for label, lane in zip(ax.get_yticklabels(), reversed(lanes), strict=False):
            if lane.role == ACUTE:
                label.set_fontstyle("italic")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        self._guides(ax)
        if any(lane.role == ACUTE for lane in lanes):
            self.legend["acute"] = Patch(facecolor=t.therapy("#A0A0A0"), edgecolor=t.ink,
                                         hatch="////", label="acute treatment")

    def _bar_label(self, ax: Axes, start: date, stop: date, y: float, text: str,
                   colour: str) -> None:
        if not text:
            return
        span = (self.plan.x_max - self.plan.x_min).days
        axes_in = self.style.width * 0.78
        bar_in = (stop - start).days / span * axes_in
        size = self.style.text(0.72)
        text_in = len(text) * size * 0.6 / 72 + 0.15
        if bar_in < text_in:
            return
        boxed = self.theme.greyscale  # print: hatched bars, so the label sits on paper
        ax.annotate(text, (_num(start), y), xytext=(size * 0.5, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=size,
                    color=self.theme.ink if boxed else _text_on(colour), gid="bar-label",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": self.theme.paper,
                          "edgecolor": "none"} if boxed else None)

    def relapse(self, ax: Axes) -> None:
        ms = self.style.font * 0.75
        seen = []
        for syn in SYNDROMES:
            pts = [m for m in self.plan.relapses if m.group == syn]
            if not pts:
                continue
            seen.append(syn)
            ax.plot([_num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=SYNDROMES[syn][1], markersize=ms, color=self.theme.relapse,
                    markeredgecolor=self.theme.ink, markeredgewidth=0.8, gid=f"relapse:{syn}",
                    clip_on=self.plan.windowed)
        for syn in seen:
            name, marker = SYNDROMES[syn]
            self.legend[f"relapse:{syn}"] = Line2D(
                [], [], linestyle="none", marker=marker, markersize=ms * 0.85,
                color=self.theme.relapse, markeredgecolor=self.theme.ink, label=name)
        self._lane_axis(ax, "Relapses")

    def mri(self, ax: Axes) -> None:
        ms = self.style.font * 0.75
        ink, paper = self.theme.ink, self.theme.paper
        edge, face = self.theme.unknown_edge, self.theme.unknown_face
        active = [m for m in self.plan.mri if m.group == "active"]
        quiet = [m for m in self.plan.mri if m.group == "quiet"]
        unknown = [m for m in self.plan.mri if m.group == "unknown"]
        if active:
            ax.plot([_num(m.day) for m in active], [0] * len(active), linestyle="none",
                    marker="o", markersize=ms, color=ink, gid="mri:active",
                    clip_on=self.plan.windowed)
            self.legend["mri:active"] = Line2D([], [], linestyle="none", marker="o",
                                               markersize=ms * 0.85, color=ink,
                                               label="MRI active")
        if quiet:
            ax.plot([_num(m.day) for m in quiet], [0] * len(quiet), linestyle="none",
                    marker="o", markersize=ms, color=ink, markerfacecolor=paper,
                    markeredgewidth=self.style.font / 8, gid="mri:quiet",
                    clip_on=self.plan.windowed)
            self.legend["mri:quiet"] = Line2D([], [], linestyle="none", marker="o",
                                              markersize=ms * 0.85, color=ink,
                                              markerfacecolor=paper, label="MRI quiet")
        if unknown:
            ax.plot([_num(m.day) for m in unknown], [0] * len(unknown), linestyle="none",
                    marker="o", markersize=ms, color=edge, markerfacecolor=face,
                    gid="mri:unknown", clip_on=self.plan.windowed)
            self.legend["mri:unknown"] = Line2D([], [], linestyle="none", marker="o",
                                                markersize=ms * 0.85, color=edge,
                                                markerfacecolor=face,
                                                label="MRI, activity n/a")
        self._lane_axis(ax, "MRI")

    def periods(self, ax: Axes) -> None:
        span = (self.plan.x_max - self.plan.x_min).days
        axes_in = self.style.width * 0.78
        size = self.style.text(0.72)
        for i, band in enumerate(self.plan.periods):
            a, b = _num(band.start), _num(band.stop)
            ax.axvspan(a, b, ymin=0.08, ymax=0.92, facecolor=self.theme.bands[i % 2],
                       edgecolor=self.theme.paper, linewidth=1.5, gid="period-band")
            width_in = (band.stop - band.start).days / span * axes_in
            for text in (f"{band.regimen}: {band.text}", band.text):
                if len(text) * size * 0.6 / 72 + 0.1 <= width_in:
                    ax.text((a + b) / 2, 0, text, ha="center", va="center", fontsize=size,
                            gid="period-arr")
                    break
        self._lane_axis(ax, "Periods")
        ax.get_lines()[-1].set_visible(False)  # no centre line behind the text

    def lab(self, ax: Axes, key: str) -> None:
        series = next(s for s in self.plan.labs if " ".join(s.name.casefold().split()) == key)
        x = [_num(m.day) for m in series.points]
        y = _values(series.points)
        ax.plot(x, y, color=self.theme.lab, marker="D", markersize=self.style.font * 0.45,
                linewidth=self.style.font / 7, gid=f"lab:{key}")
        top = series.top or max(y, default=0.0)
        headroom = 1.45 + 0.25 * max(0.0, SLIDE_SIZE[1] / self.style.height - 1)
        ax.set_ylim(0, top * headroom if top > 0 else 1)
        ax.set_ylabel(series.label.replace(" (", "\n("), fontsize=self.style.text(0.85))
        if len(series.points) <= 12:
            for m in series.points:
                ax.annotate(f"{m.value:g}", (_num(m.day), m.value), xytext=(0, 6),
                            textcoords="offset points", ha="center", va="bottom",
                            fontsize=self.style.text(0.72), gid="lab-value")
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)
        ax.locator_params(axis="y", nbins=3 if self.style.height >= 5 else 2)

    # -- helpers --------------------------------------------------------------
    def _lane_axis(self, ax: Axes, label: str) -> None:
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([0])
        ax.set_yticklabels([label])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.axhline(0, color=self.theme.faint, linewidth=0.8, zorder=0)

    def _guides(self, ax: Axes) -> None:
        """Dashed lines at each relapse across the panel: one collection, not one line each."""
        if not self.plan.relapse_days:
            return
        segments = [[(_num(d), 0.0), (_num(d), 1.0)] for d in self.plan.relapse_days]
        ax.add_collection(
            LineCollection(segments, colors=self.theme.guide_colour,
                           alpha=self.theme.guide_alpha, linewidths=self.style.font / 10,
                           linestyles=[(0, (4, 3))], zorder=0,
                           transform=ax.get_xaxis_transform(), gid="relapse-guide"),
            autolim=False)

    def _calendar_row(self, bottom: Axes, max_ticks: int) -> float:
        """Calendar years under relative time; returns the height it needs (inches)."""
        gap = self.style.font * 2.6  # points below the axis: under tick labels and xlabel
        sec = bottom.secondary_xaxis("bottom")
        sec.set_gid("calendar-row")
        sec.spines["bottom"].set_position(("outward", gap))
        sec.spines["bottom"].set_visible(False)
        years = max(1, round((self.plan.x_max - self.plan.x_min).days / 365.25 / max_ticks))
        sec.xaxis.set_major_locator(mdates.YearLocator(base=years))
        sec.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        sec.tick_params(axis="x", length=0, labelsize=self.style.text(0.75),
                        labelcolor=self.theme.unknown_edge)
        return (gap + self.style.text(0.75) * 1.4) / 72

    def _callouts(self, axes: list[Axes]) -> None:
        top = axes[0]
        for day, label in self.plan.callouts:
            x = _num(day)
            for ax in axes:
                ax.axvline(x, color=self.theme.ink, linewidth=self.style.font / 10,
                           linestyle=(0, (2, 2)), zorder=1, gid="callout-line")
            top.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(0, -self.style.font * 0.3), textcoords="offset points",
                         ha="center", va="top", fontsize=self.style.text(0.8),
                         color=self.theme.ink, gid="callout",
                         bbox={"boxstyle": "round,pad=0.25", "facecolor": self.theme.paper,
                               "edgecolor": self.theme.ink, "linewidth": 0.6})

    def finish(self, axes: list[Axes]) -> None:
        bottom = axes[-1]
        bottom.set_xlim(_num(self.plan.x_min), _num(self.plan.x_max))
        max_ticks = max(3, min(10, int(self.style.width * 0.78 / (self.style.font * 4.2 / 72))))
        extra_bottom = 0.0
        axis = self.plan.axis
        if axis.relative:
            assert axis.anchor is not None
            origin, scale = _num(axis.anchor), axis.unit_days
            lo = (_num(self.plan.x_min) - origin) / scale
            hi = (_num(self.plan.x_max) - origin) / scale
            steps = [1, 2, 2.5, 5, 10] if axis.unit == "years" else [1, 2, 3, 5, 6, 10]
            values = MaxNLocator(nbins=max_ticks, steps=steps).tick_values(lo, hi)
            bottom.xaxis.set_major_locator(FixedLocator([origin + v * scale for v in values]))
            bottom.xaxis.set_major_formatter(
                FuncFormatter(lambda x, _pos: f"{round((x - origin) / scale, 6):g}"))
            bottom.set_xlabel(axis.label)
            for ax in axes:
                ax.axvline(origin, color=self.theme.ink, linewidth=0.8, alpha=0.5,
                           linestyle=(0, (1, 2)), zorder=0, gid="anchor")
            if axis.calendar_row:
                extra_bottom = self._calendar_row(bottom, max_ticks)
        else:
            locator = mdates.AutoDateLocator(minticks=min(4, max_ticks), maxticks=max_ticks)
            bottom.xaxis.set_major_locator(locator)
            bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        self._callouts(axes)
        for ax in axes[:-1]:  # the shared time axis is drawn once, under the bottom panel
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
        title = self.fig.suptitle(self.plan.title, fontweight="bold") if self.plan.title else None
        order = ["acute"] + [f"relapse:{s}" for s in SYNDROMES] + [
            "mri:active", "mri:quiet", "mri:unknown"]
        handles = [self.legend[k] for k in order if k in self.legend]

        def legend(ncol: int) -> Legend:
            return self.fig.legend(handles=handles, loc="lower center", ncol=ncol,
                                   frameon=False, handletextpad=0.3, columnspacing=1.2,
                                   numpoints=1)

        # a short stack (a few lanes, no EDSS) is not stretched to the whole canvas
        block = sum(panel_heights(self.plan)) * MAX_IN_PER_UNIT * self.style.font / 15
        fit_layout(self.fig, axes, legend=legend, legend_entries=len(handles), title=title,
                   extra_bottom_in=extra_bottom, max_block_in=block)



def _text_on(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#FFFFFF" if luminance < 0.45 else INK


def output_format(path: str | Path) -> str:
    """The figure format named by ``path``'s extension (png, svg or pdf)."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        shown = f"'.{ext}'" if ext else "no extension"
        raise OptionError(
            f"{path}: cannot write {shown}; the output must end in .png, .svg or .pdf")
    return ext


def save_figure(
    fig: Figure, path: str | Path, *, dpi: int | None = None, transparent: bool = False
) -> Path:
    """Save ``fig`` atomically: write a temporary file beside ``path``, then rename.

    An existing file at ``path`` is replaced only once the new one is complete;
    on any failure no partial file is left behind.  Metadata carries no
    creation date, so the same input gives the same bytes.  PNG is written by
    pypng from matplotlib's Agg pixels (the same pixels as ``fig.savefig``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        From :func:`nmo_timeline.plot_timeline` or any other Figure.
    path : str or Path
        Output file; ``.png``, ``.svg`` or ``.pdf`` (the format follows it).
    dpi : int, optional
        Resolution for PNG (default: the figure's).
    transparent : bool
        Transparent background; the default is opaque, because slide software
        often loses transparency.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OptionError
        For an unsupported extension, a missing or unwritable folder.
    """
    out = Path(path)
    fmt = output_format(out)
    facecolor = "none" if transparent else fig.get_facecolor()
    with atomic_output(out) as fh, matplotlib.rc_context(cast(Any, drawing_rc(fig))):
        if fmt == "png":
            _write_png(fig, fh, dpi=dpi or fig.dpi, transparent=transparent, facecolor=facecolor)
        else:
            metadata = {"svg": {"Date": None, "Creator": None},
                        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                                "Creator": None}}[fmt]
            fig.savefig(fh, format=fmt, dpi=dpi or fig.dpi, metadata=metadata,
                        transparent=transparent, facecolor=facecolor)
    return out


def _write_png(fig: Figure, fh: IO[bytes], *, dpi: float, transparent: bool,
               facecolor: Any) -> None:
    """Render ``fig`` to RGBA with Agg and write it as PNG with pypng.

    matplotlib's own PNG path goes through Pillow, which tries five row filters
    on every row; for a slide that is most of the saving time.  pypng writes
    the rows unfiltered and compresses them at zlib level 1: the same pixels and
    pHYs (dpi) chunk, no text chunks, about 2.5 times faster for a similar size.
    """
    import png  # pypng

    sink = _RawSink()
    fig.savefig(sink, format="raw", dpi=dpi, transparent=transparent, facecolor=facecolor)
    pixels, width, height = sink.rgba()
    per_metre = int(dpi / 0.0254 + 0.5)
    # 64 KiB IDAT chunks: pypng's row buffer stays below glibc's mmap threshold and is
    # reused; its default 1 MiB chunks cost about 500 more page faults per slide
    png.Writer(width, height, greyscale=False, alpha=True, bitdepth=8, compression=1,
               x_pixels_per_unit=per_metre, y_pixels_per_unit=per_metre,
               unit_is_meter=True, chunk_limit=2**16).write_array(fh, pixels)


class _RawSink(io.BytesIO):
    """A file for ``savefig(format="raw")`` that keeps a view of Agg's RGBA buffer
    (rows x columns x 4) instead of copying its 16 MB."""

    def __init__(self) -> None:
        super().__init__()
        self._view: memoryview | None = None

    def write(self, data: Any) -> int:
        if self._view is not None:
            raise RuntimeError("matplotlib wrote the raw image in pieces")
        self._view = memoryview(data)
        return self._view.nbytes

    def rgba(self) -> tuple[memoryview, int, int]:
        """The pixels as one flat run of bytes, the width and the height."""
        view = self._view
        if view is None or view.shape is None or len(view.shape) != 3 or view.shape[2] != 4:
            raise RuntimeError("matplotlib did not hand over an RGBA image buffer")
        height, width, _ = view.shape
        return view.cast("B"), width, height
