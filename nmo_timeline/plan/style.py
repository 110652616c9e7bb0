"""Style files (``--style FILE.toml``): lane order and labels, colours, fonts, panels.

Pure data, read with the standard library's TOML parser and checked strictly:
an unknown section or key, or a value of the wrong kind, is an error that names
the file and the key.  Example (the README has the complete one)::

    [lanes]
    order = ["Tocilizumab", "Rituximab"]     # first, in this order; others by first use
    [lanes.labels]
    "IV methylprednisolone" = "IVMP"
    [colours]                                # by therapy name, or by registry class
    Tocilizumab = "#CC79A7"
    "anti-CD20" = "#0072B2"                  # (#RGB is read as #RRGGBB)
    [font]
    family = "DejaVu Sans"
    scale = 1.1
    [panels]
    show = ["edss", "therapy", "relapse", "mri", "lab"]
    [therapies.study-drug]                   # the registry format (README, "Therapy names")
    label = "Study drug"
    role = "maintenance"
    aliases = ["SD-101"]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.registry import Entry, Registry, default_registry, name_key
from ..errors import NmoTimelineError

PANELS = ("edss", "periods", "therapy", "relapse", "mri", "lab")
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SCHEMA: dict[str, set[str]] = {
    "lanes": {"order", "labels"},
    "colours": set(),  # free keys
    "colors": set(),
    "font": {"family", "scale"},
    "panels": {"show"},
    "therapies": set(),  # the registry format, checked by domain.registry_file
}


class StyleError(NmoTimelineError):
    """A style file that cannot be used; the message names the file and key."""


@dataclass
class StyleSpec:
    """A parsed style file."""

    order: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    colours: dict[str, str] = field(default_factory=dict)  # folded name or class -> hex
    font_family: str | None = None
    font_scale: float = 1.0
    panels: list[str] | None = None
    therapies: tuple[Entry, ...] = ()  # [therapies]: names the registry learns for the figure
    source: str = ""

    def colour_for(self, name: str, registry: Registry | None = None) -> str | None:
        """A colour the style sets for this therapy: by name, registry entry or class."""
        info = (registry or default_registry()).lookup(name)
        keys = [name_key(name)]
        if info is not None:
            keys += [name_key(info.label), name_key(info.key), name_key(info.therapy_class)]
        return next((self.colours[k] for k in keys if k in self.colours), None)

    def label_for(self, name: str) -> str | None:
        return self.labels.get(name_key(name))

    def rank(self, name: str, registry: Registry | None = None) -> int | None:
        """Position of a therapy in ``[lanes] order`` (names and abbreviations match)."""
        lookup = (registry or default_registry()).lookup
        info = lookup(name)
        for i, wanted in enumerate(self.order):
            if wanted == name_key(name):
                return i
            wanted_info = lookup(wanted)
            if info is not None and wanted_info is not None and wanted_info.key == info.key:
                return i
        return None


def _table(doc: dict[str, Any], section: str) -> dict[str, Any]:
    """A section that must be a table (reported as such by :func:`parse_style`), or {}."""
    value = doc.get(section, {})
    return value if isinstance(value, dict) else {}


def _six_digits(colour: str) -> str:
    """``#abc`` as ``#aabbcc`` (the CSS reading of a three-digit colour)."""
    if len(colour) == 4:
        return "#" + "".join(ch * 2 for ch in colour[1:])
    return colour


def load_style(path: str | Path) -> StyleSpec:
    """Read and check a style file."""
    p = Path(path)
    where = str(path)
    if not p.is_file():
        raise StyleError(f"{where}: no such style file")
    import tomllib  # only when a style file is used

    try:
        text = p.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StyleError(f"{where}: not a valid TOML file ({exc})") from None
    except RecursionError:
        raise StyleError(f"{where}: not a style file: its arrays or tables are nested too "
                         "deeply (a style file nests at most two levels)") from None
    return parse_style(doc, where, text)


def parse_style(doc: dict[str, Any], where: str = "<style>", text: str = "") -> StyleSpec:
    """A style file's parsed TOML (``text``: its source, for the lines of ``[therapies]``
    problems) as a :class:`StyleSpec`; every problem at once in a :class:`StyleError`."""
    problems: list[str] = []
    spec = StyleSpec(source=where)

    def bad(key: str, message: str) -> None:
        problems.append(f"{where}: {key}: {message}")

    for section, value in doc.items():
        if section not in _SCHEMA:
            known = ", ".join(k for k in _SCHEMA if k != "colors")
            bad(f"[{section}]", f"unknown section; use {known}")
            continue
        if not isinstance(value, dict):
            bad(f"[{section}]", "must be a table")
            continue
        allowed = _SCHEMA[section]
        if allowed:
            for key in value:
                if key not in allowed:
                    bad(f"{section}.{key}", f"unknown key; use {', '.join(sorted(allowed))}")

    lanes = _table(doc, "lanes")
    if lanes:
        order = lanes.get("order", [])
        if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
            bad("lanes.order", "must be a list of therapy names")
        else:
            spec.order = [name_key(x) for x in order]
        labels = lanes.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            bad("lanes.labels", "must map therapy names to labels (text)")
        else:
            spec.labels = {name_key(k): v for k, v in labels.items()}
    colours = {**_table(doc, "colors"), **_table(doc, "colours")}
    for key, value in colours.items():
        if not isinstance(value, str) or not _HEX.match(value):
            shown = ("a table" if isinstance(value, dict) else
                     "a list" if isinstance(value, list) else f"'{value}'")
            bad(f"colours.{key}", f"{shown} is not a colour; use #RRGGBB")
        else:
            spec.colours[name_key(key)] = _six_digits(value)
    font = _table(doc, "font")
    if font:
        family = font.get("family")
        if family is not None and not isinstance(family, str):
            bad("font.family", "must be text")
        spec.font_family = family
        scale = font.get("scale", 1.0)
        # booleans are ints in Python: `scale = true` is not a number
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
                or not 0.5 <= scale <= 2.0:
            bad("font.scale", "must be a number from 0.5 to 2")
        else:
            spec.font_scale = float(scale)
    panels = _table(doc, "panels")
    if "show" in panels:
        show = panels["show"]
        if not isinstance(show, list) or not all(isinstance(x, str) for x in show):
            bad("panels.show", f"must be a list of panel names ({', '.join(PANELS)})")
        else:
            unknown = [x for x in show if x.casefold() not in PANELS]
            if unknown:
                bad("panels.show",
                    f"unknown panel(s) {', '.join(unknown)}; use {', '.join(PANELS)}")
            spec.panels = [x.casefold() for x in show]
    if isinstance(doc.get("therapies"), dict):
        from ..domain.registry_file import locate, parse_therapies

        entries, found = parse_therapies(doc["therapies"], locate(text),
                                         known=default_registry().therapies)
        spec.therapies = tuple(entries)
        problems += [f"{where}:{q.line}: {q}" if q.line else f"{where}: {q}"
                     for q in sorted(found, key=lambda q: q.line or 0)]
    if problems:
        raise StyleError("\n".join(problems))
    return spec
