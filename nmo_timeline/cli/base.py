"""The command line's frame: the app, error handling, and options shared by commands.

Every command parses its flags into the library's typed options, calls the
library, and prints.  The package's own errors become a message on stderr and
exit status 1, as do usage mistakes (a bad flag or value); exit status 2 means a
bug in the tool.  Heavy modules (pandas, numpy, matplotlib) are imported inside
the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer
from typer._click.exceptions import NoArgsIsHelpError  # typer 0.28 vendors click
from typer.core import TyperGroup

from .. import __version__
from .._resources import bundled_events_path
from ..errors import InputError, NmoTimelineError, OptionError, Problem, Terminated

F = TypeVar("F", bound=Callable[..., Any])
MAX_WARNINGS = 10

INPUT = "Input"
OUTPUT = "Output"


# errors of writing to a standard stream (a closed pipe, a full disk), not of a named file
STREAM_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT,
                           errno.EFBIG, errno.ECONNRESET})
SIGNALS = ("SIGTERM", "SIGHUP")


def _raise_terminated(signum: int, frame: Any) -> None:
    for name in SIGNALS:  # a second signal must not interrupt the cleanup of the first
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated(signum, signal.Signals(signum).name)


@contextlib.contextmanager
def stop_cleanly_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind the run like Ctrl-C (temporary files removed, exit
    status 143 or 129) instead of killing it mid-write; the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {}
    for name in SIGNALS:
        if hasattr(signal, name):
            number = getattr(signal, name)
            old[number] = signal.signal(number, _raise_terminated)
    try:
        yield
    finally:
        for number, handler in old.items():
            signal.signal(number, handler)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def stream_failed(exc: OSError) -> int:
    """stdout could not take the output: a closed pipe ends quietly (``| head``), anything
    else (a full disk) is one line; exit status 1 either way."""
    _silence_stdout()
    if exc.errno != errno.EPIPE:
        err(f"error: cannot write to standard output ({exc.strerror or exc})")
    return 1


def is_stream_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in STREAM_ERRNOS


class Group(TyperGroup):
    """Usage mistakes are one line and exit status 1, like every other user error."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if standalone_mode and (sys.stdout is None or sys.stderr is None):
            closed = "standard output" if sys.stdout is None else "standard error"
            for name in ("stdout", "stderr"):
                if getattr(sys, name) is None:
                    setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115
            err(f"error: {closed} is closed; nothing was done")
            sys.exit(1)
        try:
            with stop_cleanly_on_signals():
                rv = self._main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        except (Terminated, KeyboardInterrupt) as exc:  # arrived outside a command
            if not standalone_mode:
                raise
            from ..output.atomic import discard_temps

            discard_temps()
            err(f"{'interrupted' if isinstance(exc, KeyboardInterrupt) else exc}; "
                "nothing was written")
            sys.exit(130 if isinstance(exc, KeyboardInterrupt) else exc.exit_code)
        if standalone_mode:
            try:
                sys.stdout.flush()
            except OSError as exc:
                sys.exit(stream_failed(exc))
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv

    def _main(self, args: Sequence[str] | None, prog_name: str | None,
              complete_var: str | None, standalone_mode: bool, windows_expand_args: bool,
              **extra: Any) -> Any:
        try:
            return super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                                standalone_mode=False, windows_expand_args=windows_expand_args,
                                **extra)
        except NoArgsIsHelpError as exc:
            if not standalone_mode:
                raise
            typer.echo(exc.format_message())
            sys.exit(1)
        except typer.TyperException as exc:  # a bad flag or value
            if not standalone_mode:
                raise
            ctx = getattr(exc, "ctx", None)
            where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            err(f"error: {exc.format_message()}{where}")
            sys.exit(1)
        except typer.Abort:
            if not standalone_mode:
                raise
            err("aborted; nothing was written")
            sys.exit(1)
        except OSError as exc:
            if not standalone_mode or not is_stream_error(exc):
                raise
            sys.exit(stream_failed(exc))


