"""One figure per patient (``plot --all-patients``), in parallel over processes.

A patient whose rows have errors is reported and skipped; the others are drawn.
Each figure is written atomically, so a failure never leaves a partial file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NmoTimelineError, OptionError, Problem
from ..load import EventTable, load_events
from ..plan.options import FigureOptions
from .save import FORMATS

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)  # patient -> messages


@dataclass(frozen=True)
class Job:
    """One patient's figure: the rows, where it goes, and how to draw it."""

    patient: str
    frame: pd.DataFrame
    source: str
    has_patient: bool
    out: Path
    options: FigureOptions


def safe_filename(patient: str, taken: set[str]) -> str:
    """A file name for a patient ID: letters, digits, ``.-_``; unique in ``taken``."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", patient).strip("._") or "patient"
    name, i = base, 2
    while name.casefold() in taken:
        name = f"{base}-{i}"
        i += 1
    taken.add(name.casefold())
    return name


def _render_one(job: Job) -> tuple[str, str | None, str]:
    try:
        from ..draw.plot import plot_timeline
        from .save import save_figure

        table = EventTable(job.frame, job.source, has_patient_column=job.has_patient)
        fig = plot_timeline(table, job.options)
        written = save_figure(fig, job.out, dpi=job.options.dpi,
                              transparent=job.options.transparent)
        return job.patient, str(written), ""
    except NmoTimelineError as exc:
        return job.patient, None, str(exc)
    except Exception as exc:
        return job.patient, None, f"internal error: {type(exc).__name__}: {exc}"


def plot_all_patients(
    path: str | Path,
    outdir: str | Path,
    options: FigureOptions | None = None,
    *,
    fmt: str = "png",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    **load_options: Any,
) -> BatchResult:
    """Draw every patient of ``path`` into ``outdir`` (one ``<patient>.<fmt>`` each).

    Titles are ``Patient <ID>``.  With ``options.anonymize``, files are named
    ``patient-001`` ... in file order and titles carry no patient ID.  Returns the
    files written and, per failed patient, the messages.
    """
    opt = options or FigureOptions()
    if fmt not in FORMATS:
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
        if opt.anonymize:
            stem, title = f"patient-{number:0{width}d}", f"Patient {number}"
        else:
            stem, title = safe_filename(patient or "patient", taken), f"Patient {patient}"
        jobs.append(Job(patient, frame, table.source, table.has_patient_column,
                        out / f"{stem}.{fmt}", replace(opt, title=title)))
    n_workers = workers or min(os.cpu_count() or 1, len(jobs)) or 1
    done = 0
    if n_workers <= 1 or len(jobs) <= 1:
        for patient, written, error in map(_render_one, jobs):
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
