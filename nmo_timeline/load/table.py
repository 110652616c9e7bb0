"""The validated event table: one row per event, typed columns, and what the loader noticed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.registry import Registry, default_registry
from ..errors import NmoTimelineError, Problem, list_preview
from . import dates as _dates
from .contract import KINDS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass
class EventTable:
    """A validated event table and what the loader noticed on the way.

    Attributes
    ----------
    events : pandas.DataFrame
        One row per event, in file order, with columns ``line``, ``patient``,
        ``kind``, ``name``, ``name_key``, ``start``, ``end``, ``ongoing``,
        ``value``, ``unit``, ``detail``, ``role``, ``start_precision`` and
        ``end_precision``.  ``start``/``end`` are ``datetime64`` (``end`` is
        NaT for single administrations, ongoing therapies and non-therapy
        events); partial dates are imputed (start: first day, end: last day).
    source : str
        The file as the user named it.
    warnings : list of Problem
        Problems that did not stop the load (unknown columns, duplicates...).
    notes : list of str
        Normalisations applied (byte-order mark, line ends, decimal comma...).
    has_patient_column : bool
        Whether the file has a non-empty ``patient`` column.
    date_style : str
        The file's date style (``iso``, ``dotted`` or ``custom``).
    errors, error_patients
        With ``partial=True`` only: the rows left out and, by line, their patient.
    registry : Registry
        What its therapy names mean (the shipped registry, extended by ``--registry`` or
        a style file's ``[therapies]``): every analysis and figure of the table reads
        names through it.
    """

    events: pd.DataFrame
    source: str
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_patient_column: bool = False
    date_style: str = _dates.ISO
    errors: list[Problem] = field(default_factory=list)
    error_patients: dict[int, str] = field(default_factory=dict)
    registry: Registry = field(default_factory=default_registry, repr=False)

    @property
    def patients(self) -> list[str]:
        """Patient identifiers in order of first appearance."""
        return list(dict.fromkeys(self.events["patient"].tolist()))

    def require_one_patient(self) -> None:
        """Refuse a table of several patients, listing them (draw one with --patient)."""
        patients = self.patients
        if len(patients) > 1:
            raise NmoTimelineError(
                f"{self.source} holds {len(patients)} patients; choose one with --patient ID "
                f"(patients: {list_preview(patients)})")

    def for_patient(self, patient: str) -> EventTable:
        """The same table restricted to one patient (exact identifier match)."""
        if patient not in self.patients:
            raise NmoTimelineError(
                f"{self.source}: no patient '{patient}'; patients are "
                + list_preview(self.patients, 8)
            )
        sub = self.events[self.events["patient"] == patient].reset_index(drop=True)
        return EventTable(sub, self.source, self.warnings, self.notes,
                          self.has_patient_column, self.date_style, registry=self.registry)

    def summary(self) -> str:
        """One line: events by kind, patients, date span."""
        ev = self.events
        counts = ev["kind"].value_counts().to_dict()
        parts = [f"{counts[k]} {k}" for k in KINDS if counts.get(k)]
        n = len(ev)
        first = ev["start"].min().date().isoformat()
        last_candidates = [ev["start"].max(), ev["end"].max()]
        last = max(d for d in last_candidates if d == d).date().isoformat()
        n_pat = len(self.patients)
        return (
            f"{self.source}: {n} event{'s' if n != 1 else ''} ({', '.join(parts)}), "
            f"{n_pat} patient{'s' if n_pat != 1 else ''}, {first} to {last}"
        )


def event_frame(*, lines: np.ndarray, patient: np.ndarray, kind: np.ndarray, name: np.ndarray,
                name_key: np.ndarray, start: np.ndarray, end: np.ndarray, ongoing: np.ndarray,
                value: np.ndarray, unit: np.ndarray, detail: np.ndarray, role: np.ndarray,
                start_precision: np.ndarray, end_precision: np.ndarray) -> pd.DataFrame:
    """The table's DataFrame; ``start``/``end`` as day numbers since 1970 (NaT: int64 min)."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({
        "line": np.asarray(lines, dtype=np.int64),
        "patient": pd.array(patient, dtype=object),
        "kind": pd.array(kind, dtype=object),
        "name": pd.array(name, dtype=object),
        "name_key": pd.array(name_key, dtype=object),
        "start": np.asarray(start, dtype=np.int64).view("datetime64[D]"),
        "end": np.asarray(end, dtype=np.int64).view("datetime64[D]"),
        "ongoing": np.asarray(ongoing, dtype=bool),
        "value": np.asarray(value, dtype=float),
        "unit": pd.array(unit, dtype=object),
        "detail": pd.array(detail, dtype=object),
        "role": pd.array(role, dtype=object),
        "start_precision": pd.array(start_precision, dtype=object),
        "end_precision": pd.array(end_precision, dtype=object),
    })
    for col in ("start", "end"):
        frame[col] = frame[col].astype("datetime64[s]")
    return frame


def events_as_records(table: EventTable) -> list[dict[str, Any]]:
    """The events as JSON-ready dicts (ISO dates, numbers or null)."""
    ev = table.events

    def iso(col: str) -> list[str | None]:
        days = ev[col].to_numpy(dtype="datetime64[D]")
        text = days.astype(str).tolist()
        return [None if t == "NaT" else t for t in text]

    values = ev["value"].tolist()
    patients = ev["patient"].tolist() if table.has_patient_column else [None] * len(ev)
    columns = zip(ev["line"].tolist(), patients, ev["kind"].tolist(), ev["name"].tolist(),
                  iso("start"), iso("end"), ev["ongoing"].tolist(), values, ev["unit"].tolist(),
                  ev["detail"].tolist(), ev["role"].tolist(), ev["start_precision"].tolist(),
                  ev["end_precision"].tolist(), strict=True)
    return [
        {"line": line, "patient": patient, "kind": kind, "name": name or None, "start": start,
         "end": end, "ongoing": bool(ongoing), "value": None if value != value else value,
         "unit": unit or None, "detail": detail or None, "role": role or None,
         "start_precision": sp, "end_precision": ep or None}
        for (line, patient, kind, name, start, end, ongoing, value, unit, detail, role, sp, ep)
        in columns
    ]
