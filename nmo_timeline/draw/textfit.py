"""Fitting the statistics figures' texts into their room, never under the 6 pt minimum:
wrap at spaces, shorten with an ellipsis, shrink a label that would leave the canvas."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.text import Text

from .figure import MIN_TEXT_PT


def width_in(text: Text, renderer: object, dpi: float) -> float:
    """The drawn width of ``text`` in inches."""
    return float(text.get_window_extent(renderer).width) / dpi  # type: ignore[arg-type]


def wrap_text(text: Text, max_in: float, renderer: object, dpi: float) -> None:
    """Break ``text`` at spaces into lines at most ``max_in`` inches wide, keeping its size
    (a single word wider than that stays whole)."""
    lines: list[str] = []
    for word in text.get_text().split():
        if lines:
            text.set_text(f"{lines[-1]} {word}")
            if width_in(text, renderer, dpi) <= max_in:
                lines[-1] = f"{lines[-1]} {word}"
                continue
        lines.append(word)
    text.set_text("\n".join(lines))


def shorten(text: Text, max_in: float, renderer: object, dpi: float) -> str:
    """End ``text`` with an ellipsis where it is wider than ``max_in`` inches; returns the
    text as drawn."""
    full = text.get_text()
    cut = len(full)
    while width_in(text, renderer, dpi) > max_in and cut > 4:
        cut -= 1
        text.set_text(full[:cut].rstrip() + "…")
    return str(text.get_text())


def keep_inside(text: Text, fig: Figure, renderer: object) -> None:
    """Shrink ``text`` (never under 6 pt) until it lies across the canvas' width."""
    box = fig.bbox
    size = float(text.get_fontsize())
    while size > MIN_TEXT_PT:
        bb = text.get_window_extent(renderer)  # type: ignore[arg-type]
        if bb.x0 >= box.x0 and bb.x1 <= box.x1:
            return
        size = max(MIN_TEXT_PT, size * 0.95)
        text.set_fontsize(size)
