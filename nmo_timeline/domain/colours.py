"""Therapy colours: one fixed colour per known therapy, shared by every figure.

Maintenance therapies get a colour by class family (B-cell depletion blues,
IL-6 receptor purples, complement greens, oral immunosuppressant oranges,
cytotoxic light blues), so a therapy keeps its colour across patients and
between the swimlane and the swimmer plot.  Acute treatments are greys (and
hatched in the figures).  Unknown therapies take colours from a second
colour-blind-safe palette (Paul Tol's "muted") in order of first use.
Vermillion is kept for relapses.
"""

from __future__ import annotations

from .registry import ACUTE, lookup

KNOWN: dict[str, str] = {
    # B-cell depletion
    "rituximab": "#0072B2",
    "ocrelizumab": "#5FA2D6",
    "inebilizumab": "#1F3F8F",
    # IL-6 receptor
    "tocilizumab": "#CC79A7",
    "satralizumab": "#8E3B6E",
    # complement C5
    "eculizumab": "#009E73",
    "ravulizumab": "#00634A",
    # oral immunosuppressants
    "azathioprine": "#E69F00",
    "mycophenolate": "#A86E00",
    "methotrexate": "#F2C46B",
    "oral-steroids": "#CC9E4E",
    # cytotoxic / depleting
    "mitoxantrone": "#56B4E9",
    "cyclophosphamide": "#9ED3F2",
    "alemtuzumab": "#999933",
    # MS therapies
    "interferon-beta": "#882255",
    "natalizumab": "#AA4499",
    "fingolimod": "#661100",
    "glatiramer": "#DDCC77",
    # acute
    "steroid-pulse": "#6E6E6E",
    "plasma-exchange": "#A0A0A0",
    "immunoadsorption": "#4A4A4A",
    "ivig": "#C4C4C4",
}
EXTRA = ("#332288", "#117733", "#44AA99", "#88CCEE", "#CC6677", "#DDDDDD", "#AA4499", "#882255")
ACUTE_EXTRA = ("#7A7A7A", "#B5B5B5", "#575757")
UNTREATED = "#D9D9D9"
RELAPSE = "#D55E00"


class Palette:
    """Hands out colours: fixed for known therapies, in order for the rest."""

    def __init__(self) -> None:
        self._assigned: dict[str, str] = {}
        self._extra = 0
        self._acute = 0

    def colour(self, name: str, role: str) -> str:
        info = lookup(name)
        if info is not None and info.key in KNOWN:
            return KNOWN[info.key]
        key = " ".join(name.casefold().split())
        if key not in self._assigned:
            if role == ACUTE:
                self._assigned[key] = ACUTE_EXTRA[self._acute % len(ACUTE_EXTRA)]
                self._acute += 1
            else:
                self._assigned[key] = EXTRA[self._extra % len(EXTRA)]
                self._extra += 1
        return self._assigned[key]
