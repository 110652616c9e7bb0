"""Draw a :class:`~nmo_timeline.plan.pathways.PathwaysPlan`: a sunburst of lines of therapy.

Wedges are patch collections (one per ring and paint), so thousands of
pathways stay a handful of artists.  A wedge is labelled with the first of the
plan's texts that lies wholly inside it (horizontal if one fits, else along
the arc or the radius, turned to read upright); labels therefore never overlap,
and the ones that do not fit are left out (:func:`wedge_labels` counts them).
The legend sits beside the circle or under it, whichever leaves the larger
circle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch
from matplotlib.patches import Wedge as WedgePatch

from ..plan.options import DEFAULT_DPI, SLIDE_SIZE
from ..plan.pathways import COMBINATION_HATCH, NONE, OTHER_HATCH, PathwaysPlan, Wedge
from .figure import MIN_TEXT_PT, Style, styled_figure
from .fit import fit_text_width
from .swimmer import legend_that_fits, more_handle
from .themes import Theme, get_theme

PAD_IN = 0.15
GAP_IN = 0.2  # between the circle and a legend beside it
UNDER_SHARE = 0.4  # a legend under the circle takes at most this share of the height
MIN_SIDE_IN = 0.5  # the circle is never smaller
RADIUS = 1.0  # outer radius, data units
LABEL_PAD = 0.15  # box around a label, in font sizes


def set_hatch_colour(artist: Any, colour: str) -> None:
    """Hatch lines in ``colour`` (matplotlib 3.10+; older ones hatch in the edge colour)."""
    if hasattr(artist, "set_hatchcolor"):
        artist.set_hatchcolor(colour)
    else:  # pragma: no cover - matplotlib < 3.10
        artist.set_edgecolor(colour)


class _Paint:
    """How the theme paints the plan's wedges: therapy colours (greys in print, as in
    the swimmer); ``other`` in a neutral grey, or hatched on paper in print."""

    def __init__(self, plan: PathwaysPlan, th: Theme):
        self.th = th
        self.themed = dict(zip(plan.series, th.series_colours(plan.series), strict=True))

    def colour(self, colour: str) -> str:
        return self.themed.get(colour, colour)

    def other(self) -> tuple[str, str]:
        """Face and hatch of ``other``."""
        return (self.th.paper, OTHER_HATCH) if self.th.greyscale else (self.th.unknown_edge, "")

    def face(self, w: Wedge) -> str:
        return self.colour(w.colours[0]) if w.colours else self.other()[0]

    def hatch(self, w: Wedge) -> str:
        return w.hatch if w.colours else self.other()[1]

    def hatch_colour(self, w: Wedge) -> str:
        if not w.colours:
            return self.th.unknown_edge
        if self.th.greyscale or len(w.colours) < 2:
            return self.th.ink
        return self.colour(w.colours[1])


def render_pathways(
    plan: PathwaysPlan,
    *,
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    theme: str = "light",
) -> Figure:
    """Draw a pathways sunburst onto a new Figure (object-oriented API, Agg canvas)."""
    th = get_theme(theme)
    style = Style.for_canvas(*size, theme=th)
    paint = _Paint(plan, th)
    width, height = size
    with styled_figure(style, size, dpi) as fig:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        top = PAD_IN
        if plan.title:
            title = fig.suptitle(plan.title, fontweight="bold")
            fit_text_width(title, width - 2 * PAD_IN, renderer, dpi)
            title.set_y(1 - PAD_IN / height)
            title.set_verticalalignment("top")
            top += title.get_window_extent(renderer).height / dpi + 0.1
        x0, y0, side = _layout(fig, plan, _legend_entries(plan, paint), style, top)
        ax = fig.add_axes((x0 / width, y0 / height, side / width, side / height))
        ax.set_gid("panel:pathways")
        lim = RADIUS * 1.01  # (_wedges relies on this square)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _wedges(ax, plan, paint, style)
        _centre(ax, plan, style, renderer)
        _label_wedges(ax, plan, paint, style, renderer)
    return fig


def _layout(fig: Figure, plan: PathwaysPlan, entries: Callable[[int], list[tuple[Artist, str]]],
            style: Style, top: float) -> tuple[float, float, float]:
    """Place the legend and caption, beside the circle or under it (whichever leaves
    the larger circle), and return the circle's square: left, bottom, side (inches).

    Beside, the legend is one column as tall as the canvas allows; under, as many
    columns as fit the width and at most :data:`UNDER_SHARE` of the height.  Either
    way, therapies that do not fit are counted in ``+K more therapies``.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    dpi = fig.dpi
    width, height = fig.get_size_inches()
    font = style.text(0.8)
    therapies = len(plan.legend_top)
    caption = fig.text(0.5, 0, plan.caption, fontsize=style.text(0.7), ha="center",
                       va="bottom", gid="caption")
    caption_size = caption.get_fontsize()

    def labels_for(keep: int) -> list[str]:
        return [label for _, label in entries(keep)]

    def legend(keep: int, **where: Any) -> Legend:
        handles, labels = (list(x) for x in zip(*entries(keep), strict=True))
        return fig.legend(handles, labels, frameon=False, fontsize=font, handleheight=1.2,
                          **where)

    def caption_height(max_in: float) -> float:
        caption.set_text(plan.caption)
        caption.set_fontsize(caption_size)
        fit_text_width(caption, max(max_in, 0.5), renderer, dpi)
        return float(caption.get_window_extent(renderer).height) / dpi + 0.08

    # beside
    keep, _ = legend_that_fits(fig, labels_for, therapies, font, 1e9, height - top - PAD_IN,
                               1.2)
    beside = legend(keep, loc="center left")
    leg_w = beside.get_window_extent(renderer).width / dpi
    column = width - leg_w - GAP_IN - 2 * PAD_IN
    side_beside = min(height - top - PAD_IN - caption_height(column), column)
    # under
    keep, ncol = legend_that_fits(fig, labels_for, therapies, font, width - 2 * PAD_IN,
                                  height * UNDER_SHARE, 1.2)
    under = legend(keep, loc="lower center", ncol=ncol, bbox_to_anchor=(0.5, PAD_IN / height))
    leg_top = under.get_window_extent(renderer).y1 / dpi  # over its border padding
    side_under = min(width - 2 * PAD_IN,
                     height - top - leg_top - caption_height(width - 2 * PAD_IN))
    if side_beside >= side_under:
        under.remove()
        side = max(side_beside, MIN_SIDE_IN)
        cap_h = caption_height(max(column, side))
        x0 = max(PAD_IN, (width - leg_w - GAP_IN - side) / 2)
        y0 = PAD_IN + cap_h + (height - top - PAD_IN - cap_h - side) / 2
        beside.set_bbox_to_anchor(((x0 + side + GAP_IN) / width, (y0 + side / 2) / height),
                                  transform=fig.transFigure)
        caption.set_position(((x0 + side / 2) / width, PAD_IN / height))
    else:
        beside.remove()
        side = max(side_under, MIN_SIDE_IN)
        cap_h = caption_height(width - 2 * PAD_IN)
        caption.set_position((0.5, leg_top / height))
        x0 = (width - side) / 2
        y0 = leg_top + cap_h
    return x0, y0, side


