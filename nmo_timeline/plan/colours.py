"""Therapy colours of a cohort figure: one rule for the swimmer, pathways and occupancy.

Known therapies keep their fixed colour (:data:`nmo_timeline.domain.colours.KNOWN`), so a
therapy is drawn alike in every figure; the others take the next free colour in order of
first use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.colours import UNTREATED, Palette
from ..domain.registry import MAINTENANCE

if TYPE_CHECKING:
    from ..load import EventTable


@dataclass(frozen=True)
class TherapyColours:
    """Every therapy's colour in a cohort: one rule for every cohort figure.

    Known therapies have their fixed colour (:data:`~nmo_timeline.domain.colours.KNOWN`);
    the others take the next free colour in order of first use (patients in
    order of first appearance, each patient's rows in file order).

    Attributes
    ----------
    by_key : dict
        Therapy key -> colour, for every therapy (acute ones too).
    legend : dict
        Maintenance therapy label -> colour, in order of first use.
    patients : dict
        Maintenance therapy label -> patients who received it.
    labels : dict
        Therapy key -> the label the legend lists it under.
    """

    by_key: dict[str, str]
    legend: dict[str, str]
    patients: dict[str, int]
    labels: dict[str, str]

    def of(self, therapies: tuple[str, ...]) -> tuple[str, ...]:
        """The colours of a regimen's therapies (keys), in order."""
        return tuple(self.by_key[k] for k in therapies)

    @property
    def series(self) -> list[str]:
        """The colours a theme spreads over its greys: the legend's, then untreated."""
        return [*self.legend.values(), UNTREATED]


def therapy_colours(table: EventTable) -> TherapyColours:
    """The colours of every therapy in ``table`` (see :class:`TherapyColours`)."""
    import numpy as np
    import pandas as pd

    ev = table.events
    patient_codes = pd.factorize(ev["patient"].to_numpy(dtype=object))[0]
    rows = np.flatnonzero(ev["kind"].to_numpy(dtype=object) == "therapy")
    rows = rows[np.argsort(patient_codes[rows], kind="stable")]  # by patient, in file order
    names = ev["name"].to_numpy(dtype=object)[rows]
    roles = ev["role"].to_numpy(dtype=object)[rows]
    name_codes, uniques = pd.factorize(names)
    keyed = [table.registry.therapy_key(str(n)) for n in uniques]
    key_codes, keys = pd.factorize(np.array([k for k, _ in keyed], dtype=object))
    row_keys = key_codes[name_codes]
    # each patient's first row of each therapy, and its first maintenance row of it
    maintenance = (roles == MAINTENANCE).astype(np.int64)
    firsts = np.unique((patient_codes[rows] * (len(keys) + 1) + row_keys) * 2 + maintenance,
                       return_index=True)[1]
    palette = Palette(table.registry)
    by_key: dict[str, str] = {}
    legend: dict[str, str] = {}
    patients: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for i in np.sort(firsts).tolist():
        key = str(keys[row_keys[i]])
        if key not in by_key:
            by_key[key] = palette.colour(str(names[i]), str(roles[i]))
        if roles[i] == MAINTENANCE:  # given as maintenance anywhere: that colour (IVIG)
            by_key[key] = palette.colour(str(names[i]), MAINTENANCE)
            label = keyed[name_codes[i]][1]
            legend.setdefault(label, by_key[key])
            labels.setdefault(key, label)
            patients[label] += 1
    return TherapyColours(by_key, legend, dict(patients), labels)
