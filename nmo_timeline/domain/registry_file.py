"""Registry files: the shipped ``therapies.toml``, a clinic's ``--registry FILE`` and a style
file's ``[therapies]`` table, all in one format, checked strictly.

Every problem names its line (found by reading the TOML text alongside the parsed
document) and its key (``therapies.rituximab.role``); all problems are reported
together.  A broken entry in the shipped file is a bug, caught by the tests.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .registry import ROLES, Entry, Registry, words

SHIPPED = Path(__file__).with_name("therapies.toml")
FIELDS = ("label", "class", "role", "long_acting", "colour", "maintenance_colour", "aliases")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
ALIAS_GROUPS = ("brands", "other")  # besides two- or three-letter language codes
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
# a key as TOML writes it: bare, or quoted (no escapes needed for registry keys)
_PART = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_HEADER = re.compile(rf"^\s*\[\[?\s*({_PART}(?:\s*\.\s*{_PART})*)\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=")
_SPLIT = re.compile(rf"{_PART}")


class RegistryProblem(NamedTuple):
    """One problem in a registry file: its line (``None``: the file as a whole), the key
    as a dotted path, and what is wrong."""

    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class RegistryFileError(ValueError):
    """A registry file that cannot be used; ``problems`` lists every problem."""

    def __init__(self, problems: list[RegistryProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _SPLIT.findall(dotted))


def locate(text: str) -> dict[tuple[str, ...], int]:
    """The line where each table and key of a TOML text is written (first occurrence),
    by dotted path: ``("therapies", "rituximab", "role") -> 12``."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            for i in range(1, len(table) + 1):
                found.setdefault(table[:i], number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            path = table + _parts(assign.group(1))
            for i in range(len(table) + 1, len(path) + 1):
                found.setdefault(path[:i], number)
    return found


@dataclass
class _Checker:
    lines: Mapping[tuple[str, ...], int]
    problems: list[RegistryProblem]

    def bad(self, path: tuple[str, ...], message: str) -> None:
        line = None
        for i in range(len(path), 0, -1):
            if path[:i] in self.lines:
                line = self.lines[path[:i]]
                break
        self.problems.append(RegistryProblem(line, ".".join(path), message))


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _aliases(value: Any, path: tuple[str, ...], check: _Checker) -> list[str]:
    """``aliases`` as a list of names, or a table of lists by language."""
    groups: list[tuple[tuple[str, ...], Any]]
    if isinstance(value, dict):
        groups = []
        for group, names in value.items():
            if not (_LANGUAGE.match(group) or group in ALIAS_GROUPS):
                check.bad((*path, group), "unknown alias group; use a language code (en, de, "
                                          "fr, es, it, ja, ...), brands or other")
                continue
            groups.append(((*path, group), names))
    else:
        groups = [(path, value)]
    out: list[str] = []
    for where, names in groups:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            check.bad(where, f"{_what(names)} is not a list of names, e.g. [\"Rituximab\", "
                             "\"RTX\"]")
            continue
        for n in names:
            if not words(n):
                check.bad(where, f"alias {n!r} has no letters or digits")
            else:
                out.append(n)
    return out


def parse_therapies(table: Any, lines: Mapping[tuple[str, ...], int], *,
                    prefix: tuple[str, ...] = ("therapies",),
                    known: Iterable[str] = ()) -> tuple[list[Entry], list[RegistryProblem]]:
    """The entries of a ``[therapies]`` table, and its problems.

    ``known``: keys that already exist (an entry for one of them may give only the fields
    it changes); a new key must give ``label`` and ``role``.  An alias may name one
    therapy of the table only.
    """
    check = _Checker(lines, [])
    if not isinstance(table, dict):
        check.bad(prefix, f"{_what(table)} is not a table of therapies")
        return [], check.problems
    existing = set(known)
    entries: list[Entry] = []
    owner: dict[tuple[str, ...], str] = {}
    for key, spec in table.items():
        path = (*prefix, key)
        if not _KEY.match(key):
            check.bad(path, "a therapy key is lower-case letters, digits and hyphens, e.g. "
                            "'rituximab' or 'oral-steroids'")
            continue
        if not isinstance(spec, dict):
            check.bad(path, f"{_what(spec)} is not a table; write [therapies.{key}] with label, "
                            "class, role and aliases")
            continue
        for name in spec:
            if name not in FIELDS:
                check.bad((*path, name), f"unknown key; use {', '.join(FIELDS)}")
        texts: dict[str, str | None] = {}
        for name in ("label", "class"):
            value = spec.get(name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                check.bad((*path, name), f"{_what(value)} is not a name (text)")
                value = None
            texts[name] = value.strip() if isinstance(value, str) else None
        role = spec.get("role")
        if role is not None and role not in ROLES:
            check.bad((*path, "role"),
                      f"{_what(role)} is not a role; use acute, maintenance or other")
            role = None
        long_acting = spec.get("long_acting")
        if long_acting is not None and not isinstance(long_acting, bool):
            check.bad((*path, "long_acting"), f"{_what(long_acting)} is not true or false")
            long_acting = None
        colours: dict[str, str | None] = {}
        for name in ("colour", "maintenance_colour"):
            colour = spec.get(name)
            if colour is not None and not (isinstance(colour, str) and _HEX.match(colour)):
                check.bad((*path, name), f"{_what(colour)} is not a colour; use #RRGGBB")
                colour = None
            colours[name] = _six_digits(colour) if colour else None
        if key not in existing:
            missing = [f for f in ("label", "role") if spec.get(f) is None]
            if missing:
                check.bad(path, f"a new therapy needs {' and '.join(missing)} (a therapy of "
                                f"the registry is changed by its key)")
        aliases = _aliases(spec.get("aliases", []), (*path, "aliases"), check)
        for alias in [*aliases, *([texts["label"]] if texts["label"] else [])]:
            ws = words(alias)
            other = owner.setdefault(ws, key)
            if other != key:
                line = lines.get((*prefix, other))
                at = f" (line {line})" if line else ""
                check.bad((*path, "aliases"), f"{alias!r} already names therapies.{other}{at}; "
                                              "an alias names one therapy")
        entries.append(Entry(key, texts["label"], texts["class"], role, long_acting,
                             colours["colour"], tuple(aliases), lines.get(path),
                             colours["maintenance_colour"]))
    return entries, check.problems


def _six_digits(colour: str) -> str:
    if len(colour) == 4:
        return "#" + "".join(ch * 2 for ch in colour[1:]).upper()
    return colour.upper()


def parse_classes(table: Any, lines: Mapping[tuple[str, ...], int]
                  ) -> tuple[dict[str, str], list[RegistryProblem]]:
    """``[classes]``: class name -> colour."""
    check = _Checker(lines, [])
    if not isinstance(table, dict):
        check.bad(("classes",), f"{_what(table)} is not a table of class colours")
        return {}, check.problems
    out = {}
    for name, colour in table.items():
        if not (isinstance(colour, str) and _HEX.match(colour)):
            check.bad(("classes", name), f"{_what(colour)} is not a colour; use #RRGGBB")
        else:
            out[name] = _six_digits(colour)
    return out, check.problems


def parse_registry_text(text: str, base: Registry | None = None) -> Registry:
    """A registry file's text as ``base`` extended by it (``base`` ``None``: the file is
    the whole registry).  Raises :class:`RegistryFileError` with every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_LINE.search(str(exc))
        message = _TOML_LINE.sub("", str(exc)).strip()
        raise RegistryFileError([RegistryProblem(int(at.group(1)) if at else None, "",
                                                 f"not valid TOML ({message})")]) from None
    except RecursionError:
        raise RegistryFileError([RegistryProblem(None, "", "not a registry file: its tables "
                                                 "are nested too deeply")]) from None
    lines = locate(text)
    problems: list[RegistryProblem] = []
    for section in doc:
        if section not in ("classes", "therapies"):
            problems.append(RegistryProblem(lines.get((section,)), section,
                                            "unknown table; use [classes] and [therapies.KEY]"))
    classes, found = parse_classes(doc.get("classes", {}), lines)
    problems += found
    known = list(base.therapies) if base is not None else []
    entries, found = parse_therapies(doc.get("therapies", {}), lines, known=known)
    problems += found
    if problems:
        raise RegistryFileError(sorted(problems, key=lambda p: (p.line or 0)))
    start = base if base is not None else Registry({}, {})
    return start.extended(entries, classes)


def shipped_registry() -> Registry:
    """The registry of ``therapies.toml``, which ships with the package."""
    return parse_registry_text(SHIPPED.read_text(encoding="utf-8"))