def _legend_entries(plan: PathwaysPlan,
                    paint: _Paint) -> Callable[[int], list[tuple[Artist, str]]]:
    """The legend's entries when it keeps the first ``k`` of the plan's therapies:
    therapies, ``+K more therapies``, then combination, no therapy and other."""
    th = paint.th
    marks: list[tuple[Artist, str]] = []
    if plan.combination:
        combo = Patch(facecolor=th.paper, edgecolor=th.ink, linewidth=0.5,
                      hatch=COMBINATION_HATCH)
        set_hatch_colour(combo, th.ink)
        marks.append((combo, "add-on combination: first therapy's\ncolour, hatched in the "
                             "second's"))
    if plan.no_therapy:
        marks.append((Patch(facecolor=paint.colour(plan.series[-1]), edgecolor="none"), NONE))
    if plan.other:
        face, hatch = paint.other()
        rare = Patch(facecolor=face, edgecolor="none", hatch=hatch or None)
        set_hatch_colour(rare, th.unknown_edge)
        marks.append((rare, f"other: continued by fewer\nthan {plan.pathways.min_patients} "
                            "patients each"))

    def entries(keep: int) -> list[tuple[Artist, str]]:
        out: list[tuple[Artist, str]] = [
            (Patch(facecolor=paint.colour(plan.legend[label]), edgecolor="none"), label)
            for label in plan.legend_top[:keep]]
        more = plan.legend_more + len(plan.legend_top) - keep
        if more:
            out.append(more_handle(more))
        return out + marks

    return entries


