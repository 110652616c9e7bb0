"""The ``nmo-timeline`` command line: thin wrappers over the library.

Each command parses options, calls the library and turns the package's own
error type into a message on stderr and exit status 1.  Heavy modules
(pandas, matplotlib) are imported inside the commands, so ``--help`` stays fast.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from .. import __version__
from .._resources import bundled_events_path
from ..errors import InputError, NmoTimelineError, OptionError, Problem

app = typer.Typer(
    name="nmo-timeline",
    help=(
        "Turn a treatment history kept in a CSV into a slide-ready swimlane figure.\n\n"
        "Example: nmo-timeline plot my_patient.csv -o timeline.png"
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
MAX_WARNINGS = 10


def _err(text: str) -> None:
    typer.echo(text, err=True)


def handle_errors(fn: F) -> F:
    """Turn package errors into messages and exit 1; anything else into a one-line
    internal error (the traceback only with NMO_TIMELINE_DEBUG=1)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except InputError as exc:
            _err(exc.report())
            raise typer.Exit(1) from None
        except NmoTimelineError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            _err("interrupted; nothing was written")
            raise typer.Exit(130) from None
        except Exception as exc:
            if os.environ.get("NMO_TIMELINE_DEBUG"):
                raise
            _err(f"internal error: {type(exc).__name__}: {exc}")
            _err("hint: this is a bug in nmo-timeline, not in your file; please report it "
                 "with the command you ran (NMO_TIMELINE_DEBUG=1 shows the traceback)")
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


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


CsvArg = Annotated[
    Optional[Path],
    typer.Argument(
        help="Events file (.csv, .tsv or .xlsx). Default: the bundled illustrative case.",
        show_default=False,
    ),
]
DateFormatOpt = Annotated[
    Optional[str],
    typer.Option("--date-format", metavar="FORMAT",
                 help="Read slash dates in this order, e.g. DD/MM/YYYY; every date must match."),
]
EncodingOpt = Annotated[
    str, typer.Option("--encoding", help="Text encoding of the file (e.g. cp1252).")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help="Output file; .png, .svg or .pdf.")
]
TitleOpt = Annotated[Optional[str], typer.Option("--title", help="Figure title.")]
DpiOpt = Annotated[
    int, typer.Option("--dpi", min=50, max=1200, help="Resolution of PNG output.")
]
CutoffOpt = Annotated[
    Optional[str],
    typer.Option("--cutoff", metavar="DATE",
                 help="End of observation (default: each patient's latest date)."),
]
SizeOpt = Annotated[
    str,
    typer.Option("--size", help="slide (16:9), slide-4x3, a4, column (3.5 in), double-column "
                                "(7.2 in), or WIDTHxHEIGHT in inches."),
]
ThemeOpt = Annotated[str, typer.Option("--theme", help="light, dark or print (greyscale).")]
class TimeUnit(str, Enum):
    days = "days"
    weeks = "weeks"
    months = "months"
    years = "years"


TransparentOpt = Annotated[
    bool, typer.Option("--transparent", help="Transparent background (default: opaque).")
]


def _load(csv: Path | None, date_format: str | None, encoding: str, strict: bool) -> Any:
    from ..load import load_events

    path = csv if csv is not None else bundled_events_path()
    return load_events(path, date_format=date_format, encoding=encoding, strict=strict)


def _warning_line(warnings: list[Problem]) -> str | None:
    if not warnings:
        return None
    n = len(warnings)
    first = warnings[0]
    more = f" (and {n - 1} more; run 'nmo-timeline validate' to list them)" if n > 1 else ""
    return f"warning: {first}{more}"


