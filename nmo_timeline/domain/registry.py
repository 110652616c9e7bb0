"""Built-in registry of NMOSD therapies: class and role (acute or maintenance).

A therapy name in the CSV is matched case-insensitively against the names and
common abbreviations below, as a whole word sequence, so ``IV methylprednisolone
1 g`` is recognised as a steroid pulse while ``prednisolone`` (oral, low dose)
is a maintenance therapy.  Unknown names are maintenance therapies of class
``other`` (the conservative default: they open a treatment period).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ACUTE = "acute"
MAINTENANCE = "maintenance"
ROLES = (ACUTE, MAINTENANCE)
LONG_ACTING = frozenset({"rituximab", "ocrelizumab", "inebilizumab", "alemtuzumab",
                         "mitoxantrone", "cyclophosphamide"})


@dataclass(frozen=True)
class TherapyInfo:
    """What the registry knows about one therapy."""

    key: str
    label: str
    therapy_class: str
    role: str

    @property
    def long_acting(self) -> bool:
        """Cell-depleting or cytotoxic agents whose effect outlasts the infusions."""
        return self.key in LONG_ACTING


_REGISTRY: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    # key, label, class, role, aliases (lower case, whole words)
    ("steroid-pulse", "IV methylprednisolone", "corticosteroid pulse", ACUTE,
     ("methylprednisolone", "ivmp", "iv methylprednisolone", "steroid pulse",
      "steroid pulses", "corticosteroid pulse", "high dose steroids",
      "high dose corticosteroids", "high dose methylprednisolone", "solu medrol",
      "urbason", "mp pulse", "dexamethasone")),
    ("plasma-exchange", "Plasma exchange", "apheresis", ACUTE,
     ("plasma exchange", "plasmapheresis", "plex", "pe", "tpe", "pex",
      "plasmaaustausch", "plasmapherese")),
    ("immunoadsorption", "Immunoadsorption", "apheresis", ACUTE,
     ("immunoadsorption", "ia", "immunadsorption")),
    ("ivig", "IVIG", "immunoglobulin", ACUTE,
     ("ivig", "iv ig", "intravenous immunoglobulin", "intravenous immunoglobulins",
      "immunoglobulin", "immunoglobulins")),
    ("azathioprine", "Azathioprine", "oral immunosuppressant", MAINTENANCE,
     ("azathioprine", "aza", "imurek", "imuran")),
    ("mycophenolate", "Mycophenolate mofetil", "oral immunosuppressant", MAINTENANCE,
     ("mycophenolate", "mycophenolate mofetil", "mmf", "cellcept", "mycophenolic acid")),
    ("methotrexate", "Methotrexate", "oral immunosuppressant", MAINTENANCE,
     ("methotrexate", "mtx")),
    ("oral-steroids", "Oral prednisolone", "oral corticosteroid", MAINTENANCE,
     ("prednisolone", "prednisone", "oral steroids", "low dose prednisolone",
      "oral prednisolone", "oral corticosteroids")),
    ("mitoxantrone", "Mitoxantrone", "anthracenedione", MAINTENANCE,
     ("mitoxantrone", "mitox", "mx", "mitx", "novantrone", "ralenova")),
    ("cyclophosphamide", "Cyclophosphamide", "alkylating agent", MAINTENANCE,
     ("cyclophosphamide", "cyc", "cyclo", "endoxan", "cytoxan")),
    ("rituximab", "Rituximab", "anti-CD20", MAINTENANCE,
     ("rituximab", "rtx", "rituxan", "mabthera", "truxima")),
    ("ocrelizumab", "Ocrelizumab", "anti-CD20", MAINTENANCE,
     ("ocrelizumab", "ocr", "ocrevus")),
    ("inebilizumab", "Inebilizumab", "anti-CD19", MAINTENANCE,
     ("inebilizumab", "uplizna")),
    ("alemtuzumab", "Alemtuzumab", "anti-CD52", MAINTENANCE,
     ("alemtuzumab", "alem", "lemtrada", "campath")),
    ("tocilizumab", "Tocilizumab", "anti-IL-6 receptor", MAINTENANCE,
     ("tocilizumab", "tcz", "toci", "actemra", "roactemra")),
    ("satralizumab", "Satralizumab", "anti-IL-6 receptor", MAINTENANCE,
     ("satralizumab", "sat", "enspryng")),
    ("eculizumab", "Eculizumab", "complement C5 inhibitor", MAINTENANCE,
     ("eculizumab", "ecu", "soliris")),
    ("ravulizumab", "Ravulizumab", "complement C5 inhibitor", MAINTENANCE,
     ("ravulizumab", "ultomiris")),
    ("interferon-beta", "Interferon beta", "MS therapy", MAINTENANCE,
     ("interferon", "interferon beta", "ifn", "ifnb", "ifn beta", "avonex", "rebif",
      "betaferon", "betaseron")),
    ("natalizumab", "Natalizumab", "MS therapy", MAINTENANCE,
     ("natalizumab", "tysabri")),
    ("fingolimod", "Fingolimod", "MS therapy", MAINTENANCE,
     ("fingolimod", "gilenya")),
    ("glatiramer", "Glatiramer acetate", "MS therapy", MAINTENANCE,
     ("glatiramer", "glatiramer acetate", "copaxone")),
]

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold().replace("ß", "ss")))


_ALIASES: list[tuple[tuple[str, ...], TherapyInfo]] = sorted(
    (
        (_words(alias), TherapyInfo(key, label, cls, role))
        for key, label, cls, role, aliases in _REGISTRY
        for alias in aliases
    ),
    key=lambda item: -len(item[0]),
)


def name_key(name: str) -> str:
    """The key two therapy names are the same lane by: case and spacing folded."""
    return " ".join(name.casefold().split())


@lru_cache(maxsize=4096)
def lookup(name: str) -> TherapyInfo | None:
    """Find a therapy by name or abbreviation; ``None`` when unknown.

    The longest alias that occurs as a whole word sequence in ``name`` wins.
    """
    words = _words(name)
    n = len(words)
    for alias, info in _ALIASES:
        k = len(alias)
        for i in range(n - k + 1):
            if words[i : i + k] == alias:
                return info
    return None


def role_of(name: str) -> str:
    """``acute`` or ``maintenance``; unknown names are maintenance."""
    info = lookup(name)
    return info.role if info else MAINTENANCE


def known_therapies() -> list[TherapyInfo]:
    """One entry per registered therapy, in registry order."""
    return [TherapyInfo(k, label, c, r) for k, label, c, r, _ in _REGISTRY]


@lru_cache(maxsize=8192)
def therapy_key(name: str) -> tuple[str, str]:
    """(key, label) a therapy is grouped by: the registry's entry where known
    (so ``RTX`` and ``Rituximab`` are one therapy), else the name as written.

    Examples
    --------
    >>> therapy_key("RTX"), therapy_key("Study  drug")
    (('rituximab', 'Rituximab'), ('study drug', 'Study drug'))
    """
    info = lookup(name)
    if info is not None:
        return info.key, info.label
    return name_key(name), " ".join(name.split())
