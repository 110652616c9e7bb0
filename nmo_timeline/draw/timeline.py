"""Draw a :class:`~nmo_timeline.plan.timeline.TimelinePlan` onto a matplotlib Figure.

One method per panel, in the order the plan lists them; what to draw and how it
is labelled comes from the plan, how it is coloured from the theme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from matplotlib import dates as mdates
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from ..plan.options import SLIDE_SIZE, FigureOptions
from ..plan.timeline import LegendEntry, Marker, Panel, PanelKey, TimelinePlan, panel_heights
from .figure import Style, num, styled_figure
from .fit import fit_layout, resolve_collisions
from .themes import get_theme

MIN_BAR_FRACTION = 0.004  # short episodes stay visible: at least 0.4 % of the axis
MAX_IN_PER_UNIT = 1.1  # inches per unit of panel height (a lane is 0.62 units) at 15 pt
BAR_HEIGHT = 0.62


def render_plan(plan: TimelinePlan, options: FigureOptions | None = None,
                **changes: Any) -> Figure:
    """Draw a plan onto a new :class:`~matplotlib.figure.Figure`.

    Parameters
    ----------
    plan : TimelinePlan
        From :func:`nmo_timeline.plan_timeline`.
    options : FigureOptions, optional
        Size, resolution, theme and font (the style file's); defaults otherwise.
    **changes
        Single options by name, on top of ``options`` (``theme="dark"``).
    """
    opt = FigureOptions.of(options, **changes)
    style = Style.for_canvas(*opt.size, theme=get_theme(opt.theme), family=opt.font_family,
                             font_scale=opt.font_scale)
    with styled_figure(style, opt.size, opt.dpi) as fig:
        axes = fig.subplots(
            len(plan.panels), 1, sharex=True, squeeze=False,
            gridspec_kw={"height_ratios": panel_heights(plan)},
        )[:, 0]
        drawer = _Drawer(fig, plan, style)
        for ax, key in zip(axes, plan.panels, strict=True):
            drawer.draw(ax, key)
        drawer.finish(list(axes))
        resolve_collisions(fig)
    return fig


def _values(points: list[Marker]) -> list[float]:
    return [m.value if m.value is not None else float("nan") for m in points]


class _Drawer:
    def __init__(self, fig: Figure, plan: TimelinePlan, style: Style):
        self.fig = fig
        self.plan = plan
        self.style = style
        self.theme = style.theme
        self.panels: dict[Panel, Callable[[Axes, PanelKey], None]] = {
            Panel.edss: self.edss, Panel.therapy: self.therapy, Panel.relapse: self.relapse,
            Panel.mri: self.mri, Panel.periods: self.periods, Panel.lab: self.lab}

    def draw(self, ax: Axes, key: PanelKey) -> None:
        ax.set_gid(key.gid)
        self.panels[key.kind](ax, key)

    # -- panels ---------------------------------------------------------------
    def edss(self, ax: Axes, key: PanelKey) -> None:
        pts = self.plan.edss
        x = [num(m.day) for m in pts]
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

    def therapy(self, ax: Axes, key: PanelKey) -> None:
        lanes = self.plan.lanes
        n = len(lanes)
        ms = self.style.font * 1.35
        t = self.theme
        paints = t.lane_paints([(lane.colour, lane.acute) for lane in lanes])
        min_days = (self.plan.x_max - self.plan.x_min).days * MIN_BAR_FRACTION
        for i, (lane, paint) in enumerate(zip(lanes, paints, strict=True)):
            y = n - 1 - i
            if lane.bars:
                spans = [(num(b.start), max(num(b.stop) - num(b.start), min_days))
                         for b in lane.bars]
                ax.broken_barh(spans, (y - BAR_HEIGHT / 2, BAR_HEIGHT), facecolors=paint.face,
                               edgecolors=paint.edge, hatch=paint.hatch or None, linewidth=0.8,
                               gid=f"bars:{lane.key}")
                for b in lane.bars:
                    if b.ongoing:
                        ax.plot([num(b.stop)], [y], marker=">", markersize=ms * 0.75,
                                color=paint.face, markeredgecolor=t.ink, linestyle="none",
                                clip_on=self.plan.windowed, gid=f"ongoing:{lane.key}")
                    self._bar_label(ax, b.start, b.stop, y, b.label, paint.face)
            if lane.ticks:
                # single administrations: a tick as tall as a bar, a fixed width in points
                ax.vlines([num(tk.day) for tk in lane.ticks], y - BAR_HEIGHT / 2,
                          y + BAR_HEIGHT / 2, linewidth=self.style.font / 4.5, color=paint.face,
                          gid=f"ticks:{lane.key}")
                if lane.note:
                    last = max(tk.day for tk in lane.ticks)
                    ax.annotate(lane.note, (num(last), y), xytext=(self.style.font * 0.8, 0),
                                textcoords="offset points", va="center", ha="left",
                                fontsize=self.style.text(0.75), color=t.ink,
                                gid=f"note:{lane.key}")
        ax.set_ylim(-0.6, n - 0.4)
        ax.set_yticks(range(n))
        ax.set_yticklabels([lane.label for lane in reversed(lanes)])
        for label, paint in zip(ax.get_yticklabels(), reversed(paints), strict=True):
            if paint.italic:
                label.set_fontstyle("italic")
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        self._guides(ax)

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
        ax.annotate(text, (num(start), y), xytext=(size * 0.5, 0), textcoords="offset points",
                    va="center", ha="left", fontsize=size,
                    color=self.theme.ink if boxed else self.theme.text_on(colour),
                    gid="bar-label",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": self.theme.paper,
                          "edgecolor": "none"} if boxed else None)

    def relapse(self, ax: Axes, key: PanelKey) -> None:
        ms = self.style.font * 0.75
        groups: dict[str, list[Marker]] = {}
        for m in self.plan.relapses:
            groups.setdefault(m.group, []).append(m)
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            if kind != "relapse":
                continue
            pts = groups[group]
            ax.plot([num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=entry.marker, markersize=ms, color=self.theme.relapse,
                    markeredgecolor=self.theme.ink, markeredgewidth=0.8,
                    gid=f"relapse:{group}", clip_on=self.plan.windowed)
        self._lane_axis(ax, "Relapses")

    def mri(self, ax: Axes, key: PanelKey) -> None:
        ms = self.style.font * 0.75
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            if kind != "mri":
                continue
            pts = [m for m in self.plan.mri if m.group == group]
            colour, face = self._mri_colours(group)
            extra = {"markeredgewidth": self.style.font / 8} if group == "quiet" else {}
            ax.plot([num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=entry.marker, markersize=ms, color=colour, markerfacecolor=face,
                    gid=f"mri:{group}", clip_on=self.plan.windowed, **extra)
        self._lane_axis(ax, "MRI")

    def _mri_colours(self, group: str) -> tuple[str, str]:
        """(edge, face) of an MRI marker: filled ink, open paper, or grey when unknown."""
        t = self.theme
        return {"active": (t.ink, t.ink), "quiet": (t.ink, t.paper),
                "unknown": (t.unknown_edge, t.unknown_face)}[group]

    def periods(self, ax: Axes, key: PanelKey) -> None:
        span = (self.plan.x_max - self.plan.x_min).days
        axes_in = self.style.width * 0.78
        size = self.style.text(0.72)
        for i, band in enumerate(self.plan.periods):
            a, b = num(band.start), num(band.stop)
            ax.axvspan(a, b, ymin=0.08, ymax=0.92, facecolor=self.theme.bands[i % 2],
                       edgecolor=self.theme.paper, linewidth=1.5, gid="period-band")
            width_in = (band.stop - band.start).days / span * axes_in
            for text in band.texts:
                if len(text) * size * 0.6 / 72 + 0.1 <= width_in:
                    ax.text((a + b) / 2, 0, text, ha="center", va="center", fontsize=size,
                            gid="period-arr")
                    break
        self._lane_axis(ax, "Periods")
        ax.get_lines()[-1].set_visible(False)  # no centre line behind the text

    def lab(self, ax: Axes, key: PanelKey) -> None:
        series = self.plan.lab(key.lab)
        x = [num(m.day) for m in series.points]
        y = _values(series.points)
        ax.plot(x, y, color=self.theme.lab, marker="D", markersize=self.style.font * 0.45,
                linewidth=self.style.font / 7, gid=f"lab:{key.lab}")
        top = series.top or max(y, default=0.0)
        headroom = 1.45 + 0.25 * max(0.0, SLIDE_SIZE[1] / self.style.height - 1)
        ax.set_ylim(0, top * headroom if top > 0 else 1)
        ax.set_ylabel(series.label.replace(" (", "\n("), fontsize=self.style.text(0.85))
        if len(series.points) <= 12:
            for m in series.points:
                ax.annotate(f"{m.value:g}", (num(m.day), m.value), xytext=(0, 6),
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
        segments = [[(num(d), 0.0), (num(d), 1.0)] for d in self.plan.relapse_days]
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
            x = num(day)
            for ax in axes:
                ax.axvline(x, color=self.theme.ink, linewidth=self.style.font / 10,
                           linestyle=(0, (2, 2)), zorder=1, gid="callout-line")
            top.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(0, -self.style.font * 0.3), textcoords="offset points",
                         ha="center", va="top", fontsize=self.style.text(0.8),
                         color=self.theme.ink, gid="callout",
                         bbox={"boxstyle": "round,pad=0.25", "facecolor": self.theme.paper,
                               "edgecolor": self.theme.ink, "linewidth": 0.6})

    def _legend_handle(self, entry: LegendEntry) -> Artist:
        ms = self.style.font * 0.75 * 0.85
        t = self.theme
        if not entry.marker:
            paint = t.acute_paint
            return Patch(facecolor=paint.face, edgecolor=paint.edge, hatch=paint.hatch,
                         label=entry.label)
        kind, _, group = entry.key.partition(":")
        if kind == "relapse":
            return Line2D([], [], linestyle="none", marker=entry.marker, markersize=ms,
                          color=t.relapse, markeredgecolor=t.ink, label=entry.label)
        colour, face = self._mri_colours(group)
        return Line2D([], [], linestyle="none", marker=entry.marker, markersize=ms,
                      color=colour, markerfacecolor=face, label=entry.label)

    def finish(self, axes: list[Axes]) -> None:
        bottom = axes[-1]
        bottom.set_xlim(num(self.plan.x_min), num(self.plan.x_max))
        max_ticks = max(3, min(10, int(self.style.width * 0.78 / (self.style.font * 4.2 / 72))))
        extra_bottom = 0.0
        axis = self.plan.axis
        if axis.relative:
            assert axis.anchor is not None
            origin, scale = num(axis.anchor), axis.unit_days
            lo = (num(self.plan.x_min) - origin) / scale
            hi = (num(self.plan.x_max) - origin) / scale
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
        handles = [self._legend_handle(entry) for entry in self.plan.legend]

        def legend(ncol: int) -> Legend:
            return self.fig.legend(handles=handles, loc="lower center", ncol=ncol,
                                   frameon=False, handletextpad=0.3, columnspacing=1.2,
                                   numpoints=1)

        # a short stack (a few lanes, no EDSS) is not stretched to the whole canvas
        block = sum(panel_heights(self.plan)) * MAX_IN_PER_UNIT * self.style.font / 15
        fit_layout(self.fig, axes, legend=legend, legend_entries=len(handles), title=title,
                   extra_bottom_in=extra_bottom, max_block_in=block)
