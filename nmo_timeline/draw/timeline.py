"""Draw a :class:`~nmo_timeline.plan.timeline.TimelinePlan` onto a matplotlib Figure.

The order of work: fit the lane labels to their column (wrap, then shorten with a
footnote), measure what sits around the panels (title, legend, footnotes, time axis),
give the panels heights that fill the canvas (:mod:`.stack`), place them, draw them
(:mod:`.panels`), label the time axis, place the callouts, and hide optional labels
that would collide.  Every label left out is named in one note on the figure
(:func:`nmo_timeline.draw.figure.left_out`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.ticker import FixedLocator, NullLocator

from ..errors import OptionError
from ..plan.options import FigureOptions
from ..plan.timeline import Panel, PanelKey, TimelinePlan
from . import labels, stack
from .axis import calendar_row, clear_the_first_time_label, date_ticks, relative_ticks
from .figure import MIN_TEXT_PT, Style, note_left_out, num, styled_figure
from .fit import fit_text_width, resolve_collisions, wrap_to_width
from .labels import LAB_KEY_TITLE, TICK_PAD_PT, fit_label, lab_key, left_out_note, mark
from .legend import timeline_legend
from .panels import Panels, crowded, mark_days, mark_pt
from .themes import get_theme

PAD_IN = 0.08  # canvas edge padding
RIGHT_IN = 0.25  # room right of the axes (ongoing arrows)

MERGED_LABS = PanelKey(Panel.lab, "*")  # every analyte in one panel (a small canvas)
KEY_HANDLE_EM = labels.LAB_KEY_HANDLE + labels.LAB_KEY_PAD  # the lab key's line sample
OPTIONAL = {"lab-name": "lab name", "bar-label": "dose", "lab-value": "lab value",
            "callout": "callout", "period-arr": "period ARR", "note": "note"}


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

    Raises
    ------
    OptionError
        When the canvas is too small for the panels to stay readable.
    """
    opt = FigureOptions.of(options, **changes)
    style = Style.for_canvas(*opt.size, theme=get_theme(opt.theme), family=opt.font_family,
                             font_scale=opt.font_scale, texts=labels.plan_texts(plan))
    with styled_figure(style, opt.size, opt.dpi) as fig:
        _Timeline(fig, plan, style).draw()
    return fig


@dataclass(frozen=True)
class Attempt:
    """One way to fit the figure; tried from the most generous to the most compact."""

    tight: bool = False  # the least space that keeps labels apart
    lines: int = 3  # lines a lane label may wrap onto
    footnotes: bool = True  # the full names of shortened lane labels as footnotes
    lane_pt: float | None = None  # lane labels smaller than the tick labels
    compact_labs: bool = False  # lab panels as strips without value labels
    merge_labs: bool = False  # every analyte in one panel, as a share of its highest value
    hang_key: bool = False  # its key may hang below the panel, into the time axis' band


@dataclass
class Layout:
    """Where everything goes, as found by the first attempt that fits."""

    attempt: Attempt
    lane_labels: list[str]
    footnotes: list[tuple[str, bool]]  # each with whether its lane is shown
    left_out: list[tuple[str, str]]
    left: float
    axes_width: float
    top: float
    footnote_height: float
    ticks: tuple[list[float], list[str], float, float]
    heights: list[float]
    gaps: list[float]
    lane_pt: float
    panels: list[PanelKey]


