"""Therapy colours: one fixed colour per known therapy, shared by every figure.

Maintenance therapies get a colour by class family (B-cell depletion blues,
IL-6 receptor purples, complement greens, oral immunosuppressant oranges,
cytotoxic light blues), so a therapy keeps its colour across patients and
between the swimlane and the swimmer plot.  Acute treatments are greys (and
hatched in the figures).  The fixed colours are data: each therapy's
``colour`` (or its class's) in the registry file ``therapies.toml``.  Unknown
therapies take colours from a second colour-blind-safe palette (Paul Tol's
"muted") in order of first use.
Vermillion is kept for relapses.
"""

from __future__ import annotations

from typing import Any

from .registry import ACUTE, OTHER, Registry, default_registry

# unknown maintenance names, in order of first use; none repeats a class colour or the
# acute greys
EXTRA = ("#332288", "#117733", "#44AA99", "#88CCEE", "#CC6677", "#BBCC33", "#8C6D31", "#3E8E8E")
ACUTE_EXTRA = ("#7A7A7A", "#B5B5B5", "#575757")
OTHER_EXTRA = ("#A39E93", "#7E786E", "#C9C3B8")  # role other: quiet taupes, never a class
UNTREATED = "#D9D9D9"
RELAPSE = "#D55E00"


class Palette:
    """Hands out colours: fixed for known therapies (their own colour, else their class's,
    from the registry), in order of first use for the rest."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else default_registry()
        self._assigned: dict[str, str] = {}
        self._extra = 0
        self._acute = 0
        self._other = 0

    def colour(self, name: str, role: str) -> str:
        info = self.registry.lookup(name)
        if info is not None:
            fixed = self.registry.colour_of(info, role)
            if fixed is not None:
                return fixed
        key = " ".join(name.casefold().split())
        if key not in self._assigned:
            if role == ACUTE:
                self._assigned[key] = ACUTE_EXTRA[self._acute % len(ACUTE_EXTRA)]
                self._acute += 1
            elif role == OTHER:
                self._assigned[key] = OTHER_EXTRA[self._other % len(OTHER_EXTRA)]
                self._other += 1
            else:
                self._assigned[key] = EXTRA[self._extra % len(EXTRA)]
                self._extra += 1
        return self._assigned[key]


def known_colours(registry: Registry | None = None) -> dict[str, str]:
    """Therapy key -> fixed colour, for every therapy of ``registry`` that has one."""
    reg = registry if registry is not None else default_registry()
    out = {}
    for info in reg.known():
        colour = reg.colour_of(info)
        if colour is not None:
            out[info.key] = colour
    return out


def __getattr__(name: str) -> Any:
    # KNOWN (therapy key -> colour of the shipped registry), read from therapies.toml
    # when first asked for, so importing this module reads no file
    if name == "KNOWN":
        return known_colours()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
