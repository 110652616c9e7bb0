"""What each panel of the timeline draws, once its place and height are known.

One method per panel; what to draw and how it is labelled comes from the plan, how it
is coloured from the theme.  Sizes in points scale with the canvas (``Style``); a bar's
thickness follows the lane's height in inches, up to a cap, so short stacks do not
grow fat bars.
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FixedLocator, NullLocator

from ..plan.timeline import Marker, PanelKey, TimelinePlan
from . import labels
from .figure import MIN_TEXT_PT, Style, num
from .labels import LAB_KEY_HANDLE, LAB_KEY_PAD, LAB_KEY_SPACING, LAB_KEY_TITLE
from .themes import LanePaint, Paint

if TYPE_CHECKING:
    from matplotlib.backend_bases import RendererBase

BAR_SHARE = 0.62  # a bar's share of its lane's height
MAX_BAR_IN = 0.42  # at 15 pt: thicker bars only waste ink
MIN_BAR_FRACTION = 0.004  # short episodes stay visible: at least 0.4 % of the axis
EDSS_TICKS = ([0, 2, 4, 6, 8, 10], [0, 5, 10])
LABEL_LINE = 1.3  # a one-line label's height (with its box) in units of its size
NARROW_IN = 0.03  # bars narrower than this have no room for a hatch and its outline
MARK_GAP_PT = 2.0  # the least space between two texts that may sit side by side


def values(points: list[Marker]) -> list[float]:
    return [m.value if m.value is not None else float("nan") for m in points]


MARK_EM = 0.75  # a relapse or scan mark's size, in ems of the figure's font


def mark_pt(style: Style) -> float:
    """A relapse or scan mark's size in points."""
    return style.font * MARK_EM


def mark_days(ms_pt: float, axes_width_in: float, span_days: float) -> float:
    """A mark's width, with a tenth of air, as days along an axis of ``span_days`` drawn
    ``axes_width_in`` wide: two marks closer than this hide each other."""
    return ms_pt * 1.1 / 72 / axes_width_in * span_days


def crowded(days: list[date], wide_days: float) -> bool:
    """Whether two marks of a row are closer than a mark's width (``wide_days``), so the
    row dodges one above or below its line (:meth:`Panels.dodge`)."""
    xs = sorted(num(d) for d in days)
    return any(b - a < wide_days for a, b in itertools.pairwise(xs))


