"""The ``nmo-timeline`` command line: thin wrappers over the library.

:mod:`.base` holds the app, the error handling and the shared options; each
command lives in its own module and registers itself on the app.
"""

from __future__ import annotations

import gc
import os
import sys

from . import cohort, plot, stats, summary, swimmer, validate  # noqa: F401  (registers the commands)
from .base import app

__all__ = ["app", "run"]


def run() -> None:
    """Console-script entry point.

    The cyclic garbage collector runs every 100,000 allocations instead of
    Python's default 700: a command creates few reference cycles, but with the
    default every import of pandas and matplotlib and every batch of events
    triggers scans of the whole growing heap (about a tenth of ``plot`` and a
    quarter of ``swimmer`` on 100,000 events, at the same peak memory).

    Once the command has finished and its output is flushed, the process ends
    without the interpreter's teardown (freeing every pandas and matplotlib
    object one by one takes about a fifth of a short run). Files are already
    closed and renamed into place by then.
    """
    gc.set_threshold(100_000, 50, 100)
    try:
        app(prog_name="nmo-timeline")
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code or 0)
        raise