class _Timeline:
    def __init__(self, fig: Figure, plan: TimelinePlan, style: Style):
        self.fig, self.plan, self.style, self.theme = fig, plan, style, style.theme
        self.renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        self.dpi = float(fig.dpi)
        self.width, self.height = (float(v) for v in fig.get_size_inches())
        self.tick_pt = style.font * 0.93
        self.line_in = self.tick_pt * 1.25 / 72

    # -- measuring ------------------------------------------------------------
    def text_width(self, text: str, size: float, italic: bool = False) -> float:
        prop = FontProperties(family=self.style.families, size=size,
                              style="italic" if italic else "normal")
        widths = [self.renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                  for line in text.split("\n")]
        return float(max(widths)) / self.dpi

    def lines_in(self, n: int, size: float) -> float:
        return n * size * 1.2 / 72

    def extent(self, artist: Artist) -> tuple[float, float]:
        bb = artist.get_window_extent(self.renderer)
        return bb.width / self.dpi, bb.height / self.dpi

    # -- the figure -----------------------------------------------------------
    def draw(self) -> None:
        plan = self.plan
        title = self.title()
        legend = timeline_legend(self.fig, self.plan.legend, self.style,
                                 self.width - 2 * PAD_IN)
        paints = self.theme.lane_paints([(lane.colour, lane.acute) for lane in plan.lanes])
        layout = self.fit(title, legend, paints)
        foot = PAD_IN
        notes = [n for n, shown in layout.footnotes if shown]  # a hidden lane's: room only
        if notes:
            size = self.style.text(0.7)
            text = wrap_to_width("   ".join(notes), self.width - 2 * PAD_IN,
                                 lambda s: self.text_width(s, size))
            self.fig.text(PAD_IN / self.width, PAD_IN / self.height, text, ha="left",
                          va="bottom", fontsize=size, gid="footnote")
        foot += layout.footnote_height  # 0 without footnotes
        if legend is not None:
            legend.set_bbox_to_anchor((0.5, foot / self.height), transform=self.fig.transFigure)
        axes = []
        for (y, h), key in zip(stack.positions(layout.heights, layout.gaps,
                                               self.height - layout.top), layout.panels,
                               strict=True):
            rect = (layout.left / self.width, y / self.height, layout.axes_width / self.width,
                    h / self.height)
            ax = self.fig.add_axes(rect)
            ax.set_gid(key.gid)
            axes.append(ax)
        ticks = layout.ticks
        shown = [label if lane.shown else "" for label, lane in zip(layout.lane_labels,
                                                                     plan.lanes, strict=True)]
        panels = Panels(plan, self.style, self.renderer, self.dpi, layout.axes_width,
                        shown, paints, span_days=ticks[3] - ticks[2],
                        lane_pt=layout.lane_pt, compact_labs=layout.attempt.compact_labs,
                        lab_key=self.lab_key() if layout.attempt.merge_labs else [])
        draw = {Panel.edss: panels.edss, Panel.therapy: panels.therapy,
                Panel.relapse: panels.relapse, Panel.mri: panels.mri,
                Panel.periods: panels.periods, Panel.lab: panels.lab}
        for ax, key, h in zip(axes, layout.panels, layout.heights, strict=True):
            draw[key.kind](ax, key, h)
        self.time_axis(axes, ticks)
        left_out = layout.left_out + panels.left_out
        if layout.attempt.merge_labs:
            left_out += labels.lab_key_left_out(plan.labs, self.lab_key())
        left_out += self.callouts(axes, layout.axes_width, layout.heights[0])
        for hidden in resolve_collisions(self.fig):  # named by lane where they have one
            kind, _, lane = (hidden.get_gid() or "").partition(":")
            left_out.append((OPTIONAL.get(kind, kind), lane or hidden.get_text()))
        note_left_out(self.fig, left_out_note(left_out))

    def attempts(self) -> list[Attempt]:
        """The ways to fit, most generous first: closer lanes and smaller gaps, labels on
        fewer lines, no footnotes (their names are reported instead), compact lab strips,
        one merged lab panel (its key hanging below it if need be), and lane labels down
        to the smallest text size."""
        wide = Attempt(lines=3 if self.width >= 7 else 2)
        out = [wide, replace(wide, tight=True), Attempt(tight=True, lines=2),
               Attempt(tight=True, lines=2, footnotes=False),
               Attempt(tight=True, lines=1, footnotes=False)]
        compact = bool(self.plan.labs) and not self.plan.compact_labs
        if compact:
            out.append(Attempt(tight=True, lines=1, footnotes=False, compact_labs=True))
        merge = len(self.plan.labs) > 1
        if merge:
            out += [Attempt(tight=True, lines=1, footnotes=False, merge_labs=True),
                    Attempt(tight=True, lines=1, footnotes=False, merge_labs=True, hang_key=True)]
        pt = self.tick_pt
        while pt > MIN_TEXT_PT:
            pt = max(MIN_TEXT_PT, pt * 0.88)
            out.append(Attempt(tight=True, lines=1, footnotes=False, lane_pt=pt,
                               compact_labs=compact, merge_labs=merge, hang_key=merge))
        return out

    def panels_for(self, attempt: Attempt) -> list[PanelKey]:
        """The plan's panels; with ``merge_labs``, the lab panels as one."""
        if not attempt.merge_labs:
            return list(self.plan.panels)
        others = [k for k in self.plan.panels if k.kind is not Panel.lab]
        return [*others, MERGED_LABS] if len(others) < len(self.plan.panels) else others

    def fit(self, title: float, legend: Legend | None, paints: list[Any]) -> Layout:
        """The first attempt whose panels keep their labels readable and apart."""
        plan = self.plan
        what = (f"the {len(plan.lanes)} therapy lanes and the other panels" if plan.lanes
                else "the panels")
        legend_height = self.extent(legend)[1] + 0.12 if legend is not None else 0.0
        needed = 0.0
        target = stack.height_share_target(self.width) * self.height
        fallback: Layout | None = None
        for attempt in self.attempts():
            lane_pt = attempt.lane_pt or self.tick_pt
            labels, footnotes, left_out = self.fit_lane_labels(attempt, lane_pt)
            keys = self.panels_for(attempt)
            left = PAD_IN + self.label_column(keys, labels, paints, lane_pt)
            axes_width = self.width - left - RIGHT_IN
            ticks = self.ticks(axes_width)
            foot = self.footnote_height([n for n, _ in footnotes])
            top = self.top_chrome(title)
            bottom = PAD_IN + foot + legend_height + self.axis_height(ticks)
            available = self.height - top - bottom
            hang = self.key_hang(ticks, axes_width) if attempt.hang_key else 0.0
            wide = mark_days(mark_pt(self.style), axes_width, ticks[3] - ticks[2])
            needs = [self.need(key, labels, available, attempt, lane_pt, hang, wide)
                     for key in keys]
            gaps = stack.gaps(needs, self.line_in, base_in=0.03 if attempt.tight else 0.06)
            try:
                heights = stack.allocate(needs, gaps, available, what)
            except OptionError:
                needed = top + bottom + sum(n.minimum for n in needs) + sum(gaps)
                continue
            layout = Layout(attempt, labels, footnotes, left_out, left, axes_width, top, foot,
                            ticks, heights, gaps, lane_pt, keys)
            if available >= target:  # the panels fill their share of the canvas
                return layout
            fallback = fallback or layout  # footnotes, say, took too much: try leaner
        if fallback is not None:
            return fallback
        need = math.ceil(needed * 10) / 10  # rounded up, so it is never the canvas's own
        raise OptionError(f"{what} need {need:.1f} in of height to stay readable at this width; "
                          f"choose a larger --size, e.g. {self.width:g}x{need:g}")

    # -- lane labels ----------------------------------------------------------
    def fit_lane_labels(self, attempt: Attempt, size: float
                        ) -> tuple[list[str], list[tuple[str, bool]], list[tuple[str, str]]]:
        """Each lane's label within the column's width cap; the full names of those cut
        short as footnotes, each with whether its lane is shown (or, without footnotes, as
        labels left out)."""
        cap = stack.label_width_cap(self.width) * self.width
        labels: list[str] = []
        footnotes: list[tuple[str, bool]] = []
        left_out: list[tuple[str, str]] = []
        for lane in self.plan.lanes:
            def width(text: str, italic: bool = lane.acute) -> float:
                return self.text_width(text, size, italic)

            suffix = mark(len(footnotes) + 1) if attempt.footnotes else ""
            label, cut = fit_label(lane.label, cap, width, attempt.lines, suffix)
            if cut and attempt.footnotes:  # the mark stays with its name (no-break space)
                footnotes.append((f"{mark(len(footnotes) + 1)}\u00a0{lane.label}", lane.shown))
            elif cut and lane.shown:
                left_out.append(("full lane name", lane.label))
            labels.append(label)
        return labels, footnotes, left_out

    def footnote_height(self, footnotes: list[str]) -> float:
        if not footnotes:
            return 0.0
        size = self.style.text(0.7)
        text = wrap_to_width("   ".join(footnotes), self.width - 2 * PAD_IN,
                             lambda s: self.text_width(s, size))
        return self.lines_in(text.count("\n") + 1, size) + 0.06

    def label_column(self, keys: list[PanelKey], lane_labels: list[str], paints: list[Any],
                     lane_pt: float) -> float:
        """Width of the column left of the panels: labels, and numbers where a panel has them."""
        widths = [0.0]
        pad = TICK_PAD_PT / 72
        for key in keys:
            if key.kind is Panel.therapy:
                widths += [self.text_width(label, lane_pt, paint.italic) + 3.5 / 72
                           for label, paint in zip(lane_labels, paints, strict=True)]
            elif key.kind in (Panel.relapse, Panel.mri, Panel.periods):
                name = {Panel.relapse: "Relapses", Panel.mri: "MRI", Panel.periods: "Periods"}
                widths.append(self.text_width(name[key.kind], self.tick_pt) + 3.5 / 72)
            elif key.kind is Panel.edss:
                widths.append(self.text_width("EDSS", self.style.font)
                              + self.style.font * 0.4 / 72 + self.text_width("10", self.tick_pt)
                              + pad)
            elif key == MERGED_LABS:
                size = self.style.text(0.7)
                key_in = max([self.text_width(LAB_KEY_TITLE, size)]
                             + [self.text_width(t, size) + KEY_HANDLE_EM * size / 72
                                for t in self.lab_key()])
                widths.append(key_in + labels.lab_key_offset(self.text_width("100", self.tick_pt)))
            else:
                series = self.plan.lab(key.lab)
                label = series.name + (f"\n{series.unit}" if series.unit else "")
                numbers = [series.text(v) for v in (series.top, series.bottom, series.top * 4)]
                widths.append(self.text_width(label, self.style.text(0.85))
                              + self.style.font * 0.4 / 72 + pad
                              + max(self.text_width(t, self.tick_pt) for t in numbers))
        return max(widths)

    # -- heights --------------------------------------------------------------
    def need(self, key: PanelKey, lane_labels: list[str], available: float, attempt: Attempt,
             lane_pt: float, hang: float = 0.0, mark_wide: float = 0.0) -> stack.Need:
        """What a panel needs to keep its labels readable and apart (the merged lab key
        may hang ``hang`` inches below its panel; marks closer than ``mark_wide`` days are
        dodged)."""
        line, f, tight = self.line_in, self.style.font, attempt.tight
        scale = f / 15
        if key.kind is Panel.edss:
            return stack.Need(2.4 * line, 5.0, max(2.4 * line, 0.38 * available), True)
        if key.kind is Panel.therapy:
            lines = max((label.count("\n") + 1 for label in lane_labels), default=1)
            lane_line = lane_pt * (1.17 if tight else 1.25) / 72
            # labels of several lines need a clear gap, or they read as one label
            pad = (0.1 if tight else 0.45) if lines == 1 else 0.5
            lane = lines * lane_line + pad * lane_line
            n = len(self.plan.lanes)
            return stack.Need(n * lane, 0.5 * n, n * max(lane, 0.5 * scale))
        if key.kind in (Panel.relapse, Panel.mri):
            ms = mark_pt(self.style) / 72
            low = max(line * (1.0 if tight else 1.2), ms * 1.3)
            whole = self.plan.whole or self.plan  # a build frame: sized as the last
            marks = whole.relapses if key.kind is Panel.relapse else whole.mri
            if crowded([m.day for m in marks], mark_wide):
                low = max(low, 3.2 * ms)  # room to dodge a mark above and below
            return stack.Need(low, 0.3, max(low, 0.5 * scale))
        if key.kind is Panel.periods:
            low = self.lines_in(1, self.style.text(0.72)) * (1.4 if tight else 1.8)
            return stack.Need(low, 0.2, low * 1.4, stretch=False)
        if key == MERGED_LABS:
            key_in = labels.lab_key_height(self.lab_key(), self.style.text(0.7))
            low = max(key_in - hang, 2.2 * line)
            return stack.Need(low, 1.5, max(low, 0.3 * available), True)
        series = self.plan.lab(key.lab)
        label = self.lines_in(1 + bool(series.unit), self.style.text(0.85)) * 1.05
        low = max(label, 2.2 * line)
        if attempt.compact_labs or self.plan.compact_labs:
            return stack.Need(low, 0.5, low * 1.6, True)
        if not tight:
            low += self.lines_in(1, self.style.text(0.72))  # room for the value labels
        return stack.Need(low, 1.5, max(low, 0.3 * available), True)

    def lab_key(self) -> list[str]:
        """The merged lab panel's key, each name within the label column's cap."""
        size = self.style.text(0.7)
        cap = (stack.label_width_cap(self.width) * self.width - KEY_HANDLE_EM * size / 72
               - labels.lab_key_offset(self.text_width("100", self.tick_pt)))
        return lab_key(self.plan.labs, cap, lambda t: self.text_width(t, size))

    def key_hang(self, ticks: tuple[list[float], list[str], float, float], axes_width: float
                 ) -> float:
        """How far the merged lab key (its panel is the last) may hang below its panel:
        through the time axis' band, empty left of the axes unless the first tick label
        reaches past the key's right edge."""
        days, names, lo, hi = ticks
        reach = (self.text_width(names[0], self.tick_pt) / 2
                 - (days[0] - lo) / max(hi - lo, 1e-9) * axes_width) if names else 0.0
        edge = labels.lab_key_offset(self.text_width("100", self.tick_pt))
        return self.axis_height(ticks) - 0.02 if reach < edge - 0.03 else 0.0

    def title(self) -> float:
        """The title, wrapped to the canvas; the height it takes."""
        if not self.plan.title:
            return 0.0
        title = self.fig.suptitle(self.plan.title, fontweight="bold")
        fit_text_width(title, self.width - 2 * PAD_IN, self.renderer, self.dpi)
        title.set_y(1 - PAD_IN / self.height)
        title.set_verticalalignment("top")
        return self.extent(title)[1] + 0.1

    def top_chrome(self, title: float) -> float:
        first = self.plan.panels[0] if self.plan.panels else None
        numeric = first is not None and first.kind in (Panel.edss, Panel.lab)
        return PAD_IN + title + (self.line_in / 2 if numeric else 0.05)

    def axis_height(self, ticks: tuple[list[float], list[str], float, float]) -> float:
        """Height of the time axis under the panels: tick labels, label, calendar row."""
        lines = max((len(label.split("\n")) for label in ticks[1]), default=1)
        height = lines * self.line_in + TICK_PAD_PT / 72
        axis = self.plan.axis
        if axis.relative:
            height += self.lines_in(1, self.style.font) + 4 / 72
            if axis.calendar_row:
                height += self.lines_in(1, self.style.text(0.75)) + 0.06
        return height + 0.02

    # -- time axis ------------------------------------------------------------
    def ticks(self, axes_width: float) -> tuple[list[float], list[str], float, float]:
        """Tick positions and labels, and the axis limits, as matplotlib day numbers."""
        plan = self.plan
        max_ticks = max(3, min(10, int(axes_width / (self.tick_pt * 4.2 / 72))))
        lo, hi = plan.x_min, plan.x_max
        axis = plan.axis
        # a window gets half a mark of margin, so a mark on its edge is drawn whole
        margin = ((num(hi) - num(lo)) / axes_width * (mark_pt(self.style) / 2 / 72 + 0.02)
                  if plan.windowed else 0.0)
        if axis.relative:
            assert axis.anchor is not None
            origin, unit = num(axis.anchor), axis.unit_days
            values = relative_ticks((num(lo) - origin) / unit, (num(hi) - origin) / unit,
                                    max_ticks)
            return ([origin + v * unit for v in values], [f"{v:g}" for v in values],
                    num(lo) - margin, num(hi) + margin)
        found = date_ticks(lo, hi, max_ticks, fixed_start=plan.windowed,
                           first_day=plan.record_start)
        start, stop = num(found.start) - margin, num(hi) + margin
        labels = found.labels
        one_line = [label.replace("\n", " ") for label in labels]
        if len(found.days) > 1 and one_line != labels:  # "Jan 2016" where it fits
            per_in = axes_width / max(stop - start, 1)
            room = min(num(b) - num(a) for a, b in itertools.pairwise(found.days)) * per_in
            if max(self.text_width(t, self.tick_pt) for t in one_line) + 0.15 < room:
                labels = one_line
        if not plan.windowed and labels:  # the end labels must fit beside the panels
            per_in = (stop - start) / axes_width
            first = self.text_width(labels[0], self.tick_pt) / 2 + 0.04
            start = min(start, num(found.days[0]) - first * per_in)
            last = self.text_width(labels[-1], self.tick_pt) / 2 - RIGHT_IN + 0.04
            stop = max(stop, num(found.days[-1]) + last * per_in)
        elif labels:  # a window's end is the user's: a last label past the canvas is not written
            x = (num(found.days[-1]) - start) / max(stop - start, 1e-9) * axes_width
            if x + self.text_width(labels[-1], self.tick_pt) / 2 > axes_width + RIGHT_IN - 0.04:
                labels = [*labels[:-1], ""]
        return [num(d) for d in found.days], labels, start, stop

    def time_axis(self, axes: list[Axes], ticks: tuple[list[float], list[str], float, float]
                  ) -> None:
        positions, labels, lo, hi = ticks
        for ax in axes:  # one time axis for every panel (set on each: no shared tickers,
            ax.set_xlim(lo, hi)  # so the panels above carry no hidden tick labels)
        bottom = axes[-1]
        bottom.xaxis.set_major_locator(FixedLocator(positions))
        bottom.set_xticklabels(labels)
        axis = self.plan.axis
        if self.plan.windowed and not axis.relative:
            clear_the_first_time_label(bottom)
        if axis.relative:
            assert axis.anchor is not None
            bottom.set_xlabel(axis.label)
            for ax in axes:
                ax.axvline(num(axis.anchor), color=self.theme.ink, linewidth=0.8, alpha=0.5,
                           linestyle=(0, (1, 2)), zorder=0, gid="anchor")
            if axis.calendar_row:
                lines = max((len(label.split("\n")) for label in labels), default=1)
                calendar_row(bottom, lo, hi, len(labels), self.style, self.theme.muted,
                             gap_pt=lines * self.line_in * 72 + TICK_PAD_PT  # tick labels,
                             + self.style.font * 1.2 + 4)  # the axis label and its pad
        for ax in axes[:-1]:  # the time axis is drawn once, under the bottom panel
            ax.xaxis.set_major_locator(NullLocator())
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)

    # -- callouts -------------------------------------------------------------
    def callouts(self, axes: list[Axes], axes_width: float, top_height: float
                 ) -> list[tuple[str, str]]:
        """Callouts at the top of the first panel, in as many rows as they need (up to
        three, as the panel allows), a box near an end moved inside the canvas; the ones
        outside the time axis or without room are returned (and get no line)."""
        size = self.style.text(0.8)
        box = self.lines_in(1, size) + size * 0.5 / 72 + 0.04
        rows = max(1, min(3, int(top_height * 0.7 / box)))
        lo, hi = axes[0].get_xlim()
        right = axes_width + RIGHT_IN - PAD_IN  # the canvas edge, from the axes' left
        placed: list[list[tuple[float, float]]] = [[] for _ in range(rows)]
        left_out = []
        for day, label in sorted(self.plan.callouts):
            x = num(day)
            if not lo <= x <= hi:
                left_out.append(("callout", f"{label} (outside the time axis)"))
                continue
            centre = (x - lo) / (hi - lo) * axes_width
            half = self.text_width(label, size) / 2 + size * 0.3 / 72 + 0.05
            shift = max(0.0, half - centre) or min(0.0, right - centre - half)
            a, b = centre + shift - half, centre + shift + half
            row = next((r for r in range(rows)
                        if all(b < a0 or a > b0 for a0, b0 in placed[r])), None)
            if row is None:
                left_out.append(("callout", label))
                continue
            placed[row].append((a, b))
            for ax in axes:
                ax.axvline(x, color=self.theme.ink, linewidth=self.style.font / 10,
                           linestyle=(0, (2, 2)), zorder=1, gid="callout-line")
            axes[0].annotate(label, (x, 1.0), xycoords=("data", "axes fraction"),
                             xytext=(shift * 72, -self.style.font * 0.3 - row * box * 72),
                             textcoords="offset points", ha="center", va="top", fontsize=size,
                             color=self.theme.ink, gid="callout",
                             bbox={"boxstyle": "round,pad=0.25", "facecolor": self.theme.paper,
                                   "edgecolor": self.theme.ink, "linewidth": 0.6})
        return left_out
