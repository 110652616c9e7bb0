"""The therapy registry: what each therapy name means (class, role, colour).

The registry is data: the shipped file ``therapies.toml`` (read by
:mod:`.registry_file`), which a clinic extends with its own names (``--registry
FILE``, or a ``[therapies]`` table in a style file).  A :class:`Registry` is an
immutable value, passed to the loader and carried by the table it loads
(``EventTable.registry``); nothing reads a global one except the module-level
shortcuts below, which use the shipped file.

How a name is matched (README, "Therapy names"):

* the name is folded: case, accents and other marks (``é`` -> ``e``, ``ß`` ->
  ``ss``) and full-width forms are ignored, and it is cut into words at anything
  that is not a letter or a digit (``Methylprednisolon i.v.`` -> ``methylprednisolon
  i v``);
* an alias matches as a whole word sequence (``prednisolone`` does not match inside
  ``methylprednisolone``);
* the therapy named **first** wins, and of the aliases that start at the same word, the
  longest: ``Methylprednisolone IV 1 g/day followed by oral prednisolone taper`` is a
  steroid pulse, ``oral methylprednisolone`` is an oral steroid, not a pulse.

Unknown names are maintenance therapies of class ``other`` (the conservative default:
they open a treatment period; the loader warns once per name).  Role ``other`` is for
what is drawn but never defines a period: co-medication, vaccination, prophylaxis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

ACUTE = "acute"
MAINTENANCE = "maintenance"
OTHER = "other"  # drawn in its lane, never a treatment period: co-medication, vaccination
ROLES = (ACUTE, MAINTENANCE, OTHER)
OTHER_CLASS = "other"

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class TherapyInfo:
    """What the registry knows about one therapy.

    ``role`` is the role of a pulse or a single course; an acute agent given as a long
    course or monthly is maintenance (the schedule rule, ``load.rows.role_by_schedule``).
    ``long_acting``: a depleting or cytotoxic agent whose effect outlasts the infusions.
    ``colour``: its fixed colour (``None``: its class's, else the next free one).
    ``maintenance_colour``: an acute agent's colour when it is given as maintenance (a
    monthly or long course), so it is not drawn in the greys of attack treatments.
    """

    key: str
    label: str
    therapy_class: str
    role: str
    long_acting: bool = False
    colour: str | None = None
    maintenance_colour: str | None = None


@dataclass(frozen=True)
class Entry:
    """One ``[therapies.KEY]`` table as written: the fields it gives (others ``None``)."""

    key: str
    label: str | None = None
    therapy_class: str | None = None
    role: str | None = None
    long_acting: bool | None = None
    colour: str | None = None
    aliases: tuple[str, ...] = ()
    line: int | None = None
    maintenance_colour: str | None = None


def fold(text: str) -> str:
    """``text`` without case, accents or other marks (full-width forms made plain).

    Examples
    --------
    >>> fold("Méthylprednisolone"), fold("Stoßtherapie"), fold("ＲＴＸ")
    ('methylprednisolone', 'stosstherapie', 'rtx')
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.lower()
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text`` (runs of letters and digits).

    Examples
    --------
    >>> words("Methylprednisolon i.v."), words("Solu-Médrol®")
    (('methylprednisolon', 'i', 'v'), ('solu', 'medrol'))
    """
    return tuple(_WORD.findall(fold(text)))


def name_key(name: str) -> str:
    """The key two therapy names are the same lane by: case and spacing folded."""
    return " ".join(name.casefold().split())


@dataclass(repr=False)
class Registry:
    """Therapies by key, and the aliases that name them (word tuples -> key).

    Build one with :func:`default_registry` (the shipped file) and extend it with
    :meth:`extended`.  Lookups are cached per distinct name.
    """

    therapies: dict[str, TherapyInfo]
    aliases: dict[tuple[str, ...], str]
    class_colours: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    _first: dict[str, list[tuple[tuple[str, ...], str]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _cache: dict[str, TherapyInfo | None] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _vocabulary: dict[str, str] = field(default_factory=dict, init=False, repr=False,
                                        compare=False)
    _suggested: dict[str, str | None] = field(default_factory=dict, init=False, repr=False,
                                              compare=False)

    def __post_init__(self) -> None:
        for alias, key in sorted(self.aliases.items(), key=lambda item: -len(item[0])):
            self._first.setdefault(alias[0], []).append((alias, key))
            for word in alias:
                if len(word) >= 6 and word.isalpha():
                    self._vocabulary.setdefault(word, key)

    def __repr__(self) -> str:
        extended = f", extended by {', '.join(self.sources)}" if self.sources else ""
        return f"Registry({len(self.therapies)} therapies, {len(self.aliases)} aliases{extended})"

    # ---- lookups
    def lookup(self, name: str) -> TherapyInfo | None:
        """The therapy ``name`` means, or ``None`` when unknown (module docstring)."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        ws = words(name)
        n = len(ws)
        found = None
        for i in range(n):
            for alias, key in self._first.get(ws[i], ()):
                if ws[i : i + len(alias)] == alias:
                    found = self.therapies[key]
                    break
            if found is not None:
                break
        self._cache[name] = found
        return found

    def role_of(self, name: str) -> str:
        """The registry's role; unknown names are maintenance."""
        info = self.lookup(name)
        return info.role if info else MAINTENANCE

    def therapy_key(self, name: str) -> tuple[str, str]:
        """(key, label) a therapy is grouped by: the registry's entry where known (so
        ``RTX`` and ``Rituximab`` are one therapy), else the name as written.

        Examples
        --------
        >>> r = default_registry()
        >>> r.therapy_key("RTX"), r.therapy_key("Study  drug")
        (('rituximab', 'Rituximab'), ('study drug', 'Study drug'))
        """
        info = self.lookup(name)
        if info is not None:
            return info.key, info.label
        return name_key(name), " ".join(name.split())

    def colour_of(self, info: TherapyInfo, role: str | None = None) -> str | None:
        """A known therapy's fixed colour: its own, else its class's, else ``None``;
        given as maintenance (``role``), its ``maintenance_colour`` if it has one."""
        if role == MAINTENANCE and info.maintenance_colour:
            return info.maintenance_colour
        return info.colour or self.class_colours.get(info.therapy_class)

    def known(self) -> list[TherapyInfo]:
        """One entry per registered therapy, in registry order."""
        return list(self.therapies.values())

    def suggest(self, name: str) -> str | None:
        """For an unknown name, the label of a known therapy it is probably a misspelling
        of ("did you mean"): a word of six or more letters within a small edit of an
        alias word (``Rituxiamb`` -> ``Rituximab``); ``None`` when nothing is close or
        the name is known.

        Examples
        --------
        >>> r = default_registry()
        >>> r.suggest("Rituxiamb 1 g"), r.suggest("Baclofen"), r.suggest("Rituximab")
        ('Rituximab', None, None)
        """
        if self.lookup(name) is not None:
            return None
        import difflib

        vocabulary = list(self._vocabulary)
        for word in words(name):
            if len(word) < 6 or not word.isalpha():
                continue
            if word not in self._suggested:
                close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.85)
                self._suggested[word] = (self.therapies[self._vocabulary[close[0]]].label
                                         if close else None)
            if self._suggested[word] is not None:
                return self._suggested[word]
        return None

    # ---- extending
    def extended(self, entries: Iterable[Entry], class_colours: Mapping[str, str] | None = None,
                 source: str = "") -> Registry:
        """This registry with ``entries`` added: an entry with a known key changes the
        fields it gives and adds its aliases; every alias it lists now names it, whichever
        therapy had it before (README, "Therapy names")."""
        therapies = dict(self.therapies)
        aliases = dict(self.aliases)
        for e in entries:
            old = therapies.get(e.key)
            if old is not None:
                info = TherapyInfo(
                    e.key, e.label if e.label is not None else old.label,
                    e.therapy_class if e.therapy_class is not None else old.therapy_class,
                    e.role if e.role is not None else old.role,
                    e.long_acting if e.long_acting is not None else old.long_acting,
                    e.colour if e.colour is not None else old.colour,
                    e.maintenance_colour if e.maintenance_colour is not None
                    else old.maintenance_colour)
            else:
                info = TherapyInfo(e.key, e.label or e.key, e.therapy_class or OTHER_CLASS,
                                   e.role or MAINTENANCE, bool(e.long_acting), e.colour,
                                   e.maintenance_colour)
            therapies[e.key] = info
            for alias in (info.label, *e.aliases):  # a label names its therapy too
                ws = words(alias)
                if ws:
                    aliases[ws] = e.key
        colours = {**self.class_colours, **(class_colours or {})}
        sources = (*self.sources, source) if source else self.sources
        return Registry(therapies, aliases, colours, sources)

    def __reduce__(self) -> tuple[type[Registry], tuple[object, ...]]:
        # caches are rebuilt where the registry is unpickled (batch workers)
        return (Registry, (self.therapies, self.aliases, self.class_colours, self.sources))


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The registry of the shipped file ``therapies.toml``."""
    from .registry_file import shipped_registry

    return shipped_registry()


# ---- shortcuts on the shipped registry (for callers without a table at hand)


def lookup(name: str) -> TherapyInfo | None:
    """:meth:`Registry.lookup` on the shipped registry."""
    return default_registry().lookup(name)


def role_of(name: str) -> str:
    """:meth:`Registry.role_of` on the shipped registry."""
    return default_registry().role_of(name)


def therapy_key(name: str) -> tuple[str, str]:
    """:meth:`Registry.therapy_key` on the shipped registry.

    Examples
    --------
    >>> therapy_key("RTX"), therapy_key("Study  drug")
    (('rituximab', 'Rituximab'), ('study drug', 'Study drug'))
    """
    return default_registry().therapy_key(name)


def known_therapies() -> list[TherapyInfo]:
    """One entry per registered therapy of the shipped registry, in registry order."""
    return default_registry().known()
