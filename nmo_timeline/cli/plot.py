"""``nmo-timeline plot``: one patient's timeline (or every patient's, or a build)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .._resources import bundled_events_path
from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..errors import OptionError, Terminated
from ..plan.options import (
    DEFAULT_DPI,
    DEFAULT_SIZE,
    DEFAULT_THEME,
    FigureOptions,
    ThemeName,
    TimeUnit,
    parse_size,
)
from .base import (
    OUTPUT,
    CsvArg,
    DateFormatOpt,
    DpiOpt,
    EncodingOpt,
    MaxGapOpt,
    MinPeriodOpt,
    OutputOpt,
    RegistryOpt,
    SizeOpt,
    StrictOpt,
    TitleOpt,
    TransparentOpt,
    app,
    err,
    handle_errors,
    load,
    read_registry,
    warning_line,
)

FIGURE = "Figure"
TIME = "Time axis"
MANY = "Several figures"


@app.command(
    epilog="Example: nmo-timeline plot patient.csv -o patient.pdf --title 'Case 1'",
)
@handle_errors
def plot(
    csv: CsvArg = None,
    output: OutputOpt = Path("timeline.png"),
    title: TitleOpt = None,
    dpi: DpiOpt = DEFAULT_DPI,
    patient: Annotated[
        Optional[str],
        typer.Option("--patient", help="Which patient to draw (multi-patient files)."),
    ] = None,
    arr: Annotated[
        bool, typer.Option("--arr", rich_help_panel=FIGURE,
                           help="Show each treatment period's annualised relapse rate.")
    ] = False,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    size: SizeOpt = DEFAULT_SIZE,
    theme: Annotated[
        ThemeName, typer.Option("--theme", rich_help_panel=FIGURE,
                                help="light, dark or print (greyscale).")
    ] = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    relative: Annotated[
        Optional[str],
        typer.Option("--relative", metavar="ANCHOR", rich_help_panel=TIME,
                     help="Time since onset, first-therapy, a THERAPY's first dose, or a "
                          "DATE."),
    ] = None,
    unit: Annotated[
        Optional[TimeUnit], typer.Option("--unit", rich_help_panel=TIME,
                                         help="Unit of relative time.")
    ] = None,
    window: Annotated[
        Optional[str],
        typer.Option("--window", metavar="FROM:TO", rich_help_panel=TIME,
                     help="Zoom: dates, or numbers in the relative unit; a side may be empty."),
    ] = None,
    calendar: Annotated[
        bool, typer.Option("--calendar/--no-calendar", rich_help_panel=TIME,
                           help="Calendar years under relative time.")
    ] = FigureOptions.calendar_row,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", rich_help_panel=FIGURE,
                           help="Relative time only, no patient IDs, no free-text details.")
    ] = False,
    annotate: Annotated[
        Optional[list[str]],
        typer.Option("--annotate", metavar="LABEL@DATE", rich_help_panel=FIGURE,
                     help="A callout; may be repeated."),
    ] = None,
    style: Annotated[
        Optional[Path],
        typer.Option("--style", metavar="FILE.toml", rich_help_panel=FIGURE,
                     help="Lane order and labels, colours, fonts, panels."),
    ] = None,
    pptx: Annotated[
        Optional[Path],
        typer.Option("--pptx", metavar="DECK.pptx", rich_help_panel=OUTPUT,
                     help="Also add a 16:9 slide with the figure to this deck (created or "
                          "appended)."),
    ] = None,
    build: Annotated[
        bool, typer.Option("--build", rich_help_panel=OUTPUT,
                           help="One frame per maintenance period: OUT-01, -02, ...")
    ] = False,
    all_patients: Annotated[
        bool, typer.Option("--all-patients", rich_help_panel=MANY,
                           help="One figure per patient, into --outdir.")
    ] = False,
    outdir: Annotated[
        Optional[Path], typer.Option("--outdir", rich_help_panel=MANY,
                                     help="Folder for --all-patients figures.")
    ] = None,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Draw one patient's timeline (EDSS, therapy lanes, relapses, MRI, labs).

    The figure is a 16:9 slide (13.33 x 7.5 in) at 200 dpi; the format follows the
    output's extension. The file is written only when everything succeeded.
    """
    from ..output.atomic import protect
    from ..output.save import output_format

    canvas = parse_size(size)
    spec = None
    if style is not None:
        from ..plan.style import load_style

        spec = load_style(style)
        protect(style)  # no output of this run may replace it
    fmt = output_format(output)  # refuse a bad extension before any work
    protect(csv if csv is not None else bundled_events_path())
    options = FigureOptions(
        title=title or "", size=canvas, dpi=dpi, theme=theme.value, transparent=transparent,
        arr=arr, relative=relative, unit=unit.value if unit else None, window=window,
        calendar_row=calendar, anonymize=anonymize, annotate=tuple(annotate or ()),
        style=spec, min_period_days=min_period_days, max_gap_days=max_gap_days)
    load_options: dict[str, Any] = dict(date_format=date_format, encoding=encoding,
                                        strict=strict)
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
        names = read_registry(registry, spec)  # --registry, then the style's [therapies]
        _plot_batch(csv, outdir, fmt, options, {**load_options, "registry": names})
        return
    from ..output.figures import check_outputs, write_timeline

    check_outputs(output, options, pptx=pptx)  # before reading or drawing anything
    table = load(csv, **load_options, registry=registry, style=spec)
    table = table.for_patient(patient) if patient is not None else table
    table.require_one_patient()
    if title is None and csv is None:
        from ..draw.plot import BUNDLED_TITLE

        options = FigureOptions.of(options, title=BUNDLED_TITLE)
    written = write_timeline(table, output, options, build=build, pptx=pptx)
    for note in written.left_out[-1:]:  # the figure's note (a build: its last frame's)
        err(f"warning: {note}")
    line = warning_line(table.warnings)
    if line:
        err(line)
    files = written.figures
    if build:
        if len(files) == 1:
            typer.echo(f"wrote 1 frame: {files[0]}")
        else:
            typer.echo(f"wrote {len(files)} frames: {files[0]} ... {files[-1]}")
    else:
        typer.echo(f"wrote {files[0]}")
    if written.deck is not None:
        typer.echo(f"added {len(files)} slide{'s' if len(files) != 1 else ''} to "
                   f"{written.deck}")


def _plot_batch(csv: Path | None, outdir: Path, fmt: str, options: FigureOptions,
                load_options: dict[str, Any]) -> None:
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

        try:
            result = plot_all_patients(path, outdir, options, fmt=fmt, progress=tick,
                                       **load_options)
        except (KeyboardInterrupt, Terminated) as exc:
            so_far = getattr(exc, "result", None)
            if so_far is None:
                raise
            bar.stop()
            n = len(so_far.written)
            why = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
            err(f"{why}: wrote {n} of {so_far.total} figure{'s' if so_far.total != 1 else ''} "
                f"to {outdir} before stopping; the others were not drawn")
            raise typer.Exit(130 if isinstance(exc, KeyboardInterrupt) else
                             exc.exit_code) from None
    typer.echo(f"wrote {len(result.written)} figure{'s' if len(result.written) != 1 else ''} "
               f"to {outdir}")
    if result.failed:
        n = len(result.failed)
        err(f"{n} patient{'s' if n != 1 else ''} failed:")
        for patient, messages in result.failed.items():
            err(f"  {patient}:")
            for m in messages:
                err(f"    {m}")
        raise typer.Exit(1)
