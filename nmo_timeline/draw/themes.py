"""Figure themes: light (default), dark (for dark slide decks), print (greyscale-safe).

All themes keep the colour-blind-safe therapy colours distinguishable (checked by
simulation in the tests).  ``print`` maps every colour to a grey of its own
lightness and adds a hatch per therapy lane, so lanes stay apart without colour;
relapse syndromes already differ by marker shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.colours import UNTREATED
from ..errors import OptionError

# No diagonal hatches: "////" means "acute treatment", and a maintenance lane must
# never look like it.
PRINT_HATCHES = ("", "...", "---", "xxx", "|||", "ooo", "+++", "**")
ACUTE_HATCH = "////"
ACUTE_GREY = "#A0A0A0"  # the legend's "acute treatment" patch


@dataclass(frozen=True)
class Theme:
    name: str
    paper: str
    ink: str
    faint: str
    bands: tuple[str, str]
    lab: str
    relapse: str
    guide_alpha: float
    unknown_edge: str
    unknown_face: str
    greyscale: bool = False
    guide: str = ""  # relapse guide lines; default: the relapse colour
    muted: str = "#666666"  # secondary text (the calendar row): still 4.5:1 on the paper

    @property
    def guide_colour(self) -> str:
        return self.guide or self.relapse

    def mri_paint(self, group: str) -> tuple[str, str]:
        """(edge, face) of an MRI mark: filled ink (active), open paper (quiet), or the
        unknown greys."""
        return {"active": (self.ink, self.ink), "quiet": (self.ink, self.paper),
                "unknown": (self.unknown_edge, self.unknown_face)}[group]

    def therapy(self, colour: str, index: int = -1, count: int = 0) -> str:
        """The colour a therapy is drawn in under this theme.

        In greyscale, maintenance therapy ``index`` of ``count`` gets its own grey,
        evenly spaced from dark to light (colours of equal lightness would merge);
        acute treatments (index -1) keep a grey of their own lightness.  Untreated time
        is the theme's faint grey, as the swimmer's follow-up line (on the dark theme a
        light grey would be the brightest area of the slide).
        """
        if not self.greyscale:
            return self.faint if colour == UNTREATED else colour
        if index < 0 or count <= 0:
            return grey_of(colour)
        level = 0.2 + 0.55 * (index / max(count - 1, 1))
        v = round(level * 255)
        return f"#{v:02X}{v:02X}{v:02X}"

    def hatch(self, index: int, acute: bool) -> str:
        """Hatch for maintenance lane ``index`` (counted over maintenance lanes only):
        acute rows always ////, print adds one per maintenance lane."""
        if acute:
            return ACUTE_HATCH
        if self.greyscale:
            return PRINT_HATCHES[index % len(PRINT_HATCHES)]
        return ""

    def lane_paints(self, lanes: Sequence[tuple[str, bool]]) -> list[LanePaint]:
        """How each therapy lane is painted, from its (colour, all rows acute) in lane
        order: maintenance lanes spread over the greys in print (with a hatch each);
        acute rows hatched in the lane's grey; a lane of acute rows only in italics."""
        maintenance = [i for i, (_, acute) in enumerate(lanes) if not acute]
        paints = []
        for i, (colour, acute) in enumerate(lanes):
            face = self.therapy(colour, -1 if acute else maintenance.index(i), len(maintenance))
            hatch = "" if acute else self.hatch(maintenance.index(i), False)
            main = Paint(face, self.ink if hatch else face, hatch, False)
            grey = self.therapy(colour)
            paints.append(LanePaint(main, Paint(grey, self.ink, ACUTE_HATCH, True), acute))
        return paints

    def series_colours(self, colours: Sequence[str]) -> list[str]:
        """The colours of a legend's series (swimmer bars), spread over the greys in print."""
        return [self.therapy(c, i, len(colours)) for i, c in enumerate(colours)]

    @property
    def acute_paint(self) -> Paint:
        """The legend patch for "acute treatment"."""
        return Paint(self.therapy(ACUTE_GREY), self.ink, ACUTE_HATCH, True)

    def text_on(self, colour: str) -> str:
        """Text on a bar of ``colour``: white or dark ink, whichever contrasts more (WCAG)."""
        ink = THEMES["light"].ink
        return "#FFFFFF" if contrast("#FFFFFF", colour) >= contrast(ink, colour) else ink


@dataclass(frozen=True)
class Paint:
    """How a bar is drawn: face and edge colour, hatch, and an italic label."""

    face: str
    edge: str
    hatch: str
    italic: bool


@dataclass(frozen=True)
class LanePaint:
    """A lane's paint for maintenance rows and for acute rows, and whether its label is
    set in italics (every row acute)."""

    maintenance: Paint
    acute: Paint
    italic: bool

    def of(self, acute: bool) -> Paint:
        return self.acute if acute else self.maintenance


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#RRGGBB`` (linear sRGB)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def grey_of(colour: str) -> str:
    """The grey of the same relative luminance, kept between 25 % and 85 %."""
    level = 0.25 + 0.6 * luminance(colour)
    v = round(level * 255)
    return f"#{v:02X}{v:02X}{v:02X}"


THEMES = {
    "light": Theme("light", paper="#FFFFFF", ink="#1A1A1A", faint="#D9D9D9",
                   bands=("#EDEDED", "#DADADA"), lab="#3A3A3A", relapse="#D55E00",
                   guide_alpha=0.35, unknown_edge="#8C8C8C", unknown_face="#D9D9D9"),
    "dark": Theme("dark", paper="#16181C", ink="#E8E8E8", faint="#3C4048",
                  bands=("#2A2D33", "#373B42"), lab="#D0D0D0", relapse="#D55E00",
                  guide_alpha=0.45, unknown_edge="#9A9A9A", unknown_face="#4A4A4A",
                  muted="#A8A8A8"),
    "print": Theme("print", paper="#FFFFFF", ink="#000000", faint="#CCCCCC",
                   bands=("#EEEEEE", "#D6D6D6"), lab="#000000", relapse="#BDBDBD",
                   guide_alpha=0.5, unknown_edge="#777777", unknown_face="#DDDDDD",
                   greyscale=True, guide="#555555", muted="#555555"),
}


def get_theme(name: str) -> Theme:
    try:
        return THEMES[name.casefold()]
    except KeyError:
        raise OptionError(f"unknown theme '{name}'; use light, dark or print") from None
