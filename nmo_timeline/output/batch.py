"""One figure per patient, in parallel over processes.

A patient whose rows have errors is reported and skipped; the others are drawn.
Each figure is written atomically, so a failure never leaves a partial file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NmoTimelineError, OptionError, Problem
from ..load import EventTable, load_events


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)  # patient -> messages


def safe_filename(patient: str, taken: set[str]) -> str:
    """A file name for a patient ID: letters, digits, ``.-_``; unique in ``taken``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", patient).strip("._") or "patient"
    name, i = base, 2
    while name.casefold() in taken:
        name = f"{base}-{i}"
        i += 1
    taken.add(name.casefold())
    return name


def _render_one(job: tuple[Any, ...]) -> tuple[str, str | None, str]:
    patient, frame, source, has_patient, out, dpi, arr, title, options, transparent = job
    try:
        from ..draw.plot import plot_timeline
        from ..draw.timeline import save_figure

        table = EventTable(frame, source, has_patient_column=has_patient)
        fig = plot_timeline(table, title=title, dpi=dpi, arr=arr, **options)
        return patient, str(save_figure(fig, out, dpi=dpi, transparent=transparent)), ""
    except NmoTimelineError as exc:
        return patient, None, str(exc)
    except Exception as exc:
        return patient, None, f"internal error: {type(exc).__name__}: {exc}"


def plot_all_patients(
    path: str | Path,
    outdir: str | Path,
    *,
    fmt: str = "png",
    dpi: int = 200,
    arr: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    figure_options: dict[str, Any] | None = None,
    transparent: bool = False,
    **load_options: Any,
) -> BatchResult:
    """Draw every patient of ``path`` into ``outdir`` (one ``<patient>.<fmt>`` each).

    With ``figure_options["anonymize"]``, files are named ``patient-001`` ... in
    file order and titles carry no patient ID.  Returns the files written and,
    per failed patient, the messages.
    """
    options = dict(figure_options or {})
    anonymize = bool(options.get("anonymize"))
    if fmt not in ("png", "svg", "pdf"):
        raise OptionError(f"--format {fmt}: use png, svg or pdf")
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise OptionError(f"{out} exists and is not a folder")
    table = load_events(path, partial=True, **load_options)
    result = BatchResult()
    bad_patients: dict[str, list[Problem]] = {}
    for problem in table.errors:
        who = table.error_patients.get(problem.line or 0, "")
        bad_patients.setdefault(who or "(no patient ID)", []).append(problem)
    for who, problems in bad_patients.items():
        result.failed[who] = [str(p) for p in problems]
    ev = table.events
    patients = [p for p in table.patients if p not in bad_patients]
    if not patients and not result.failed:
        raise NmoTimelineError(f"{table.source}: no patients to draw")
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    jobs = []
    width = max(3, len(str(len(patients))))
    for number, patient in enumerate(patients, start=1):
        frame = ev[ev["patient"] == patient].reset_index(drop=True)
        if anonymize:
            stem, title = f"patient-{number:0{width}d}", f"Patient {number}"
        else:
            stem, title = safe_filename(patient or "patient", taken), f"Patient {patient}"
        target = out / f"{stem}.{fmt}"
        jobs.append((patient, frame, table.source, table.has_patient_column, str(target), dpi,
                     arr, title, options, transparent))
    n_workers = workers or min(os.cpu_count() or 1, len(jobs)) or 1
    done = 0
    if n_workers <= 1 or len(jobs) <= 1:
        outcomes = map(_render_one, jobs)
        for patient, written, error in outcomes:
            done += 1
            _collect(result, patient, written, error)
            if progress:
                progress(done, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            for patient, written, error in pool.map(_render_one, jobs, chunksize=4):
                done += 1
                _collect(result, patient, written, error)
                if progress:
                    progress(done, len(jobs))
    return result


def _collect(result: BatchResult, patient: str, written: str | None, error: str) -> None:
    if written:
        result.written.append(Path(written))
    else:
        result.failed.setdefault(patient, []).append(error)
