"""One figure per patient (``plot --all-patients``), in parallel over processes.

A patient whose rows have errors is reported and skipped; the others are drawn.
A problem with the file as a whole (a header warning under ``--strict``) stops the
run before any figure is drawn.

Workers draw and *stage* each figure (a complete temporary file beside its
target); this process renames it into place.  So the count of figures written is
exact whatever stops the run: on Ctrl-C, SIGTERM or SIGHUP the workers are
stopped, staged and half-written files are removed, and the exception carries
the :class:`BatchResult` so far.  Workers die with this process (Linux), so
killing it leaves no orphans.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.registry import Registry, default_registry
from ..errors import InputError, NmoTimelineError, OptionError, Problem, Terminated
from ..load import EventTable, load_events
from ..plan.options import FigureOptions
from .atomic import Staged, check_output, discard_temps, protect, signals_deferred, staging
from .notices import WarningLog, collect_warnings, merge
from .save import FORMATS, check_canvas

if TYPE_CHECKING:
    import pandas as pd

MAX_STEM = 100  # characters of a patient's file name (before the extension)
MAX_PATIENT_ID = 200  # longer IDs are refused per patient: likely notes in the wrong column
# names Windows reserves for devices, with or without an extension
_RESERVED = re.compile(r"^(?:CON|PRN|AUX|NUL|CLOCK\$|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?$",
                       re.IGNORECASE)


@dataclass
class BatchResult:
    written: list[Path] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)  # patient -> messages
    total: int = 0  # figures the run set out to draw


@dataclass(frozen=True)
class Job:
    """One patient's figure: the rows, where it goes, and how to draw it."""

    patient: str
    frame: pd.DataFrame
    source: str
    has_patient: bool
    out: Path
    options: FigureOptions
    registry: Registry | None = None  # the table's (a clinic's names, colours)


def safe_filename(patient: str, taken: set[str]) -> str:
    """A file name for a patient ID: letters, digits, ``.-_``, at most :data:`MAX_STEM`
    characters, no leading dash or dot, no Windows device name; unique in ``taken``.

    Examples
    --------
    >>> taken = set()
    >>> [safe_filename(x, taken) for x in ["CON", "-rf", "com1.txt"]]
    ['CON_', 'rf', 'com1_.txt']
    >>> len(safe_filename("a" * 120, taken)), safe_filename("a" * 121, taken)[-3:]
    (100, 'a-2')
    """
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", patient).strip("._").lstrip("-._")
    base = base[:MAX_STEM].rstrip("._") or "patient"
    if _RESERVED.match(base):
        head, dot, rest = base.partition(".")
        base = f"{head}_{dot}{rest}"
    name, i = base, 2
    while name.casefold() in taken:
        suffix = f"-{i}"
        name = base[: MAX_STEM - len(suffix)] + suffix
        i += 1
    taken.add(name.casefold())
    return name


def _render_one(job: Job) -> tuple[str, Staged | None, str, WarningLog]:
    """Draw and stage one figure (the caller commits it), with the warnings it raised."""
    with collect_warnings() as log:
        patient, staged, error = _draw_one(job)
    return patient, staged, error, log


def _draw_one(job: Job) -> tuple[str, Staged | None, str]:
    try:
        from ..draw.plot import plot_timeline
        from .save import write_figure

        table = EventTable(job.frame, job.source, has_patient_column=job.has_patient,
                           registry=job.registry or default_registry())
        fig = plot_timeline(table, job.options)
        writer = staging(job.out)
        with writer as fh:
            write_figure(fig, fh, job.out.suffix.lstrip("."), dpi=job.options.dpi,
                         transparent=job.options.transparent)
        assert writer.staged is not None
        return job.patient, writer.staged.release(), ""
    except NmoTimelineError as exc:
        return job.patient, None, str(exc)
    except Exception as exc:
        return job.patient, None, f"internal error: {type(exc).__name__}: {exc}"