class Panels:
    """Draws the panels of one figure; collects the labels it had to leave out."""

    def __init__(self, plan: TimelinePlan, style: Style, renderer: RendererBase, dpi: float,
                 axes_width_in: float, lane_labels: list[str], paints: list[LanePaint],
                 span_days: float, lane_pt: float | None = None, compact_labs: bool = False,
                 lab_key: list[str] | None = None):
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
        self.lab_key = lab_key or []  # the merged lab panel's key, one text per analyte

    def width_in(self, text: str, size: float) -> float:
        prop = FontProperties(family=self.style.families, size=size)
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
                # a bar too narrow for its hatch is drawn in its face colour alone (an
                # outline would turn a short grey pulse into a black tick)
                narrow = [sp for sp in spans if self.days_in(sp[1]) < NARROW_IN]
                wide = [sp for sp in spans if self.days_in(sp[1]) >= NARROW_IN]
                for group, edge, hatch in ((wide, p.edge, p.hatch), (narrow, p.face, "")):
                    if group:
                        ax.broken_barh(group, (y - bar / 2, bar), facecolors=p.face,
                                       edgecolors=edge, hatch=hatch or None, linewidth=0.8,
                                       gid=f"bars:{lane.key}")
                for b in bars:
                    if b.ongoing:
                        ax.plot([num(b.stop)], [y], marker=">", markersize=ms * 0.75,
                                color=p.face, markeredgecolor=t.ink, linestyle="none",
                                clip_on=self.plan.windowed, gid=f"ongoing:{lane.key}")
                    self.bar_label(ax, lane.label, b.start, b.stop, y, b.labels, p,
                                   bar * lane_in)
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
                  labels: tuple[str, ...], paint: Paint, bar_in: float) -> None:
        """The longest of ``labels`` that fits the bar, or none (and say so); a bar outside
        a ``--window`` has none to show.  The text is never taller than the bar: on thin
        bars it gets smaller, down to the smallest text size, then it is left out."""
        if not labels or stop <= self.plan.x_min or start > self.plan.x_max:
            return
        # in a --window, the part of the bar inside it holds the label
        start, stop = max(start, self.plan.x_min), min(stop, self.plan.x_max)
        size = min(self.style.text(0.72), bar_in * 72 / LABEL_LINE)
        if size < MIN_TEXT_PT:
            self.left_out.append(("dose", lane))
            return
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
        ms = mark_pt(self.style)
        groups: dict[str, list[Marker]] = {}
        for m in self.plan.relapses:
            groups.setdefault(m.group, []).append(m)
        rows = self.dodge(self.plan.relapses, ms, height_in)
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            if kind != "relapse" or group not in groups:
                continue
            pts = groups[group]
            ax.plot([num(m.day) for m in pts], [rows[id(m)] for m in pts], linestyle="none",
                    marker=entry.marker, markersize=ms, color=self.theme.relapse,
                    markeredgecolor=self.theme.ink, markeredgewidth=0.8,
                    gid=f"relapse:{group}", clip_on=self.plan.windowed)
        self.known_until(ax, self.plan.relapses, rows, self.theme.relapse, "relapse")
        self.row_axis(ax, "Relapses")

    def mri(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        ms = mark_pt(self.style)
        rows = self.dodge(self.plan.mri, ms, height_in)
        for entry in self.plan.legend:
            kind, _, group = entry.key.partition(":")
            pts = [m for m in self.plan.mri if m.group == group]
            if kind != "mri" or not pts:
                continue
            colour, face = self.theme.mri_paint(group)
            edge = self.style.font / 8 if group == "quiet" else None
            ax.plot([num(m.day) for m in pts], [rows[id(m)] for m in pts], linestyle="none",
                    marker=entry.marker, markersize=ms, color=colour, markerfacecolor=face,
                    markeredgewidth=edge, gid=f"mri:{group}", clip_on=self.plan.windowed)
        self.known_until(ax, self.plan.mri, rows, self.theme.ink, "mri")
        self.row_axis(ax, "MRI")

    def periods(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        size = self.style.text(0.72)
        bands = self.plan.periods
        for i, band in enumerate(bands):
            ax.axvspan(num(band.start), num(band.stop), ymin=0.08, ymax=0.92,
                       facecolor=self.theme.bands[i % 2], edgecolor=self.theme.paper,
                       linewidth=1.5, gid="period-band")
        # the longest periods speak first; each writes the longest text that fits its
        # band, or its shortest text if that stays clear of every other; else none
        placed: list[tuple[float, float]] = []
        gap = MARK_GAP_PT / 72
        lo_day, hi_day = self.plan.x_min, self.plan.x_max
        for band in sorted(bands, key=lambda b: (b.start - b.stop, b.start)):
            start, stop = max(band.start, lo_day), min(band.stop, hi_day)  # inside a window
            if stop <= start:
                continue
            mid = self.days_in((start - lo_day).days + (stop - start).days / 2)
            room = self.days_in((stop - start).days) - 0.06
            text = None
            for t in band.texts:
                w = self.width_in(t, size)
                # a text spilling out of its band keeps a space from its neighbours, so
                # two never read as one ("0.00 0.00", not "0.000.00"; "- 0.00", not "-0.00")
                clear = max(gap, size * 0.6 / 72) if w > room else gap
                span = (mid - w / 2 - clear, mid + w / 2 + clear)
                if (w <= room or t == band.texts[-1]) and not any(
                        span[0] < hi and lo < span[1] for lo, hi in placed):
                    text = t
                    placed.append(span)
                    break
            if text is None:
                if band.arr is not None:  # a period too short for an ARR loses only a dash
                    self.left_out.append(("period ARR", band.regimen))
                continue
            ax.text((num(start) + num(stop)) / 2, 0, text, ha="center",
                    va="center", fontsize=size, gid="period-arr")
        self.row_axis(ax, "Periods")
        ax.get_lines()[-1].set_visible(False)  # no centre line behind the text

    def lab(self, ax: Axes, key: PanelKey, height_in: float) -> None:
        if key.lab == "*":
            self.merged_labs(ax, height_in)
            return
        series = self.plan.lab(key.lab)
        compact = self.compact_labs
        x = [num(m.day) for m in series.points]
        y = values(series.points)
        top = series.top if series.top > 0 else 1.0
        if series.scale == "linear":
            # from 0, unless every value sits in the upper half (sodium 129 to 136 mmol/L
            # would look flat); a compact strip keeps a margin so no marker is cut
            low = series.lowest  # of the whole record: a build frame's axis stays put
            base = (_round_down(low - (top - low) * 0.5, top - low) if 0.5 * top < low < top
                    else 0.0)
            span = top - base
            lo, hi = (base - 0.2 * span, top + 0.2 * span) if compact else (
                base, top + 0.45 * span)
            ax.set_ylim(lo, hi)
            ticks = [base, top] if compact else _nice(base, top, 3 if height_in > 0.9 else 2)
        else:
            floor = (series.bottom or top) / 2
            lo, hi = (floor / 1.5, top * 2.0) if compact else (floor, top * 4.0)
            y = [max(v, floor) for v in y]  # a negative titre sits on the floor
            ax.set_yscale("log", base=2 if series.scale == "titre" else 10)
            ax.set_ylim(lo, hi)
            # ticks at least a tick label's line apart
            per_step_in = height_in * math.log(2 if series.scale == "titre" else 10) / (
                math.log(hi) - math.log(lo))
            line_in = self.style.font * 0.93 * 1.3 / 72
            ticks = _log_ticks(floor, top, series.scale,
                               2 if compact or height_in < 0.9 else 3,
                               min_step=math.ceil(line_in / per_step_in))
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_yticklabels([series.text(v) for v in ticks])
        ax.plot(x, y, color=self.theme.lab, marker="D", markersize=self.style.font * 0.45,
                linewidth=self.style.font / 7, gid=f"lab:{key.lab}")
        name = series.name + (f"\n{series.unit}" if series.unit else "")
        self.side_label(ax, name, size=self.style.text(0.85))
        if len(series.points) <= 12:
            # above each point; in a compact strip, below the points in its upper half
            span = (math.log(hi) - math.log(lo)) if series.scale != "linear" else hi - lo
            for m, yv in zip(series.points, y, strict=True):
                if not self.plan.x_min <= m.day <= self.plan.x_max:
                    continue  # outside a --window: not drawn, so not written
                at = ((math.log(yv) - math.log(lo)) if series.scale != "linear"
                      else yv - lo) / span
                below = compact and at > 0.5
                text = series.text(m.value or 0.0)
                ax.annotate(text, (num(m.day), yv),
                            xytext=(0, -5 if below else 5), textcoords="offset points",
                            ha="center", va="top" if below else "bottom",
                            fontsize=self.style.text(0.72), gid=f"lab-value:{series.name} {text}")
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)
        self.guides(ax)  # a lab's peak lines up with the attack

    def merged_labs(self, ax: Axes, height_in: float) -> None:
        """Every analyte in one panel, each as a share of its highest value, with a key
        in the label column that names each line and its highest value (a small canvas
        has no room for a panel each).  The key is centred on the panel; one taller than
        the panel hangs from its top into the time axis' band (the layout made room)."""
        markers = "Dos^vP"
        styles = ["-", "--", ":", "-."]
        handles = []
        for i, series in enumerate(self.plan.labs):
            top = series.top if series.top > 0 else 1.0
            x = [num(m.day) for m in series.points]
            y = [100 * v / top for v in values(series.points)]
            (line,) = ax.plot(x, y, color=self.theme.lab, marker=markers[i % len(markers)],
                              linestyle=styles[i % len(styles)],
                              markersize=self.style.font * 0.4,
                              linewidth=self.style.font / 9, gid=f"lab:{series.key}")
            handles.append(line)
        ax.set_ylim(-12, 112)
        ax.set_yticks([0, 100])
        ax.grid(axis="y", color=self.theme.faint, linewidth=0.8)
        self.guides(ax)
        tick_pt = ax.yaxis.get_ticklabels()[0].get_fontsize()
        off = labels.lab_key_offset(self.width_in("100", float(tick_pt)))
        size = self.style.text(0.7)
        top = min(1.0, 0.5 + labels.lab_key_height(self.lab_key, size) / 2 / height_in)
        key = ax.legend(handles, self.lab_key, title=LAB_KEY_TITLE, loc="upper right",
                        bbox_to_anchor=(-off / self.axes_width_in, top), fontsize=size,
                        title_fontsize=size, frameon=False, borderpad=0, borderaxespad=0,
                        handlelength=LAB_KEY_HANDLE, handletextpad=LAB_KEY_PAD,
                        labelspacing=LAB_KEY_SPACING,
                        alignment="right")
        key.set_gid("lab-key")

    # -- helpers --------------------------------------------------------------
    def dodge(self, markers: list[Marker], ms: float, height_in: float) -> dict[int, float]:
        """The height of each marker in its row (-0.5 to 0.5): on the line, or just above
        or below it where a marker of an earlier date would hide it."""
        wide = mark_days(ms, self.axes_width_in, self.span)
        step = min(ms * 1.05 / 72 / max(height_in, 1e-6), 0.5)
        last: dict[float, float] = {}  # row -> the right edge of its last marker
        out: dict[int, float] = {}
        for m in sorted(markers, key=lambda m: m.day):
            x = num(m.day)
            row = next((r for r in (0.0, step, -step) if x - last.get(r, -math.inf) >= wide),
                       0.0)
            last[row] = x
            out[id(m)] = row
        return out

    def known_until(self, ax: Axes, markers: list[Marker], rows: dict[int, float], colour: str,
                    what: str) -> None:
        """A whisker with end caps over the month or year a partial date may be, from the
        first day (where the marker sits, as the counts place it) to the last."""
        partial = [m for m in markers if m.until is not None]
        if not partial:
            return
        ends = [(num(m.day), num(m.until) + 1, rows[id(m)]) for m in partial
                if m.until is not None]
        ax.add_collection(LineCollection([[(a, y), (b, y)] for a, b, y in ends],
                                         colors=colour, linewidths=self.style.font / 8,
                                         zorder=2, gid=f"known-until:{what}"), autolim=False)
        ax.plot([x for a, b, _ in ends for x in (a, b)], [y for _, _, y in ends for _ in (0, 1)],
                linestyle="none", marker="|", markersize=self.style.font * 0.6,
                markeredgewidth=self.style.font / 8, color=colour, zorder=2,
                gid=f"known-until-caps:{what}")

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


def _round_down(value: float, span: float) -> float:
    """``value`` rounded down to a round number on the scale of ``span``."""
    step = 10 ** math.floor(math.log10(span)) if span > 0 else 1.0
    return math.floor(value / step) * step


def _log_ticks(lo: float, top: float, scale: str, n: int, min_step: int = 1) -> list[float]:
    """At most ``n + 1`` ticks on a log axis, from the highest down: titres at 1:10, 1:20,
    1:40 ..., powers of ten otherwise, every ``min_step``-th one or sparser."""
    if scale == "titre":
        candidates = [10 * 2.0 ** k for k in range(-3, 16)]
    else:
        candidates = [10.0 ** k for k in range(-6, 10)]
    inside = [v for v in candidates if lo <= v <= top * 1.01]
    step = max(1, min_step)
    while math.ceil(len(inside) / step) > n + 1:
        step += 1
    return inside[::-1][::step][::-1] or [top]  # from the highest down
