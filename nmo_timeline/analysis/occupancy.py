"""Regimen occupancy: month by month since an anchor, who is on which regimen.

For every patient in follow-up at month ``k`` after the patient's anchor, the
state on that day is the regimen of the treatment period holding it (from
:mod:`.periods`, so the period rules are the only rules), or ``untreated``.

* **Months.** Month ``k`` is the day ``floor(k * 365.25 / 12)`` after the
  anchor (a month is 30.4375 days, as everywhere else in the package);
  ``times_years`` is ``k / 12``.
* **In follow-up** (at risk) at month ``k``: that day is on or before the
  patient's cut-off.  Everyone starts at month 0, so the number at risk never
  rises, and the shares of the regimens sum to 1 at every month listed.
* **Short periods.** A period shorter than the minimum (``min_period_days``:
  the few days two therapies overlap at a switch) is counted as the state before
  it; so is an untreated gap up to ``max_gap_days`` between two therapies.
* **Anchors** (``align``): ``onset`` is the patient's first recorded relapse,
  or the first recorded date when there is none (as ``plot --relative onset``);
  ``first-therapy`` the first maintenance therapy's first day; a therapy name
  (any spelling the registry knows) its first dose.  Patients without the
  anchor (no maintenance therapy, or never given THERAPY) are left out, and
  listed in a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import NmoTimelineError, list_preview
from .anchors import FIRST_THERAPY, ONSET, anchor_rule
from .pathways import Regimen, regimen_names
from .periods import (
    MAX_GAP_DAYS,
    MIN_PERIOD_DAYS,
    UNTREATED,
    PatientPeriods,
    all_patient_periods,
)

if TYPE_CHECKING:
    from ..load import EventTable

ANCHORS = ("onset", "first-therapy")
# a month is 365.25 / 12 = 30.4375 = 487 / 16 days: month k is day (487 k) // 16
_MONTH_NUM, _MONTH_DEN = 487, 16
_EPOCH = date(1970, 1, 1).toordinal()
#: A patient without the anchor (day numbers before 1970 are negative, so not -1).
NO_ANCHOR = -(2**62)


@dataclass
class Occupancy:
    """Shares of patients on each regimen, month by month since the anchor.

    Attributes
    ----------
    align : str
        The anchor as asked for (``onset``, ``first-therapy`` or a therapy).
    anchor : str
        What day 0 is, for an axis label (``onset``, ``first maintenance
        therapy``, ``first dose of Rituximab``).
    patients : list of str
        The patients counted, in order of first appearance.
    left_out : list of str
        Patients without the anchor.
    times_years : numpy.ndarray
        ``k / 12`` for months ``k = 0, 1, ...`` while anyone is at risk.
    at_risk : numpy.ndarray
        Patients in follow-up at each month (never rising).
    regimens, names : list
        The regimens (therapy keys; ``()`` is untreated) and their names, most
        patient-months first, untreated last.
    counts : numpy.ndarray
        Patients on each regimen (rows) at each month (columns); each column
        sums to ``at_risk``.
    """

    align: str
    anchor: str
    patients: list[str]
    left_out: list[str]
    times_years: np.ndarray
    at_risk: np.ndarray
    regimens: list[Regimen]
    names: list[str]
    counts: np.ndarray
    warnings: list[str] = field(default_factory=list)

    @property
    def shares(self) -> np.ndarray:
        """``counts / at_risk`` (regimens x months)."""
        return self.counts / np.maximum(self.at_risk, 1)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``occupancy --format json`` (README)."""
        shares = self.shares
        return {
            "patients": len(self.patients),
            "align": self.align,
            "anchor": self.anchor,
            "times_years": self.times_years.tolist(),
            "at_risk": self.at_risk.tolist(),
            "shares": {name: row.tolist() for name, row in zip(self.names, shares,
                                                                strict=True)},
            "left_out": list(self.left_out),
            "warnings": list(self.warnings),
        }