@app.command(
    epilog="Example: nmo-timeline plot patient.csv -o patient.pdf --title 'Case 1'",
)
@handle_errors
def plot(
    csv: CsvArg = None,
    output: OutputOpt = Path("timeline.png"),
    title: TitleOpt = None,
    dpi: DpiOpt = 200,
    patient: Annotated[
        Optional[str],
        typer.Option("--patient", help="Which patient to draw (multi-patient files)."),
    ] = None,
    arr: Annotated[
        bool, typer.Option("--arr", help="Show each treatment period's annualised relapse rate.")
    ] = False,
    size: SizeOpt = "slide",
    theme: ThemeOpt = "light",
    transparent: TransparentOpt = False,
    relative: Annotated[
        Optional[str],
        typer.Option("--relative", metavar="ANCHOR",
                     help="Time since onset, first-therapy, a THERAPY's first dose, or a "
                          "DATE."),
    ] = None,
    unit: Annotated[
        Optional[TimeUnit], typer.Option("--unit", help="Unit of relative time.")
    ] = None,
    window: Annotated[
        Optional[str],
        typer.Option("--window", metavar="FROM:TO",
                     help="Zoom: dates, or numbers in the relative unit; a side may be empty."),
    ] = None,
    calendar: Annotated[
        bool, typer.Option("--calendar/--no-calendar",
                           help="Calendar years under relative time.")
    ] = True,
    anonymize: Annotated[
        bool, typer.Option("--anonymize",
                           help="Relative time only, no patient IDs, no free-text details.")
    ] = False,
    annotate: Annotated[
        Optional[list[str]],
        typer.Option("--annotate", metavar="LABEL@DATE", help="A callout; may be repeated."),
    ] = None,
    style: Annotated[
        Optional[Path],
        typer.Option("--style", metavar="FILE.toml",
                     help="Lane order and labels, colours, fonts, panels."),
    ] = None,
    pptx: Annotated[
        Optional[Path],
        typer.Option("--pptx", metavar="DECK.pptx",
                     help="Also add a 16:9 slide with the figure to this deck (created or "
                          "appended)."),
    ] = None,
    build: Annotated[
        bool, typer.Option("--build", help="One frame per maintenance period: OUT-01, -02, ...")
    ] = False,
    all_patients: Annotated[
        bool, typer.Option("--all-patients", help="One figure per patient, into --outdir.")
    ] = False,
    outdir: Annotated[
        Optional[Path], typer.Option("--outdir", help="Folder for --all-patients figures.")
    ] = None,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
) -> None:
    """Draw one patient's timeline (EDSS, therapy lanes, relapses, MRI, labs).

    The figure is a 16:9 slide (13.33 x 7.5 in) at 200 dpi; the format follows the
    output's extension. The file is written only when everything succeeded.
    """
    from ..draw.timeline import output_format, parse_size
    from ..draw.themes import get_theme

    canvas = parse_size(size)
    get_theme(theme)
    from ..plan.style import load_style

    spec = load_style(style) if style is not None else None
    fmt = output_format(output)  # refuse a bad extension before any work
    figure_options: dict[str, Any] = {
        "size": canvas, "theme": theme, "relative": relative,
        "unit": unit.value if unit else None, "window": window, "calendar_row": calendar,
        "anonymize": anonymize, "annotate": annotate, "style": spec}
    if all_patients or outdir is not None:
        if not (all_patients and outdir is not None):
            raise OptionError("--all-patients and --outdir go together: "
                              "nmo-timeline plot series.csv --all-patients --outdir figures/")
        clashing = [flag for flag, used in (("--patient", patient is not None),
                                            ("--build", build), ("--pptx", pptx is not None))
                    if used]
        if clashing:
            raise OptionError(f"--all-patients draws every patient once; it does not go with "
                              f"{', '.join(clashing)}")
        _plot_batch(csv, outdir, fmt, dpi, arr, figure_options=figure_options,
                    transparent=transparent,
                    date_format=date_format, encoding=encoding, strict=strict)
        return
    if pptx is not None:
        from ..output.slides import require_pptx

        require_pptx(pptx)
    table = _load(csv, date_format, encoding, strict)
    table = table.for_patient(patient) if patient is not None else table
    table.require_one_patient()
    if title is None:
        from ..draw.plot import BUNDLED_TITLE

        title = BUNDLED_TITLE if csv is None else ""
    from ..draw.plot import plot_timeline
    from ..draw.timeline import save_figure

    steps: list[Any] = [None]
    if build:
        from ..plan.timeline import build_steps

        steps = build_steps(table)
    outputs = [output] if not build else [
        output.with_name(f"{output.stem}-{k:02d}{output.suffix}")
        for k in range(1, len(steps) + 1)]
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        slide_images = []
        for until, out in zip(steps, outputs, strict=True):
            fig = plot_timeline(table, reveal_until=until, title=title, dpi=dpi, arr=arr,
                                **figure_options)
            written.append(save_figure(fig, out, dpi=dpi, transparent=transparent))
            if pptx is not None:  # slides need a PNG: the output itself, or a copy
                slide_images.append(written[-1] if fmt == "png" and not transparent else
                                    save_figure(fig, Path(tmp) / f"{len(written)}.png", dpi=dpi))
        if pptx is not None:
            from ..output.slides import add_slides

            add_slides(pptx, slide_images, title or "")
    line = _warning_line(table.warnings)
    if line:
        _err(line)
    if build:
        if len(written) == 1:
            typer.echo(f"wrote 1 frame: {written[0]}")
        else:
            typer.echo(f"wrote {len(written)} frames: {written[0]} ... {written[-1]}")
    else:
        typer.echo(f"wrote {written[0]}")
    if pptx is not None:
        typer.echo(f"added {len(written)} slide{'s' if len(written) != 1 else ''} to {pptx}")


