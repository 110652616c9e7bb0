"""Render: a :class:`~nmo_timeline.layout.TimelinePlan` -> matplotlib Figure.

Object-oriented API only (``matplotlib.figure.Figure``), no pyplot state.
One method per panel, in the order the plan lists them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import matplotlib
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .errors import OptionError
from .fit import fit_layout
from .layout import (
    PANEL_EDSS,
    PANEL_MRI,
    PANEL_PERIODS,
    PANEL_RELAPSE,
    PANEL_THERAPY,
    RELAPSE_COLOUR,
    SYNDROMES,
    Marker,
    TimelinePlan,
    panel_heights,
)

SLIDE_SIZE = (13.333, 7.5)
DEFAULT_DPI = 200
FORMATS = ("png", "svg", "pdf")
INK = "#1A1A1A"
GUIDE_ALPHA = 0.35
MIN_BAR_FRACTION = 0.004  # short episodes stay visible: at least 0.4 % of the axis

BASE_RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "svg.hashsalt": "nmo-timeline",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "hatch.linewidth": 1.0,
}


@dataclass(frozen=True)
class Style:
    """Sizes derived from the canvas so text stays readable at every size."""

    width: float
    height: float
    font: float

    @classmethod
    def for_canvas(cls, width: float, height: float) -> Style:
        scale = min(width / SLIDE_SIZE[0], height / SLIDE_SIZE[1])
        return cls(width, height, font=max(7.0, 15.0 * scale))


@contextmanager
def style_context(style: Style) -> Iterator[None]:
    rc = dict(BASE_RC)
    rc.update({
        "font.size": style.font,
        "axes.labelsize": style.font,
        "xtick.labelsize": style.font * 0.93,
        "ytick.labelsize": style.font * 0.93,
        "legend.fontsize": style.font * 0.8,
        "figure.titlesize": style.font * 1.25,
        "axes.linewidth": style.font / 12,
        "xtick.major.width": style.font / 12,
        "ytick.major.width": style.font / 12,
    })
    with matplotlib.rc_context(cast(Any, rc)):
        yield


def _values(points: list[Marker]) -> list[float]:
    return [m.value if m.value is not None else float("nan") for m in points]


def _num(d: date) -> float:
    return float(mdates.date2num(d))


def render_plan(
    plan: TimelinePlan, *, size: tuple[float, float] = SLIDE_SIZE, dpi: int = DEFAULT_DPI
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
    """
    style = Style.for_canvas(*size)
    with style_context(style):
        fig = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(fig)
        axes = fig.subplots(
            len(plan.panels), 1, sharex=True, squeeze=False,
            gridspec_kw={"height_ratios": panel_heights(plan)},
        )[:, 0]
        drawer = _Drawer(fig, plan, style)
        for ax, panel in zip(axes, plan.panels, strict=False):
            drawer.draw(ax, panel)
        drawer.finish(list(axes))
    return fig