def _wedges(ax: Axes, plan: PathwaysPlan, paint: _Paint, style: Style) -> None:
    """One PatchCollection per ring and hatch paint; edges in the paper colour part them,
    except on wedges too narrow for an edge on each side (they would vanish under it)."""
    edge = style.font / 15  # points
    # points per data unit: the axes is a square of 2 * 1.01 radii
    per_unit = ax.bbox.width * 72 / ax.figure.dpi / (2 * RADIUS * 1.01)

    def edge_of(w: Wedge) -> float:
        narrowest = 2 * math.pi * w.inner * RADIUS * per_unit * (w.stop - w.start)
        return edge if narrowest >= 4 * edge else 0.0

    groups: dict[tuple[int, str, str], list[Wedge]] = defaultdict(list)
    for w in plan.wedges:
        hatch = paint.hatch(w)
        groups[w.ring, hatch, paint.hatch_colour(w) if hatch else ""].append(w)
    for (ring, hatch, hatch_colour), wedges in sorted(groups.items()):
        patches = [WedgePatch((0.0, 0.0), w.outer * RADIUS, 90 - 360 * w.stop,
                              90 - 360 * w.start, width=(w.outer - w.inner) * RADIUS)
                   for w in wedges]
        coll = PatchCollection(patches, facecolors=[paint.face(w) for w in wedges],
                               edgecolors=paint.th.paper,
                               linewidths=[edge_of(w) for w in wedges],
                               hatch=hatch or None, zorder=2)
        if hatch:
            set_hatch_colour(coll, hatch_colour)
        coll.set_gid(f"wedges:{ring}" + (f":{hatch_colour}" if hatch else ""))
        ax.add_collection(coll)


def _centre(ax: Axes, plan: PathwaysPlan, style: Style, renderer: Any) -> None:
    """The number of patients in the hole: the first of the plan's texts that fits,
    as large as it fits (none if nothing fits at 6 pt)."""
    to_px = ax.transData.transform
    hole = (plan.wedges[0].inner if plan.wedges else 0.3) * RADIUS
    hole_px = float(to_px((hole, 0.0))[0] - to_px((0.0, 0.0))[0])
    text = ax.text(0, 0, "", ha="center", va="center", fontweight="bold",
                   gid="centre-label", linespacing=1.1)
    for candidate in plan.centre:
        text.set_text(candidate)
        size = style.font
        while True:
            text.set_fontsize(size)
            bb = text.get_window_extent(renderer)
            if math.hypot(bb.width / 2, bb.height / 2) <= hole_px * 0.95:
                return
            if size <= MIN_TEXT_PT:
                break
            size = max(MIN_TEXT_PT, size * 0.9)
    text.remove()


def _label_wedges(ax: Axes, plan: PathwaysPlan, paint: _Paint, style: Style,
                  renderer: Any) -> None:
    """Label each wedge with the first of its texts that lies wholly inside it.

    Horizontal text is tried first, then text along the arc, then along the radius
    (both turned to read upright); positions from the wedge's middle outwards.  A
    label is kept only if it also clears every label kept before it (larger wedges
    first), so labels never overlap.
    """
    font = style.text(0.7)
    dpi = ax.figure.dpi
    to_px = ax.transData.transform
    origin = to_px((0.0, 0.0))
    unit_px = float(to_px((RADIUS, 0.0))[0] - origin[0]) / RADIUS  # pixels per data unit
    line_px = font * 1.2 / 72 * dpi
    kept: list[np.ndarray] = []  # corners of the labels placed, pixels
    for w in sorted(plan.wedges, key=lambda w: -w.patients):
        inner, outer = w.inner * RADIUS * unit_px, w.outer * RADIUS * unit_px
        mid = (inner + outer) / 2
        if mid * 2 * math.pi * (w.stop - w.start) < line_px or outer - inner < line_px:
            continue  # too thin for a line of text: not worth measuring
        face = paint.face(w)
        boxed = bool(paint.hatch(w))
        pad = LABEL_PAD * font / 72 * dpi if boxed else 1.0
        text = ax.text(0, 0, "", ha="center", va="center", fontsize=font, linespacing=1.05,
                       color=paint.th.text_on(face) if face != paint.th.paper else paint.th.ink,
                       gid=f"wedge-label:{w.ring}", zorder=4, rotation_mode="anchor")
        if boxed:
            text.set_bbox({"boxstyle": f"square,pad={LABEL_PAD}", "facecolor": face,
                           "edgecolor": "none"})
        sizes = []
        for label in w.labels:
            text.set_text(label)
            bb = text.get_window_extent(renderer)
            sizes.append((label, bb.width / 2 + pad, bb.height / 2 + pad))
        placed = False
        for orientation in ORIENTATIONS:
            for label, half_w, half_h in sizes:
                spot = _fit(half_w, half_h, inner, outer, w.start, w.stop, orientation)
                if spot is None:
                    continue
                x, y, rotation = spot
                corners = _corners(x, y, half_w, half_h, rotation)
                if any(_overlap(corners, k) for k in kept):
                    continue
                text.set_text(label)
                text.set_rotation(rotation)
                dx, dy = ax.transData.inverted().transform((origin[0] + x, origin[1] + y))
                text.set_position((float(dx), float(dy)))
                kept.append(corners)
                placed = True
                break
            if placed:
                break
        if not placed:
            text.remove()


