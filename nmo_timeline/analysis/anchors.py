"""Day 0 of relative time: which events mark it (``plot --relative``, ``occupancy --align``).

``onset`` is the first recorded relapse (a record without one starts at its first
recorded date); ``first-therapy`` the first maintenance therapy; a therapy's name its
first dose (names and abbreviations match through the registry: ``tcz`` is
tocilizumab).  The earliest marking event of each patient is day 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..domain.registry import MAINTENANCE

if TYPE_CHECKING:
    from ..load import EventTable

ONSET, FIRST_THERAPY, THERAPY = "onset", "first-therapy", "therapy"


@dataclass(frozen=True)
class AnchorRule:
    """The rows that mark day 0 (the earliest of a patient's counts), and what they are."""

    kind: str  # onset, first-therapy or therapy
    rows: np.ndarray  # a flag per row of the table
    therapy: str = ""  # for a therapy: its name as the registry writes it

    @property
    def falls_back(self) -> bool:
        """A patient without a marking event starts at the first recorded date (onset)."""
        return self.kind == ONSET


def anchor_rule(table: EventTable, spec: str) -> AnchorRule:
    """Which rows of ``table`` mark day 0 for ``spec`` (module docstring)."""
    ev = table.events
    kind = ev["kind"].to_numpy(dtype=object)
    key = spec.strip().casefold()
    if key == ONSET:
        return AnchorRule(ONSET, kind == "relapse")
    if key == FIRST_THERAPY:
        return AnchorRule(FIRST_THERAPY, (kind == "therapy")
                          & (ev["role"].to_numpy(dtype=object) == MAINTENANCE))
    therapy_key = table.registry.therapy_key
    want, label = therapy_key(spec)
    codes, names = pd.factorize(ev["name"].to_numpy(dtype=object))
    same = np.array([therapy_key(str(n))[0] == want for n in names] + [False])
    return AnchorRule(THERAPY, (kind == "therapy") & same[codes], label)