class _Drawer:
    def __init__(self, fig: Figure, plan: TimelinePlan, style: Style):
        self.fig = fig
        self.plan = plan
        self.style = style
        self.legend: dict[str, Any] = {}

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
        ax.step(x, y, where="post", color=INK, linewidth=self.style.font / 5, gid="edss-step")
        ax.plot(x, y, linestyle="none", marker="o", markersize=self.style.font * 0.5,
                color=INK, markerfacecolor="white", markeredgewidth=self.style.font / 8,
                gid="edss-points", zorder=3)
        ax.set_ylim(0, 10)
        ax.set_yticks([0, 2, 4, 6, 8, 10])
        ax.set_ylabel("EDSS")
        ax.grid(axis="y", color="#D9D9D9", linewidth=0.8)
        ax.set_axisbelow(True)
        self._guides(ax)

    def therapy(self, ax: Axes) -> None:
        lanes = self.plan.lanes
        n = len(lanes)
        bar_h = 0.62
        ms = self.style.font * 1.35
        for i, lane in enumerate(lanes):
            y = n - 1 - i
            if lane.bars:
                min_days = (self.plan.x_max - self.plan.x_min).days * MIN_BAR_FRACTION
                spans = [(_num(b.start), max(_num(b.stop) - _num(b.start), min_days))
                         for b in lane.bars]
                ax.broken_barh(spans, (y - bar_h / 2, bar_h), facecolors=lane.colour,
                               edgecolors=INK if lane.hatch else lane.colour,
                               hatch=lane.hatch or None, linewidth=0.8,
                               gid=f"bars:{lane.key}")
                for b in lane.bars:
                    if b.ongoing:
                        ax.plot([_num(b.stop)], [y], marker=">", markersize=ms * 0.75,
                                color=lane.colour, markeredgecolor=INK, linestyle="none",
                                clip_on=False, gid=f"ongoing:{lane.key}")
                    self._bar_label(ax, b.start, b.stop, y, b.label, lane.colour)
            if lane.ticks:
                # single administrations: a tick as tall as a bar, a fixed width in points
                ax.vlines([_num(t.day) for t in lane.ticks], y - bar_h / 2, y + bar_h / 2,
                          linewidth=self.style.font / 4.5, color=lane.colour,
                          gid=f"ticks:{lane.key}")
                if lane.note:
                    last = max(t.day for t in lane.ticks)
                    ax.annotate(lane.note, (_num(last), y), xytext=(self.style.font * 0.8, 0),
                                textcoords="offset points", va="center", ha="left",
                                fontsize=self.style.font * 0.75, color=INK,
                                gid=f"note:{lane.key}")
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_yticks(range(n))
        ax.set_yticklabels([lane.label for lane in reversed(lanes)])
        for label, lane in zip(ax.get_yticklabels(), reversed(lanes), strict=False):
            if lane.hatch:
                label.set_fontstyle("italic")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        self._guides(ax)
        if any(lane.hatch for lane in lanes):
            self.legend["acute"] = Patch(facecolor="#A0A0A0", edgecolor=INK, hatch="////",
                                         label="acute treatment")

    def _bar_label(self, ax: Axes, start: date, stop: date, y: float, text: str,
                   colour: str) -> None:
        if not text:
            return
        span = (self.plan.x_max - self.plan.x_min).days
        axes_in = self.style.width * 0.78
        bar_in = (stop - start).days / span * axes_in
        size = self.style.font * 0.72
        text_in = len(text) * size * 0.6 / 72 + 0.15
        if bar_in < text_in:
            return
        ax.annotate(text, (_num(start), y), xytext=(size * 0.5, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=size, color=_text_on(colour),
                    gid="bar-label")

    def relapse(self, ax: Axes) -> None:
        ms = self.style.font * 0.75
        seen = []
        for syn in SYNDROMES:
            pts = [m for m in self.plan.relapses if m.group == syn]
            if not pts:
                continue
            seen.append(syn)
            ax.plot([_num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=SYNDROMES[syn][1], markersize=ms, color=RELAPSE_COLOUR,
                    markeredgecolor=INK, markeredgewidth=0.8, gid=f"relapse:{syn}",
                    clip_on=False)
        for syn in seen:
            name, marker = SYNDROMES[syn]
            self.legend[f"relapse:{syn}"] = Line2D(
                [], [], linestyle="none", marker=marker, markersize=ms * 0.85,
                color=RELAPSE_COLOUR, markeredgecolor=INK, label=name)
        self._lane_axis(ax, "Relapses")

    def mri(self, ax: Axes) -> None:
        ms = self.style.font * 0.75
        active = [m for m in self.plan.mri if m.group == "active"]
        quiet = [m for m in self.plan.mri if m.group == "quiet"]
        unknown = [m for m in self.plan.mri if m.group == "unknown"]
        if active:
            ax.plot([_num(m.day) for m in active], [0] * len(active), linestyle="none",
                    marker="o", markersize=ms, color=INK, gid="mri:active", clip_on=False)
            self.legend["mri:active"] = Line2D([], [], linestyle="none", marker="o",
                                               markersize=ms * 0.85, color=INK,
                                               label="MRI active")
        if quiet:
            ax.plot([_num(m.day) for m in quiet], [0] * len(quiet), linestyle="none",
                    marker="o", markersize=ms, color=INK, markerfacecolor="white",
                    markeredgewidth=self.style.font / 8, gid="mri:quiet", clip_on=False)
            self.legend["mri:quiet"] = Line2D([], [], linestyle="none", marker="o",
                                              markersize=ms * 0.85, color=INK,
                                              markerfacecolor="white", label="MRI quiet")
        if unknown:
            ax.plot([_num(m.day) for m in unknown], [0] * len(unknown), linestyle="none",
                    marker="o", markersize=ms, color="#8C8C8C", markerfacecolor="#D9D9D9",
                    gid="mri:unknown", clip_on=False)
            self.legend["mri:unknown"] = Line2D([], [], linestyle="none", marker="o",
                                                markersize=ms * 0.85, color="#8C8C8C",
                                                markerfacecolor="#D9D9D9",
                                                label="MRI, activity n/a")
        self._lane_axis(ax, "MRI")

    def periods(self, ax: Axes) -> None:
        span = (self.plan.x_max - self.plan.x_min).days
        axes_in = self.style.width * 0.78
        size = self.style.font * 0.72
        for i, band in enumerate(self.plan.periods):
            a, b = _num(band.start), _num(band.stop)
            ax.axvspan(a, b, ymin=0.08, ymax=0.92, facecolor=("#EDEDED", "#DADADA")[i % 2],
                       edgecolor="white", linewidth=1.5, gid="period-band")
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
        ax.plot(x, y, color=LAB_COLOUR, marker="D", markersize=self.style.font * 0.45,
                linewidth=self.style.font / 7, gid=f"lab:{key}")
        top = max(y)
        ax.set_ylim(0, top * 1.35 if top > 0 else 1)
        ax.set_ylabel(series.label.replace(" (", "\n("), fontsize=self.style.font * 0.85)
        if len(series.points) <= 12:
            for m in series.points:
                ax.annotate(f"{m.value:g}", (_num(m.day), m.value), xytext=(0, 6),
                            textcoords="offset points", ha="center", va="bottom",
                            fontsize=self.style.font * 0.72, gid="lab-value")
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.8)
        ax.locator_params(axis="y", nbins=3)

    # -- helpers --------------------------------------------------------------
    def _lane_axis(self, ax: Axes, label: str) -> None:
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([0])
        ax.set_yticklabels([label])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.axhline(0, color="#D9D9D9", linewidth=0.8, zorder=0)

    def _guides(self, ax: Axes) -> None:
        for day in self.plan.relapse_days:
            ax.axvline(_num(day), color=RELAPSE_COLOUR, alpha=GUIDE_ALPHA,
                       linewidth=self.style.font / 10, linestyle=(0, (4, 3)), zorder=0,
                       gid="relapse-guide")

    def finish(self, axes: list[Axes]) -> None:
        bottom = axes[-1]
        bottom.set_xlim(_num(self.plan.x_min), _num(self.plan.x_max))
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        for ax in axes[:-1]:
            ax.tick_params(axis="x", length=0)
            ax.spines["bottom"].set_visible(False)
        title = self.fig.suptitle(self.plan.title, fontweight="bold") if self.plan.title else None
        order = ["acute"] + [f"relapse:{s}" for s in SYNDROMES] + [
            "mri:active", "mri:quiet", "mri:unknown"]
        handles = [self.legend[k] for k in order if k in self.legend]

        def legend(ncol: int) -> Legend:
            return self.fig.legend(handles=handles, loc="lower center", ncol=ncol,
                                   frameon=False, handletextpad=0.3, columnspacing=1.2,
                                   numpoints=1)

        fit_layout(self.fig, axes, legend=legend, legend_entries=len(handles), title=title)


LAB_COLOUR = "#3A3A3A"  # neutral: therapy colours stay unambiguous


def _text_on(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.45 else INK


def output_format(path: str | Path) -> str:
    """The figure format named by ``path``'s extension (png, svg or pdf)."""
    ext = Path(path).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        shown = f"'.{ext}'" if ext else "no extension"
        raise OptionError(
            f"{path}: cannot write {shown}; the output must end in .png, .svg or .pdf")
    return ext


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def save_figure(fig: Figure, path: str | Path, *, dpi: int | None = None) -> Path:
    """Save ``fig`` atomically: write a temporary file beside ``path``, then rename.

    An existing file at ``path`` is replaced only once the new one is complete;
    on any failure no partial file is left behind.  Metadata carries no
    creation date, so the same input gives the same bytes.
    """
    out = Path(path)
    fmt = output_format(out)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OptionError(f"{out}: the folder {parent} does not exist")
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }[fmt]
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=f".{fmt}.tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            style = Style.for_canvas(*fig.get_size_inches())
            with style_context(style):
                fig.savefig(fh, format=fmt, dpi=dpi or fig.dpi, metadata=metadata)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return out