ORIENTATIONS = ("horizontal", "tangential", "radial")


def _upright(degrees: np.ndarray) -> np.ndarray:
    """Text angles turned by half a turn where needed to read left to right."""
    return np.mod(degrees + 90, 180) - 90


def _fit(half_w: float, half_h: float, inner: float, outer: float, start: float,
         stop: float, orientation: str = "horizontal") -> tuple[float, float, float] | None:
    """Centre (pixels from the circle's centre) and angle (degrees) of a ``2 half_w`` x
    ``2 half_h`` box that lies inside the ring segment, nearest its middle; or None.

    Candidate centres lie on a grid of angles and radii across the segment, tried
    from its middle outwards; the box is horizontal, along the arc or along the
    radius; it is tested at points along its edges.
    """
    span = stop - start
    steps = np.linspace(-0.48, 0.48, 49)  # along the arc, as shares of the segment
    depths = np.linspace(0.2, 0.8, 13)  # across the ring
    step, depth = (a.reshape(-1) for a in np.meshgrid(steps, depths))
    order = np.argsort(np.abs(step) + 0.5 * np.abs(depth - 0.5), kind="stable")
    polar = 90 - 360 * ((start + stop) / 2 + span * step)  # degrees, counter-clockwise
    radii = inner + (outer - inner) * depth
    cx, cy = radii * np.cos(np.radians(polar)), radii * np.sin(np.radians(polar))
    if orientation == "horizontal":
        rotation = np.zeros_like(polar)
    else:
        rotation = _upright(polar - 90 if orientation == "tangential" else polar)
    t = np.linspace(-1, 1, 9)
    ex = np.concatenate([t * half_w, np.full(9, half_w), t * half_w, np.full(9, -half_w)])
    ey = np.concatenate([np.full(9, -half_h), t * half_h, np.full(9, half_h), t * half_h])
    c, s = np.cos(np.radians(rotation))[:, None], np.sin(np.radians(rotation))[:, None]
    px = cx[:, None] + ex[None, :] * c - ey[None, :] * s
    py = cy[:, None] + ex[None, :] * s + ey[None, :] * c
    r = np.hypot(px, py)
    ok = ((r >= inner) & (r <= outer)).all(axis=1)
    if span < 1.0:
        share = np.mod(90 - np.degrees(np.arctan2(py, px)), 360) / 360
        ok &= ((share >= start) & (share <= stop)).all(axis=1)
    for i in order.tolist():
        if ok[i]:
            return float(cx[i]), float(cy[i]), float(rotation[i])
    return None


def _corners(x: float, y: float, half_w: float, half_h: float, degrees: float) -> np.ndarray:
    """The four corners of a box centred on (x, y), turned by ``degrees``."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    local = np.array([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h],
                      [-half_w, half_h]])
    return np.column_stack([x + local[:, 0] * c - local[:, 1] * s,
                            y + local[:, 0] * s + local[:, 1] * c])


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two convex quadrilaterals (corners in order) overlap: no edge normal of
    either separates them."""
    for poly in (a, b):
        edges = np.roll(poly, -1, axis=0) - poly
        for nx, ny in zip(-edges[:, 1], edges[:, 0], strict=True):
            pa, pb = a @ (nx, ny), b @ (nx, ny)
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def wedge_labels(fig: Figure) -> tuple[int, int]:
    """(wedges labelled, wedges without a label) in a figure from :func:`render_pathways`."""
    wedges = sum(len(c.get_paths()) for ax in fig.axes for c in ax.collections
                 if (c.get_gid() or "").startswith("wedges:"))
    labelled = sum(1 for ax in fig.axes for t in ax.texts
                   if (t.get_gid() or "").startswith("wedge-label:"))
    return labelled, wedges - labelled
