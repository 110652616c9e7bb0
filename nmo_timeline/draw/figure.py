"""Figure setup shared by every figure: canvas-derived sizes and the rcParams in force.

Object-oriented API only (``matplotlib.figure.Figure`` on an Agg canvas), no
pyplot state.  Each figure records the rcParams it was built under, and is
drawn (saved) under the same ones (:func:`drawing_rc`).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import matplotlib
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plan.options import SLIDE_SIZE
from .themes import THEMES, Theme

MIN_TEXT_PT = 6.0  # smallest text anywhere (journal minimum)

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
    # user text (therapies, patients, titles) is drawn as written: "$" is not mathtext
    "text.parse_math": False,
}


@dataclass(frozen=True)
class Style:
    """Sizes derived from the canvas so text stays readable at every size."""

    width: float
    height: float
    font: float
    theme: Theme = THEMES["light"]
    family: str = "DejaVu Sans"
    fallback: bool = True  # try the installed FALLBACK_FONTS for characters family lacks

    @property
    def families(self) -> list[str]:
        """The font, then (where the text needs them) the installed fonts tried for
        characters it lacks."""
        if not self.fallback:
            return [self.family]
        return [self.family, *(f for f in installed_fallbacks() if f != self.family)]

    def text(self, factor: float) -> float:
        """A secondary text size: ``factor`` of the base size, never under 6 pt."""
        return max(MIN_TEXT_PT, self.font * factor)

    @classmethod
    def for_canvas(cls, width: float, height: float, theme: Theme | None = None,
                   family: str | None = None, font_scale: float = 1.0,
                   texts: Iterable[str] | None = None) -> Style:
        """Sizes for a canvas of ``width`` x ``height`` inches.  With ``texts`` (every
        text the figure will show), fallback fonts are tried only if one needs them
        (opening a CJK font costs time and memory); without, always."""
        scale = min(width / SLIDE_SIZE[0], height / SLIDE_SIZE[1])
        return cls(width, height, font=max(7.0, 15.0 * scale) * font_scale,
                   theme=theme or THEMES["light"], family=family or "DejaVu Sans",
                   fallback=texts is None or needs_fallback(texts))


def needs_fallback(texts: Iterable[str]) -> bool:
    """Whether any text has characters of the scripts DejaVu Sans lacks (from the CJK
    radicals, U+2E80, up: Chinese, Japanese, Korean and beyond)."""
    return any(ord(c) >= 0x2E80 for t in texts for c in t)


#: Fonts tried, in this order, for characters the chosen font lacks (the Japanese,
#: Chinese and Korean names of many records), where installed.
FALLBACK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Source Han Sans JP",
                  "Source Han Sans", "IPAexGothic", "IPAGothic", "Hiragino Sans",
                  "Yu Gothic", "Microsoft YaHei", "Malgun Gothic", "Arial Unicode MS")


@functools.cache
def installed_fallbacks() -> tuple[str, ...]:
    """The :data:`FALLBACK_FONTS` this machine has (looked up once)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in FALLBACK_FONTS if f in names)


# The rcParams each of our figures was built under: save_figure draws it under the same
# ones, so the drawing matches what fit_layout measured, and matplotlib's font lookup
# (cached per font size *and* rcParams) is not repeated for every text at save time.
_DRAW_RC: weakref.WeakKeyDictionary[Figure, dict[str, Any]] = weakref.WeakKeyDictionary()


@contextmanager
def styled_figure(style: Style, size: tuple[float, float], dpi: float) -> Iterator[Figure]:
    """A new Figure on an Agg canvas, with ``style``'s rcParams (BASE_RC, sizes, theme
    colours) in force inside the block; :func:`drawing_rc` gives them for saving."""
    rc = dict(BASE_RC)
    t = style.theme
    rc.update({
        "font.family": style.families,
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
    """The rcParams a figure is drawn (saved) under: those it was built with,
    or :data:`BASE_RC` for a figure made elsewhere."""
    return _DRAW_RC.get(fig, BASE_RC)


_LEFT_OUT: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()


def note_left_out(fig: Figure, note: str) -> None:
    """Record, on a figure, the one-line note naming the labels that did not fit (a
    second note joins the first: "first; second")."""
    if note:
        _LEFT_OUT[fig] = "; ".join(filter(None, [_LEFT_OUT.get(fig, ""), note]))


def left_out(fig: Figure) -> str:
    """The labels a figure had to leave out, as one line (``""`` when nothing was)."""
    return _LEFT_OUT.get(fig, "")


def num(d: date) -> float:
    """A date as matplotlib's day number."""
    return float(mdates.date2num(d))
