"""Relapse syndromes (2015 NMOSD criteria, core clinical characteristics).

A relapse's ``name`` is matched against the words below; anything else is
``other``, and an empty name ``unspecified``.
"""

from __future__ import annotations

SYNDROMES: dict[str, str] = {
    "ON": "Optic neuritis",
    "TM": "Myelitis",
    "APS": "Area postrema",
    "brainstem": "Brainstem",
    "other": "Other",
    "unspecified": "Unspecified",
}
_SYNDROME_WORDS = {
    "on": "ON", "optic neuritis": "ON", "optic": "ON", "neuritis": "ON",
    "tm": "TM", "myelitis": "TM", "letm": "TM", "transverse myelitis": "TM",
    "aps": "APS", "area postrema": "APS", "area postrema syndrome": "APS",
    "brainstem": "brainstem", "bs": "brainstem", "brain stem": "brainstem",
    "brainstem syndrome": "brainstem", "acute brainstem syndrome": "brainstem",
}


def syndrome_of(name: str) -> str:
    """Map a relapse ``name`` to a key of :data:`SYNDROMES`.

    Examples
    --------
    >>> syndrome_of("LETM"), syndrome_of(""), syndrome_of("cerebral")
    ('TM', 'unspecified', 'other')
    """
    key = " ".join(name.casefold().replace("-", " ").split())
    if not key:
        return "unspecified"
    return _SYNDROME_WORDS.get(key, "other")
