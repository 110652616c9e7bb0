"""Typed figure options: every choice that shapes a timeline figure, with its default.

:class:`FigureOptions` is built once (by the command line from its flags, or by a
caller of :func:`nmo_timeline.plot_timeline`) and passed whole to the plan, the
renderer, the file writers and the batch workers.  The defaults live here and
nowhere else.  No heavy imports: the command line reads the choices for ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..errors import OptionError

if TYPE_CHECKING:
    from .style import StyleSpec

SLIDE_SIZE = (13.333, 7.5)
DEFAULT_DPI = 200

SIZES: dict[str, tuple[float, float]] = {
    "slide": SLIDE_SIZE,
    "slide-4x3": (10.0, 7.5),
    "a4": (11.69, 8.27),
    "column": (3.5, 3.2),
    "double-column": (7.2, 4.5),
}


DEFAULT_SIZE = "slide"


class ThemeName(str, Enum):
    """Colour themes (:mod:`nmo_timeline.draw.themes`)."""

    light = "light"
    dark = "dark"
    print = "print"


DEFAULT_THEME = ThemeName.light


class TimeUnit(str, Enum):
    """Units of relative time."""

    days = "days"
    weeks = "weeks"
    months = "months"
    years = "years"


def parse_size(text: str) -> tuple[float, float]:
    """A size preset (``slide``, ``slide-4x3``, ``a4``, ``column``, ``double-column``)
    or ``WIDTHxHEIGHT`` in inches.

    Examples
    --------
    >>> parse_size("column"), parse_size("10x6")
    ((3.5, 3.2), (10.0, 6.0))
    """
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


@dataclass(frozen=True)
class FigureOptions:
    """How to draw one patient's timeline.

    Parameters
    ----------
    title : str
        Figure title (none by default).
    size : (float, float)
        Canvas in inches; the default is a 16:9 slide (13.33 x 7.5).
    dpi : int
        Resolution of raster output.
    theme : {"light", "dark", "print"}
        Colours; ``print`` is greyscale-safe with a hatch per lane.
    transparent : bool
        Transparent background (the default is opaque).
    arr : bool
        A band above the lanes with each treatment period's annualised relapse rate.
    relative : str, optional
        ``onset``, ``first-therapy``, a therapy name or a date: show time since it.
    unit : {"days", "weeks", "months", "years"}, optional
        Unit of relative time (default: from the span).
    window : str, optional
        ``FROM:TO`` (dates, or numbers in the relative unit) to zoom the time axis.
    calendar_row : bool
        Under relative time, a row of calendar years.
    anonymize : bool
        Relative time only (onset unless ``relative`` says otherwise), no calendar
        row, no free-text details.
    annotate : tuple of str
        Callouts ``LABEL@DATE`` (a date, or a number in the relative unit).
    style : StyleSpec, optional
        Lane order and labels, colours, fonts and panels from a style file.
    show_details : bool
        Dose and detail text on therapy bars where it fits.
    cutoff, grace_days
        For the ARR band: end of observation, and days after a switch whose
        relapses count for the previous regimen.
    min_period_days, max_gap_days
        The period rules of the ARR band and ``--build``: a shorter period shows no
        ARR; a shorter untreated gap between two therapies is no gap.
    """

    title: str = ""
    size: tuple[float, float] = SIZES[DEFAULT_SIZE]
    dpi: int = DEFAULT_DPI
    theme: str = DEFAULT_THEME.value
    transparent: bool = False
    arr: bool = False
    relative: str | None = None
    unit: str | None = None
    window: str | None = None
    calendar_row: bool = True
    anonymize: bool = False
    annotate: tuple[str, ...] = ()
    style: StyleSpec | None = None
    show_details: bool = True
    cutoff: Any = None  # datetime.date
    grace_days: int = 0
    min_period_days: int = MIN_PERIOD_DAYS
    max_gap_days: int = MAX_GAP_DAYS

    def __post_init__(self) -> None:
        theme = self.theme.value if isinstance(self.theme, Enum) else str(self.theme)
        if theme.casefold() not in {t.value for t in ThemeName}:
            raise OptionError(f"unknown theme '{self.theme}'; use light, dark or print")
        object.__setattr__(self, "theme", theme.casefold())
        if isinstance(self.unit, Enum):
            object.__setattr__(self, "unit", self.unit.value)
        if isinstance(self.size, str):
            object.__setattr__(self, "size", parse_size(self.size))
        object.__setattr__(self, "annotate", tuple(self.annotate or ()))
        if self.anonymize and self.relative is not None:
            from .timeaxis import HiddenAnchor

            # a date anchor is shown as "anchor": the axis label must not carry the date
            object.__setattr__(self, "relative", HiddenAnchor(self.relative))

    @classmethod
    def of(cls, options: FigureOptions | None = None, **changes: Any) -> FigureOptions:
        """``options`` (or the defaults) with ``changes``; unknown names are refused."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown figure option(s): {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(known))}")
        base = options if options is not None else cls()
        return replace(base, **changes) if changes else base

    @property
    def font_family(self) -> str | None:
        return self.style.font_family if self.style is not None else None

    @property
    def font_scale(self) -> float:
        return self.style.font_scale if self.style is not None else 1.0
