"""What each panel of the timeline draws, once its place and height are known.

One method per panel; what to draw and how it is labelled comes from the plan, how it
is coloured from the theme.  Sizes in points scale with the canvas (``Style``); a bar's
thickness follows the lane's height in inches, up to a cap, so short stacks do not
grow fat bars.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FixedLocator, NullLocator

from ..plan.timeline import Marker, PanelKey, TimelinePlan
from .figure import Style, num
from .themes import LanePaint, Paint

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase

BAR_SHARE = 0.62  # a bar's share of its lane's height
MAX_BAR_IN = 0.42  # at 15 pt: thicker bars only waste ink
MIN_BAR_FRACTION = 0.004  # short episodes stay visible: at least 0.4 % of the axis
EDSS_TICKS = ([0, 2, 4, 6, 8, 10], [0, 5, 10])


def values(points: list[Marker]) -> list[float]:
    return [m.value if m.value is not None else float("nan") for m in points]


class Panels:
    """Draws the panels of one figure; collects the labels it had to leave out."""

    def __init__(self, plan: TimelinePlan, style: Style, renderer: RendererBase, dpi: float,
                 axes_width_in: float, lane_labels: list[str], paints: list[LanePaint],
                 span_days: float, lane_pt: float | None = None, compact_labs: bool = False):
        self.plan = plan
        self.style = style
        self.theme = style.theme
        self.renderer = renderer
        self.dpi = dpi
        self.axes_width_in = axes_width_in
        self.lane_labels = lane_labels
        self.paints = paints
        self.left_out: list[tuple[str, str]] = []  # (what, where)
        self.span = max(span_days, 1.0)  # the time axis' length in days
        self.lane_pt = lane_pt  # lane labels smaller than the tick labels, to fit
        self.compact_labs = compact_labs or plan.compact_labs

    def width_in(self, text: str, size: float) -> float:
        prop = FontProperties(family=self.style.family, size=size)
        w, _, _ = self.renderer.get_text_width_height_descent(text, prop, ismath=False)
        return float(w) / self.dpi

    def days_in(self, days: float) -> float:
        """A length of time as inches along the axis."""
        return days / self.span * self.axes_width_in

    # -- panels ---------------------------------------------------------------
    def edss(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        pts = self.plan.edss
        x = [num(m.day) for m in pts]
        y = values(pts)
        ink, paper = self.theme.ink, self.theme.paper
        ax.step(x, y, where="post", color=ink, linewidth=self.style.font / 5, gid="edss-step")
        ax.plot(x, y, linestyle="none", marker="o", markersize=self.style.font * 0.5,
                color=ink, markerfacecolor=paper, markeredgewidth=self.style.font / 8,
                gid="edss-points", zorder=3)
        ax.set_ylim(0, 10)
        line_in = self.style.font * 0.93 * 1.25 / 72
        ticks = EDSS_TICKS[0] if height_in / 5 >= line_in * 1.05 else EDSS_TICKS[1]
        ax.set_yticks(ticks)
        self.side_label(ax, "EDSS")
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)
        ax.set_axisbelow(True)
        self.guides(ax)

    def therapy(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        lanes = self.plan.lanes
        n = len(lanes)
        t = self.theme
        lane_in = height_in / max(n, 1)
        bar = min(BAR_SHARE, MAX_BAR_IN * self.style.font / 15 / lane_in)
        ms = self.style.font * 1.35
        min_days = self.span * MIN_BAR_FRACTION
        for i, (lane, paint) in enumerate(zip(lanes, self.paints, strict=True)):
            y = n - 1 - i
            for acute in (False, True):
                bars = [b for b in lane.bars if b.acute == acute]
                if not bars:
                    continue
                p = paint.of(acute)
                spans = [(num(b.start), max(num(b.stop) - num(b.start), min_days)) for b in bars]
                ax.broken_barh(spans, (y - bar / 2, bar), facecolors=p.face, edgecolors=p.edge,
                               hatch=p.hatch or None, linewidth=0.8, gid=f"bars:{lane.key}")
                for b in bars:
                    if b.ongoing:
                        ax.plot([num(b.stop)], [y], marker=">", markersize=ms * 0.75,
                                color=p.face, markeredgecolor=t.ink, linestyle="none",
                                clip_on=self.plan.windowed, gid=f"ongoing:{lane.key}")
                    self.bar_label(ax, lane.label, b.start, b.stop, y, b.labels, p)
            if lane.ticks:
                # single administrations: a tick as tall as a bar, a fixed width in points
                faces = [paint.of(tk.acute).face for tk in lane.ticks]
                ax.vlines([num(tk.day) for tk in lane.ticks], y - bar / 2, y + bar / 2,
                          linewidth=self.style.font / 4.5, colors=faces,
                          gid=f"ticks:{lane.key}")
                last = max(tk.day for tk in lane.ticks)
                if lane.note and self.plan.x_min <= last <= self.plan.x_max:
                    ax.annotate(lane.note, (num(last), y),
                                xytext=(self.style.font * 0.8, 0), textcoords="offset points",
                                va="center", ha="left", fontsize=self.style.text(0.75),
                                color=t.ink, gid=f"note:{lane.label}")
        ax.set_ylim(-0.5, n - 0.5)
        ax.set_yticks(range(n))
        ax.set_yticklabels([label for label in reversed(self.lane_labels)])
        for label, paint in zip(ax.get_yticklabels(), reversed(self.paints), strict=True):
            if paint.italic:
                label.set_fontstyle("italic")
        ax.tick_params(axis="y", length=0)
        if self.lane_pt is not None:
            ax.tick_params(axis="y", labelsize=self.lane_pt)
        ax.spines["left"].set_visible(False)
        self.guides(ax)

    def bar_label(self, ax: Axes, lane: str, start: date, stop: date, y: float,
                  labels: tuple[str, ...], paint: Paint) -> None:
        """The longest of ``labels`` that fits the bar, or none (and say so); a bar outside
        a ``--window`` has none to show."""
        if not labels or stop <= self.plan.x_min or start > self.plan.x_max:
            return
        size = self.style.text(0.72)
        room = self.days_in((stop - start).days) - size * 1.0 / 72
        text = next((t for t in labels if self.width_in(t, size) <= room), None)
        if text is None:
            self.left_out.append(("dose", lane))
            return
        boxed = bool(paint.hatch)  # on a hatched bar, the label sits on paper
        ax.annotate(text, (num(start), y), xytext=(size * 0.5, 0),
                    textcoords="offset points", va="center", ha="left", fontsize=size,
                    color=self.theme.ink if boxed else self.theme.text_on(paint.face),
                    gid=f"bar-label:{lane}",
                    bbox={"boxstyle": "square,pad=0.15", "facecolor": self.theme.paper,
                          "edgecolor": "none"} if boxed else None)

    def relapse(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        ms = self.style.font * 0.75
        groups: dict[str, list[Marker]] = {}
        for m in self.plan.relapses:
            groups.setdefault(m.group, []).append(m)
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            if kind != "relapse" or group not in groups:
                continue
            pts = groups[group]
            ax.plot([num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=entry.marker, markersize=ms, color=self.theme.relapse,
                    markeredgecolor=self.theme.ink, markeredgewidth=0.8,
                    gid=f"relapse:{group}", clip_on=self.plan.windowed)
        self.row_axis(ax, "Relapses")

    def mri(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        ms = self.style.font * 0.75
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            pts = [m for m in self.plan.mri if m.group == group]
            if kind != "mri" or not pts:
                continue
            colour, face = self.mri_colours(group)
            edge = self.style.font / 8 if group == "quiet" else None
            ax.plot([num(m.day) for m in pts], [0] * len(pts), linestyle="none",
                    marker=entry.marker, markersize=ms, color=colour, markerfacecolor=face,
                    markeredgewidth=edge, gid=f"mri:{group}", clip_on=self.plan.windowed)
        self.row_axis(ax, "MRI")

    def mri_colours(self, group: str) -> tuple[str, str]:
        """(edge, face) of an MRI marker: filled ink, open paper, or grey when unknown."""
        t = self.theme
        return {"active": (t.ink, t.ink), "quiet": (t.ink, t.paper),
                "unknown": (t.unknown_edge, t.unknown_face)}[group]

    def periods(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        size = self.style.text(0.72)
        for i, band in enumerate(self.plan.periods):
            a, b = num(band.start), num(band.stop)
            ax.axvspan(a, b, ymin=0.08, ymax=0.92, facecolor=self.theme.bands[i % 2],
                       edgecolor=self.theme.paper, linewidth=1.5, gid="period-band")
            room = self.days_in((band.stop - band.start).days) - 0.06
            text = next((t for t in band.texts if self.width_in(t, size) <= room),
                        band.texts[-1])  # the shortest may still fit between neighbours
            ax.text((a + b) / 2, 0, text, ha="center", va="center", fontsize=size,
                    gid="period-arr")
        self.row_axis(ax, "Periods")
        ax.get_lines()[-1].set_visible(False)  # no centre line behind the text

    def lab(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        if key.lab == "*":
            self.merged_labs(ax)
            return
        series = self.plan.lab(key.lab)
        compact = self.compact_labs
        x = [num(m.day) for m in series.points]
        y = values(series.points)
        top = series.top if series.top > 0 else 1.0
        if series.scale == "linear":
            headroom = 1.0 if compact else 1.45
            lo, hi = 0.0, top * headroom
            ax.set_ylim(lo, hi)
            ticks = [0.0, top] if compact else _nice(0.0, top, 3 if height_in > 0.9 else 2)
        else:
            lo = (series.bottom or top) / 2
            hi = top * (2.0 if compact else 4.0)
            y = [max(v, lo) for v in y]  # a negative titre sits on the floor
            ax.set_yscale("log", base=2 if series.scale == "titre" else 10)
            ax.set_ylim(lo, hi)
            ticks = _log_ticks(lo, top, series.scale, 2 if compact or height_in < 0.9 else 3)
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_yticklabels([series.text(v) for v in ticks])
        ax.plot(x, y, color=self.theme.lab, marker="D", markersize=self.style.font * 0.45,
                linewidth=self.style.font / 7, gid=f"lab:{key.lab}")
        name = series.name + (f"\n{series.unit}" if series.unit else "")
        self.side_label(ax, name, size=self.style.text(0.85))
        if not compact and len(series.points) <= 12:
            for m, yv in zip(series.points, y, strict=True):
                ax.annotate(series.text(m.value or 0.0), (num(m.day), yv),
                            xytext=(0, 6), textcoords="offset points", ha="center",
                            va="bottom", fontsize=self.style.text(0.72), gid="lab-value")
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)

    def merged_labs(self, ax: Axes) -> None:
        """Every analyte in one panel, each as a share of its highest value, named at its
        last point (a small canvas has no room for a panel each)."""
        markers = "Dos^vP"
        styles = ["-", "--", ":", "-."]
        for i, series in enumerate(self.plan.labs):
            top = series.top if series.top > 0 else 1.0
            x = [num(m.day) for m in series.points]
            y = [100 * v / top for v in values(series.points)]
            ax.plot(x, y, color=self.theme.lab, marker=markers[i % len(markers)],
                    linestyle=styles[i % len(styles)], markersize=self.style.font * 0.4,
                    linewidth=self.style.font / 9, gid=f"lab:{series.key}")
            last = series.points[-1].day
            right = (last - self.plan.x_min).days > 0.7 * (self.plan.x_max - self.plan.x_min).days
            ax.annotate(series.name, (x[-1], y[-1]), xytext=(-4 if right else 4, 6),
                        textcoords="offset points", ha="right" if right else "left",
                        va="bottom", fontsize=self.style.text(0.7), gid="lab-name")
        ax.set_ylim(0, 125)
        ax.set_yticks([0, 100])
        self.side_label(ax, "Labs\n% of highest", size=self.style.text(0.85))
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)

    # -- helpers --------------------------------------------------------------
    def side_label(self, ax: Axes, text: str, size: float | None = None) -> None:
        """A panel's name, written horizontally left of its numbers."""
        ax.set_ylabel(text, rotation=0, ha="right", va="center", fontsize=size,
                      labelpad=self.style.font * 0.4)

    def row_axis(self, ax: Axes, label: str) -> None:
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([0])
        ax.set_yticklabels([label])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.axhline(0, color=self.theme.faint, linewidth=0.8, zorder=0)

    def guides(self, ax: Axes) -> None:
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


def _nice(lo: float, hi: float, n: int) -> list[float]:
    """At most ``n + 1`` round ticks from ``lo`` up to ``hi``."""
    raw = (hi - lo) / max(n, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    return [round(lo + k * step, 10) for k in range(int((hi - lo) / step + 1e-9) + 1)]


def _log_ticks(lo: float, top: float, scale: str, n: int) -> list[float]:
    """Ticks on a log axis: titres at 1:10, 1:20, 1:40 ... (every other one if crowded)."""
    if scale == "titre":
        candidates = [10 * 2.0 ** k for k in range(-3, 16)]
    else:
        candidates = [10.0 ** k for k in range(-6, 10)]
    inside = [v for v in candidates if lo <= v <= top * 1.01]
    while len(inside) > n + 1:
        inside = inside[::2]
    return inside or [top]