def _plot_batch(csv: Path | None, outdir: Path, fmt: str, dpi: int, arr: bool,
                figure_options: dict[str, Any], transparent: bool,
                **load_options: Any) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..output.batch import plot_all_patients

    console = Console(stderr=True)
    path = csv if csv is not None else bundled_events_path()
    with Progress(TextColumn("drawing"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        task = bar.add_task("patients", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = plot_all_patients(path, outdir, fmt=fmt, dpi=dpi, arr=arr, progress=tick,
                                   figure_options=figure_options, transparent=transparent,
                                   **load_options)
    typer.echo(f"wrote {len(result.written)} figure{'s' if len(result.written) != 1 else ''} "
               f"to {outdir}")
    if result.failed:
        n = len(result.failed)
        _err(f"{n} patient{'s' if n != 1 else ''} failed:")
        for patient, messages in result.failed.items():
            _err(f"  {patient}:")
            for m in messages:
                _err(f"    {m}")
        raise typer.Exit(1)


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(epilog="Example: nmo-timeline validate patient.csv --format json")
@handle_errors
def validate(
    csv: CsvArg = None,
    format: Annotated[
        ValidateFormat, typer.Option("--format", help="text (a summary) or json (every event).")
    ] = ValidateFormat.text,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
) -> None:
    """Check an events file without drawing: a summary, or every problem found."""
    from ..load import events_as_records

    path = csv if csv is not None else bundled_events_path()
    try:
        table = _load(path, date_format, encoding, strict)
    except InputError as exc:
        if format is ValidateFormat.json:
            _print_json({"file": str(path), "valid": False, "events": [],
                         "warnings": [w.as_dict() for w in exc.warnings],
                         "errors": [p.as_dict() for p in exc.problems]})
        else:
            for w in exc.warnings:
                _err(f"{w} (warning)")
            _err(exc.report())
        raise typer.Exit(1) from None
    if format is ValidateFormat.json:
        _print_json({"file": str(path), "valid": True, "events": events_as_records(table),
                     "normalised": table.notes,
                     "warnings": [w.as_dict() for w in table.warnings], "errors": []})
        return
    typer.echo(table.summary())
    if table.notes:
        typer.echo("normalised: " + "; ".join(table.notes))
    for w in table.warnings:
        typer.echo(f"{w} (warning)")


class SwimSort(str, Enum):
    id = "id"
    follow_up = "follow-up"
    aligned = "aligned"
    arr = "arr"


@app.command(
    epilog="Example: nmo-timeline swimmer series.csv --align tocilizumab --sort aligned "
           "-o swimmer.png",
)
@handle_errors
def swimmer(
    csv: CsvArg = None,
    output: OutputOpt = Path("swimmer.png"),
    align: Annotated[
        Optional[str],
        typer.Option("--align", metavar="THERAPY",
                     help="Day 0 = each patient's first dose of THERAPY."),
    ] = None,
    sort: Annotated[
        SwimSort, typer.Option("--sort", help="Row order: id, follow-up, aligned or arr.")
    ] = SwimSort.id,
    unit: Annotated[TimeUnit, typer.Option("--unit", help="Time axis unit.")] = TimeUnit.years,
    title: TitleOpt = None,
    dpi: DpiOpt = 200,
    cutoff: CutoffOpt = None,
    edss: Annotated[
        bool, typer.Option("--edss/--no-edss", help="Label each row with the last EDSS.")
    ] = True,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Number the rows instead of patient IDs.")
    ] = False,
    size: SizeOpt = "slide",
    theme: ThemeOpt = "light",
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
) -> None:
    """One row per patient: maintenance periods, relapses, ongoing therapy, last EDSS."""
    from ..draw.timeline import output_format, parse_size, save_figure
    from ..draw.themes import get_theme

    output_format(output)
    canvas = parse_size(size)
    get_theme(theme)
    cut = _parse_cutoff(cutoff)
    table = _load(csv, date_format, encoding, strict)
    from ..draw.swimmer import render_swimmer
    from ..plan.swimmer import plan_swimmer

    plan = plan_swimmer(table, align=align, sort=sort.value, unit=unit.value, cutoff=cut,
                        title=title or "", show_edss=edss, anonymize=anonymize)
    written = save_figure(render_swimmer(plan, dpi=dpi, size=canvas, theme=theme), output,
                          dpi=dpi, transparent=transparent)
    _print_warnings(table.warnings, plan.warnings)
    typer.echo(f"wrote {written} ({len(plan.rows)} patients)")


def _print_warnings(file_warnings: list[Problem], analysis: list[str]) -> None:
    line = _warning_line(file_warnings)
    if line:
        _err(line)
    shown = analysis[:MAX_WARNINGS]
    for w in shown:
        _err(f"warning: {w}")
    if len(analysis) > len(shown):
        _err(f"... and {len(analysis) - len(shown)} more warnings "
             "(summary --format json lists them all)")


class SummaryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


def _parse_cutoff(text: str | None) -> Any:
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


@app.command(
    epilog="Example: nmo-timeline summary series.csv --compare tocilizumab --format markdown",
)
@handle_errors
def summary(
    csv: CsvArg = None,
    patient: Annotated[
        Optional[str], typer.Option("--patient", help="Only this patient.")
    ] = None,
    compare: Annotated[
        Optional[str],
        typer.Option("--compare", metavar="THERAPY",
                     help="Each patient's ARR before the first dose of THERAPY vs on it."),
    ] = None,
    cutoff: CutoffOpt = None,
    grace_days: Annotated[
        int, typer.Option("--grace-days", min=0,
                          help="Relapses this many days after a switch count for the "
                               "previous regimen.")
    ] = 0,
    edss_window: Annotated[
        int, typer.Option("--edss-window", min=0, metavar="DAYS",
                          help="How old an EDSS value may be at a period's start or end.")
    ] = 180,
    format: Annotated[
        SummaryFormat, typer.Option("--format", help="table, csv, json or markdown.")
    ] = SummaryFormat.table,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
) -> None:
    """Treatment periods, annualised relapse rates and EDSS per regimen.

    Prints each patient's periods (so they can be audited), the regimens across
    patients, and with --compare the paired before/on comparison.
    """
    from ..analysis.periods import summarise
    from ..output.report import FORMATTERS

    cut = _parse_cutoff(cutoff)
    table = _load(csv, date_format, encoding, strict)
    result = summarise(table, patient=patient, cutoff=cut, grace_days=grace_days,
                       compare=compare, edss_window_days=edss_window)
    sys.stdout.write(FORMATTERS[format.value](result))
    _print_warnings(table.warnings, result.warnings)


def _print_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


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
