"""Python and matplotlib warnings, turned into the tool's own one-line warnings.

Drawing text in a font without the glyphs for it makes matplotlib warn once per
character and per drawing; a font family that is not installed is logged once
per text ("findfont: Font family ... not found", hundreds of lines); numpy warns
about overflows.  None of that reaches the user raw: :func:`collect_warnings`
records it while a command runs, and :meth:`WarningLog.lines` says each thing
once, in words a user can act on.  Batch workers collect their own and send
them to the parent, which merges them (:func:`merge`).
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_GLYPH = re.compile(r"^Glyph (\d+) .*missing from (?:current )?font", re.DOTALL)
_FINDFONT = re.compile(r"^findfont: Font family \[?'?(.*?)'?\]? not found")
_STACK: list[WarningLog] = []


@dataclass
class WarningLog:
    """What the libraries warned about during a run, each thing once."""

    glyphs: dict[str, None] = field(default_factory=dict)  # characters without a glyph
    fonts: dict[str, None] = field(default_factory=dict)  # font families not installed
    other: dict[str, None] = field(default_factory=dict)  # any other warning, as one line

    def add_warning(self, message: warnings.WarningMessage) -> None:
        text = str(message.message)
        glyph = _GLYPH.match(text)
        if glyph:
            ch = chr(int(glyph.group(1)))
            if ch.isprintable():  # no font draws control characters: not a font's fault
                self.glyphs[ch] = None
            return
        first = text.strip().splitlines()[0] if text.strip() else ""
        self.other[f"{message.category.__name__}: {first}"] = None

    def add_log(self, text: str) -> None:
        font = _FINDFONT.match(text)
        if font:
            self.fonts[font.group(1)] = None
        else:
            self.other[text.strip().splitlines()[0] if text.strip() else text] = None

    def merge(self, other: WarningLog) -> None:
        self.glyphs.update(other.glyphs)
        self.fonts.update(other.fonts)
        self.other.update(other.other)

    def lines(self) -> list[str]:
        """The warnings as the tool prints them (without the ``warning:`` prefix)."""
        out = [f"font family '{name}' is not installed; the text is drawn in DejaVu Sans "
               "instead (name an installed font in the style file's [font] family)"
               for name in self.fonts]
        if self.glyphs:
            n = len(self.glyphs)
            sample = "".join(list(self.glyphs)[:8])
            out.append(f"the font has no glyphs for {n} character{'s' if n != 1 else ''} in "
                       f"the figure's text (e.g. '{sample}'), drawn as empty boxes; install a "
                       "font with them and name it in a style file's [font] family")
        out += list(self.other)
        return out


class _FontLog(logging.Handler):
    def __init__(self, log: WarningLog):
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log.add_log(record.getMessage())


@contextmanager
def collect_warnings() -> Iterator[WarningLog]:
    """Record user and runtime warnings, and matplotlib's font log, inside the block.

    Other categories (deprecations) keep the filters in force, so a test suite that
    turns them into errors still sees them.
    """
    log = WarningLog()
    logger = logging.getLogger("matplotlib.font_manager")
    handler = _FontLog(log)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    _STACK.append(log)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            warnings.simplefilter("always", RuntimeWarning)
            try:
                yield log
            finally:
                for message in caught:
                    log.add_warning(message)
    finally:
        _STACK.remove(log)
        logger.removeHandler(handler)
        logger.propagate = propagate


def merge(log: WarningLog) -> None:
    """Add warnings collected elsewhere (a batch worker) to the innermost collection."""
    if _STACK:
        _STACK[-1].merge(log)