def _stop_worker(signum: int, frame: Any) -> None:
    discard_temps()
    os._exit(128 + signum)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent (which stops them), remove their temporary
    file when stopped, and are stopped when the parent dies, however it dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop_worker)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() == 1:  # the parent died before the line above
            os._exit(143)


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

    Raises
    ------
    InputError
        For problems with the file as a whole (nothing is drawn).
    KeyboardInterrupt, Terminated
        When stopped; ``exc.result`` is the :class:`BatchResult` so far (the
        figures already in place), and no temporary file is left.
    """
    opt = options or FigureOptions()
    if fmt not in FORMATS:
        raise OptionError(f"--format {fmt}: use png, svg or pdf")
    if fmt == "png":
        check_canvas(opt.size, opt.dpi)
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise OptionError(f"{out} exists and is not a folder")
    protect(path)
    table = load_events(path, partial=True, **load_options)
    whole_file = [p for p in table.errors
                  if p.line is None or p.line not in table.error_patients]
    if whole_file:  # a header warning under --strict: no patient can be drawn as asked
        raise InputError(whole_file, table.warnings)
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
        if len(patient) > MAX_PATIENT_ID and not opt.anonymize:
            result.failed[patient[:40] + "..."] = [
                f"{table.source}: patient ID of {len(patient)} characters (from "
                f"'{patient[:40]}...'); IDs of up to {MAX_PATIENT_ID} characters are drawn: "
                "is the patient column holding something else?"]
            continue
        frame = ev[ev["patient"] == patient].reset_index(drop=True)
        if opt.anonymize:
            stem, title = f"patient-{number:0{width}d}", f"Patient {number}"
        else:
            stem, title = safe_filename(patient or "patient", taken), f"Patient {patient}"
        target = out / f"{stem}.{fmt}"
        check_output(target)  # not the input file: refused before any figure is drawn
        jobs.append(Job(patient, frame, table.source, table.has_patient_column, target,
                        replace(opt, title=title), table.registry))
    result.total = len(jobs)
    _run(jobs, result, workers, progress)
    return result


def _run(jobs: list[Job], result: BatchResult, workers: int | None,
         progress: Callable[[int, int], None] | None) -> None:
    n_workers = workers or min(os.cpu_count() or 1, len(jobs)) or 1
    done = 0

    def collect(patient: str, staged: Staged | None, error: str, log: WarningLog) -> None:
        nonlocal done
        done += 1
        merge(log)
        if staged is not None:
            try:
                with signals_deferred():  # a figure in place is a figure counted
                    result.written.append(staged.adopt().commit())
            except OptionError as exc:
                result.failed.setdefault(patient, []).append(str(exc))
        else:
            result.failed.setdefault(patient, []).append(error)
        if progress:
            progress(done, len(jobs))

    if n_workers <= 1 or len(jobs) <= 1:
        try:
            for job in jobs:
                collect(*_render_one(job))
        except (KeyboardInterrupt, Terminated) as exc:
            discard_temps()
            exc.result = result  # type: ignore[union-attr]
            raise
        return
    import multiprocessing

    pool = multiprocessing.Pool(n_workers, initializer=_worker_init)
    try:
        for outcome in pool.imap_unordered(_render_one, jobs):
            collect(*outcome)
    except (KeyboardInterrupt, Terminated) as exc:
        _stop(pool, jobs)
        exc.result = result  # type: ignore[union-attr]
        raise
    except BaseException:
        _stop(pool, jobs)
        raise
    pool.close()
    pool.join()


def _stop(pool: Any, jobs: list[Job]) -> None:
    """Stop the workers (each removes the file it was writing) and remove every file
    they staged that was not committed."""
    pool.terminate()
    pool.join()
    discard_temps()
    for job in jobs:  # staged files whose result was never collected
        for leftover in job.out.parent.glob(f".{job.out.name[:80]}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
