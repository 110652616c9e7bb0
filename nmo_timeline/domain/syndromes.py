"""Relapse syndromes: the six core clinical characteristics of the 2015 NMOSD criteria, plus
"other" and "unspecified".

A relapse's ``name`` is searched for the words below, as whole words in any case, in
English, German, French, Spanish and Italian (``bilateral ON``, ``LETM C2-C7``,
``Optikusneuritis``, ``myélite``, ``síndrome de área postrema``).  When a name mentions
several syndromes (``ON + myelitis``), the one written first counts.  Abbreviations
(ON, TM, LETM, APS, BS, RBN, ADEM, FLAMES) count only in capitals, so "relapse on
treatment" is not optic neuritis.  ADEM and FLAMES
(MOG-antibody disease) are cerebral syndromes.  A name that matches none is ``other``
and keeps its text for the legend; an empty name is ``unspecified``.
"""

from __future__ import annotations

import re
import unicodedata

SYNDROMES: dict[str, str] = {
    "ON": "Optic neuritis",
    "TM": "Myelitis",
    "APS": "Area postrema",
    "brainstem": "Brainstem",
    "diencephalic": "Diencephalic",
    "cerebral": "Cerebral",
    "other": "Other",
    "unspecified": "Unspecified",
}

# words (accents folded, lower case) -> syndrome; longer phrases are tried first
_WORDS: dict[str, tuple[str, ...]] = {
    "ON": ("on", "optic neuritis", "optic", "neuritis", "optikusneuritis", "neuritis nervi optici",
           "retrobulbarneuritis", "rbn", "nevrite optique", "neuritis optica", "neurite ottica",
           "optic neuropathy"),
    "TM": ("tm", "letm", "myelitis", "transverse myelitis", "myelite", "mielitis", "mielite",
           "querschnittsmyelitis", "myelopathy"),
    "APS": ("aps", "area postrema", "area postrema syndrome", "area postrema syndrom",
            "sindrome de area postrema", "sindrome dell area postrema", "hiccups", "singultus"),
    "brainstem": ("brainstem", "brain stem", "bs", "brainstem syndrome", "hirnstamm",
                  "hirnstammsyndrom", "tronc cerebral", "tronco encefalico", "tronco cerebrale"),
    "diencephalic": ("diencephalic", "diencephalic syndrome", "hypothalamic", "narcolepsy"),
    "cerebral": ("cerebral", "adem", "flames", "encephalitis", "encephalopathy", "cortical",
                 "enzephalitis", "encephalite", "encefalitis", "encefalite"),
}
_PHRASES = sorted(((tuple(w.split()), key) for key, words in _WORDS.items() for w in words),
                  key=lambda item: -len(item[0]))
_ABBREVIATIONS = {"on", "tm", "letm", "aps", "bs", "rbn", "adem", "flames"}
_TOKEN = re.compile(r"\w+")


def _fold(text: str) -> list[str]:
    """Words with accents folded and case dropped; an abbreviation written in lower case
    becomes a word no phrase matches."""
    words = []
    for token in _TOKEN.findall(text.replace("_", " ")):
        plain = unicodedata.normalize("NFKD", token.casefold())
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).replace("ß", "ss")
        if plain in _ABBREVIATIONS and not token.isupper():
            plain = f"~{plain}"
        words.append(plain)
    return words


def syndrome_of(name: str) -> str:
    """Map a relapse ``name`` to a key of :data:`SYNDROMES`.

    Examples
    --------
    >>> [syndrome_of(n) for n in ("LETM C2-C7", "bilateral ON", "ADEM", "", "cerebellar")]
    ['TM', 'ON', 'cerebral', 'unspecified', 'other']
    """
    words = _fold(name)
    if not words:
        return "unspecified"
    best: tuple[int, str] | None = None
    for phrase, key in _PHRASES:
        k = len(phrase)
        at = next((i for i in range(len(words) - k + 1) if tuple(words[i:i + k]) == phrase),
                  None)
        if at is not None and (best is None or at < best[0]):
            best = (at, key)
    return best[1] if best else "other"