def _month_at_or_after(days: np.ndarray) -> np.ndarray:
    """The first month ``k >= 0`` whose day (``487 k // 16``) is at or after ``days``."""
    return np.maximum(0, -((-days * _MONTH_DEN) // _MONTH_NUM))


def patient_anchors(table: EventTable, patients: list[PatientPeriods],
                    align: str) -> tuple[np.ndarray, str]:
    """Each patient's anchor as a day number since 1970 (:data:`NO_ANCHOR` where it has none),
    and what the anchor is called (module docstring)."""
    ev = table.events
    codes, uniques = pd.factorize(ev["patient"].to_numpy(dtype=object))
    index = {p: i for i, p in enumerate(uniques.tolist())}
    order = np.array([index[pp.patient] for pp in patients], dtype=np.int64)
    start = ev["start"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    cut = np.array([pp.cutoff.toordinal() - _EPOCH for pp in patients], dtype=np.int64)
    cut_of_row = np.full(len(uniques), np.iinfo(np.int64).min)
    cut_of_row[order] = cut
    rule = anchor_rule(table, align)
    label = {ONSET: "onset", FIRST_THERAPY: "first maintenance therapy"}.get(
        rule.kind, f"first dose of {rule.therapy}")
    which = rule.rows & (start <= cut_of_row[codes])
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, codes[which], start[which])
    anchors = first[order]
    none = anchors == np.iinfo(np.int64).max
    if rule.falls_back:  # no relapse: the first recorded date
        record = np.array([pp.record_start.toordinal() - _EPOCH for pp in patients],
                          dtype=np.int64)
        anchors = np.where(none, record, anchors)
    else:
        anchors = np.where(none, NO_ANCHOR, anchors)
    return anchors, label


def occupancy_of(table: EventTable, patients: list[PatientPeriods], *,
                 align: str = "onset") -> Occupancy:
    """Month-by-month regimen counts of ``patients`` since their anchors.

    Parameters
    ----------
    table : EventTable
        The events the periods were computed from (for the anchors).
    patients : list of PatientPeriods
        From :func:`~nmo_timeline.analysis.periods.all_patient_periods`.
    align : str
        ``onset``, ``first-therapy`` or a therapy name (module docstring).

    Raises
    ------
    NmoTimelineError
        When no patient has the anchor.
    """
    anchors, label = patient_anchors(table, patients, align)
    keep = anchors != NO_ANCHOR
    left_out = [pp.patient for pp, ok in zip(patients, keep.tolist(), strict=True) if not ok]
    warnings: list[str] = []
    first_therapy = align.strip().casefold() == "first-therapy"
    if left_out:
        what = "a maintenance therapy" if first_therapy else align
        warnings.append(f"{len(left_out)} patient(s) never received {what} and are left "
                        f"out: {list_preview(left_out)}")
    kept = [pp for pp, ok in zip(patients, keep.tolist(), strict=True) if ok]
    if not kept:
        what = "a maintenance therapy" if first_therapy else f"'{align}'"
        raise NmoTimelineError(f"no patient received {what}; nothing to draw")
    anchors = anchors[keep]
    names = regimen_names(kept)
    index = {regimen: i for i, regimen in enumerate(names)}  # () (untreated) is first
    n_periods = sum(len(pp.periods) for pp in kept)
    which = np.empty(n_periods, dtype=np.int64)
    offset = np.empty((2, n_periods), dtype=np.int64)  # start, end (exclusive) - anchor
    follow = np.empty(len(kept), dtype=np.int64)
    i = 0
    for j, (pp, anchor) in enumerate(zip(kept, anchors.tolist(), strict=True)):
        base = anchor + _EPOCH
        for k, p in enumerate(pp.periods):
            # a period shorter than the minimum (an overlap at a switch) is drawn as the
            # state before it; the record's first period keeps its own
            which[i] = index[p.therapies] if p.counted or k == 0 else which[i - 1]
            offset[0, i] = p.start.toordinal() - base
            offset[1, i] = p.end.toordinal() - base + p.last  # the cut-off day is included
            i += 1
        follow[j] = pp.cutoff.toordinal() - base + 1
    lo, hi = _month_at_or_after(offset)
    months = _month_at_or_after(follow)
    n_months = int(months.max())
    width = n_months + 1
    n_reg = len(names)
    delta = (np.bincount(which * width + lo, minlength=n_reg * width)
             - np.bincount(which * width + hi, minlength=n_reg * width))
    counts = np.cumsum(delta.reshape(n_reg, width), axis=1)[:, :n_months]
    at_risk = len(kept) - np.cumsum(np.bincount(months, minlength=width))[:n_months]
    # most patient-months first, untreated last
    total = counts.sum(axis=1)
    regimens = list(names)
    labels = _unique_labels([names[r] for r in regimens])
    order = sorted(range(n_reg), key=lambda r: (regimens[r] == (), -int(total[r]),
                                                labels[r].casefold()))
    return Occupancy(align, label, [pp.patient for pp in kept], left_out,
                     np.arange(n_months) / 12, at_risk, [regimens[r] for r in order],
                     [labels[r] for r in order], counts[order], warnings)


def _unique_labels(labels: list[str]) -> list[str]:
    """``labels`` with repeats numbered (a therapy literally called ``untreated``,
    or ``A + B`` written as one name), so each series has a key of its own."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        n = seen.get(label, 0) + 1
        seen[label] = n
        out.append(label if n == 1 else f"{label} ({n})")
    return out


def regimen_occupancy(table: EventTable, *, align: str = "onset",
                      min_period_days: int = MIN_PERIOD_DAYS,
                      max_gap_days: int = MAX_GAP_DAYS) -> Occupancy:
    """:func:`occupancy_of` every patient in ``table``, with the period rules' warnings
    (module docstring: short periods and switch gaps)."""
    warnings: list[str] = []
    periods = all_patient_periods(table, min_period_days=min_period_days,
                                  max_gap_days=max_gap_days, warnings=warnings)
    result = occupancy_of(table, periods, align=align)
    result.warnings.extend(warnings)
    return result


__all__ = ["ANCHORS", "UNTREATED", "Occupancy", "occupancy_of", "patient_anchors",
           "regimen_occupancy"]