app = typer.Typer(
    name="nmo-timeline",
    cls=Group,
    help=(
        "Turn a treatment history kept in a CSV into a slide-ready swimlane figure.\n\n"
        "Example: nmo-timeline plot my_patient.csv -o timeline.png"
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def err(text: str) -> None:
    """A message on stderr; a cell's control characters shown as escapes."""
    from ..domain.text import terminal_safe

    typer.echo(terminal_safe(text), err=True)


def handle_errors(fn: F) -> F:
    """Turn package errors into messages and exit 1; anything else into a one-line
    internal error (the traceback only with NMO_TIMELINE_DEBUG=1)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..output.notices import collect_warnings

        try:
            with collect_warnings() as log:
                return run_command(*args, **kwargs)
        finally:  # each thing the libraries warned about, once, in the tool's words
            for line in log.lines():
                err(f"warning: {line}")

    def run_command(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except InputError as exc:
            err(exc.report())
            raise typer.Exit(1) from None
        except NmoTimelineError as exc:
            err(f"error: {exc}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err("interrupted; nothing was written")
            raise typer.Exit(130) from None
        except Terminated as exc:
            err(f"{exc}; nothing was written")
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            if is_stream_error(exc):
                raise typer.Exit(stream_failed(exc)) from None
            if exc.filename is None:
                return _internal(exc)
            # the machine's refusal (permissions, a vanished folder), not a bug
            err(f"error: {exc.filename}: {exc.strerror or exc}")
            raise typer.Exit(1) from None
        except Exception as exc:
            return _internal(exc)

    return wrapper  # type: ignore[return-value]


def _internal(exc: Exception) -> Any:
    if os.environ.get("NMO_TIMELINE_DEBUG"):
        raise exc
    err(f"internal error: {type(exc).__name__}: {exc}")
    err("hint: this is a bug in nmo-timeline, not in your file; please report it "
        "with the command you ran (NMO_TIMELINE_DEBUG=1 shows the traceback)")
    raise typer.Exit(2) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nmo-timeline {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Show the version and exit."),
    ] = None,
) -> None:
    """Turn a treatment history kept in a CSV into a slide-ready swimlane figure.

    Example: nmo-timeline plot my_patient.csv -o timeline.png
    """


# ---- options shared by commands (Annotated types, so each is declared once)
CsvArg = Annotated[
    Optional[Path],
    typer.Argument(
        help="Events file (.csv, .tsv or .xlsx). Default: the bundled illustrative case.",
        show_default=False,
        readable=False,  # the loader says why a file cannot be read, in one line
    ),
]
DateFormatOpt = Annotated[
    Optional[str],
    typer.Option("--date-format", metavar="FORMAT", rich_help_panel=INPUT,
                 help="Read slash dates in this order, e.g. DD/MM/YYYY; every date must match."),
]
EncodingOpt = Annotated[
    str, typer.Option("--encoding", rich_help_panel=INPUT,
                      help="Text encoding of the file (e.g. cp1252).")
]
StrictOpt = Annotated[bool, typer.Option("--strict", rich_help_panel=INPUT,
                                         help="Treat warnings as errors.")]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", rich_help_panel=OUTPUT,
                       help="Output file; .png, .svg or .pdf.")
]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="Figure title.")]
DpiOpt = Annotated[
    int, typer.Option("--dpi", min=50, max=1200, rich_help_panel=OUTPUT,
                      help="Resolution of PNG output.")
]
CutoffOpt = Annotated[
    Optional[str],
    typer.Option("--cutoff", metavar="DATE",
                 help="End of observation (default: each patient's latest date)."),
]
SizeOpt = Annotated[
    str,
    typer.Option("--size", rich_help_panel=OUTPUT,
                 help="slide (16:9), slide-4x3, a4, column (3.5 in), double-column (7.2 in), "
                      "or WIDTHxHEIGHT in inches."),
]
TransparentOpt = Annotated[
    bool, typer.Option("--transparent", rich_help_panel=OUTPUT,
                       help="Transparent background (default: opaque).")
]
RegistryOpt = Annotated[
    Optional[Path],
    typer.Option("--registry", metavar="FILE.toml", rich_help_panel=INPUT,
                 help="Your clinic's therapy names, in the format of the built-in registry: "
                      "added to it, or replacing its entries by key or alias."),
]
PERIODS = "Periods"
# the defaults are domain.time's MIN_PERIOD_DAYS and MAX_GAP_DAYS, read by the period rules too
MinPeriodOpt = Annotated[
    int, typer.Option("--min-period-days", min=0, metavar="N", rich_help_panel=PERIODS,
                      help="Periods shorter than N days report no ARR and are left out of "
                           "the statistics across patients.")
]
MaxGapOpt = Annotated[
    int, typer.Option("--max-gap-days", min=0, metavar="N", rich_help_panel=PERIODS,
                      help="An untreated gap of up to N days between two therapies (a "
                           "switch) counts for the one before; 0: every gap is untreated.")
]


def read_registry(registry: Path | None, style: Any = None) -> Any:
    """The therapy registry of a run: the built-in one, extended by ``--registry`` and
    then by the style file's ``[therapies]`` (``None``: the built-in one alone)."""
    if registry is None and (style is None or not style.therapies):
        return None
    from ..domain.registry import default_registry
    from ..load import read_registry as read_file
    from ..output.atomic import protect

    if registry is not None:
        protect(registry)  # no output of this run may replace it
    out = read_file(registry) if registry is not None else default_registry()
    if style is not None and style.therapies:
        out = out.extended(style.therapies, source=style.source)
    return out


def load(csv: Path | None, date_format: str | None, encoding: str, strict: bool,
         registry: Path | None = None, *, style: Any = None) -> Any:
    """The events file (the bundled case when none is given), validated, with its names
    read through the run's registry (:func:`read_registry`)."""
    from ..load import load_events
    from ..output.atomic import protect

    path = csv if csv is not None else bundled_events_path()
    protect(path)  # no output of this run may replace it
    return load_events(path, date_format=date_format, encoding=encoding, strict=strict,
                       registry=read_registry(registry, style))


def warning_line(warnings: list[Problem]) -> str | None:
    """The file's warnings as one line: the first, and how many more."""
    if not warnings:
        return None
    n = len(warnings)
    first = warnings[0]
    more = f" (and {n - 1} more; run 'nmo-timeline validate' to list them)" if n > 1 else ""
    return f"warning: {first}{more}"


def print_warnings(file_warnings: list[Problem], analysis: list[str],
                   figure: Sequence[str] = ()) -> None:
    """The file's warnings in one line, the analysis' warnings (at most ten), then every
    note on what the figure leaves out (never cut: only this run can say it; an empty
    note, a figure that left nothing out, is not one)."""
    line = warning_line(file_warnings)
    if line:
        err(line)
    shown = analysis[:MAX_WARNINGS]
    for w in shown:
        err(f"warning: {w}")
    if len(analysis) > len(shown):
        err(f"... and {len(analysis) - len(shown)} more warnings "
            "(summary --format json lists them all)")
    for note in filter(None, figure):
        err(f"warning: {note}")


def parse_cutoff(text: str | None) -> Any:
    """``--cutoff``: a full date, or None."""
    if text is None:
        return None
    from ..load.dates import DateError, parse_date

    try:
        parsed = parse_date(text.strip())
    except DateError as exc:
        raise OptionError(f"--cutoff: {exc}") from None
    if parsed.precision != "day":
        raise OptionError(f"--cutoff: '{text}' must be a full date (YYYY-MM-DD)")
    return parsed.first


def print_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
