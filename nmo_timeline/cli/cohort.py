"""``nmo-timeline pathways`` and ``occupancy``: cohort views that stay readable at any size."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..errors import OptionError
from ..plan.options import DEFAULT_DPI, DEFAULT_SIZE, DEFAULT_THEME, ThemeName, parse_size
from .base import (
    OUTPUT,
    CsvArg,
    DateFormatOpt,
    DpiOpt,
    EncodingOpt,
    MaxGapOpt,
    MinPeriodOpt,
    RegistryOpt,
    SizeOpt,
    StrictOpt,
    TitleOpt,
    TransparentOpt,
    app,
    err,
    handle_errors,
    load,
    print_json,
    print_warnings,
)


class CohortFormat(str, Enum):
    figure = "figure"
    json = "json"


FigureOut = Annotated[
    Optional[Path],
    typer.Option("--output", "-o", rich_help_panel=OUTPUT, show_default=False,
                 help="Output file; .png, .svg or .pdf (default: COMMAND.png)."),
]
FormatOpt = Annotated[
    CohortFormat, typer.Option("--format", help="figure, or json (the numbers, on stdout).")
]
ThemeOpt = Annotated[
    ThemeName, typer.Option("--theme", rich_help_panel=OUTPUT,
                            help="light, dark or print (greyscale).")
]


def _figure_path(output: Path | None, fmt: CohortFormat, command: str) -> Path | None:
    """Where the figure goes, or None for ``--format json`` (which refuses ``-o``)."""
    from ..output.save import output_format

    if fmt is CohortFormat.json:
        if output is not None:
            raise OptionError(f"--format json prints the numbers and draws no figure; "
                              f"drop -o {output}, or run '{command}' again without "
                              "--format json for the figure")
        return None
    path = output if output is not None else Path(f"{command}.png")
    output_format(path)
    return path


def _save(fig: Any, path: Path, dpi: int, transparent: bool) -> Path:
    from ..output.save import save_figure

    return save_figure(fig, path, dpi=dpi, transparent=transparent)


@app.command(
    epilog="Example: nmo-timeline pathways registry.csv --min-patients 5 -o pathways.png",
)
@handle_errors
def pathways(
    csv: CsvArg = None,
    output: FigureOut = None,
    format: FormatOpt = CohortFormat.figure,
    depth: Annotated[
        int, typer.Option("--depth", min=1, max=8, metavar="N",
                          help="Lines of therapy to follow (rings of the sunburst).")
    ] = 4,
    min_patients: Annotated[
        int, typer.Option("--min-patients", min=1, metavar="K",
                          help="Pathways of fewer patients are shown as 'other' "
                               "(5 or more for registries).")
    ] = 1,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    title: TitleOpt = None,
    dpi: DpiOpt = DEFAULT_DPI,
    size: SizeOpt = DEFAULT_SIZE,
    theme: ThemeOpt = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Each patient's sequence of maintenance regimens (lines of therapy), as a sunburst.

    Line 1 is the centre; acute treatments are left out, untreated gaps are not a
    line, an add-on combination is a regimen of its own, and a regimen resumed
    after another is counted again.
    """
    path = _figure_path(output, format, "pathways")
    canvas = parse_size(size)
    table = load(csv, date_format, encoding, strict, registry)
    from ..plan.pathways import plan_pathways

    plan = plan_pathways(table, depth=depth, min_patients=min_patients, title=title or "",
                         min_period_days=min_period_days, max_gap_days=max_gap_days)
    if path is None:
        print_json(plan.pathways.as_dict())
        print_warnings(table.warnings, plan.warnings)
        return
    from ..draw.pathways import render_pathways, wedge_labels

    fig = render_pathways(plan, size=canvas, dpi=dpi, theme=theme.value)
    written = _save(fig, path, dpi, transparent)
    print_warnings(table.warnings, plan.warnings)
    labelled, left_out = wedge_labels(fig)
    if left_out:
        err(f"note: {left_out} of {labelled + left_out} wedges are too small for their label "
            "and are left unlabelled")
    n = len(plan.pathways.pathways) + plan.pathways.other_pathways
    typer.echo(f"wrote {written} ({plan.patients} patients, {n} pathways)")


@app.command(
    epilog="Example: nmo-timeline occupancy registry.csv --align first-therapy -o occupancy.png",
)
@handle_errors
def occupancy(
    csv: CsvArg = None,
    output: FigureOut = None,
    align: Annotated[
        str, typer.Option("--align", metavar="onset|first-therapy|THERAPY",
                          help="Month 0: onset (first relapse, else first record), the "
                               "first maintenance therapy, or a THERAPY's first dose.")
    ] = "onset",
    format: FormatOpt = CohortFormat.figure,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    title: TitleOpt = None,
    dpi: DpiOpt = DEFAULT_DPI,
    size: SizeOpt = DEFAULT_SIZE,
    theme: ThemeOpt = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Month by month since an anchor, the share of patients on each regimen.

    A stacked area chart of the patients still in follow-up, with the number at
    risk under the time axis.
    """
    path = _figure_path(output, format, "occupancy")
    canvas = parse_size(size)
    table = load(csv, date_format, encoding, strict, registry)
    from ..plan.occupancy import plan_occupancy

    plan = plan_occupancy(table, align=align, title=title or "",
                          min_period_days=min_period_days, max_gap_days=max_gap_days)
    if path is None:
        print_json(plan.occupancy.as_dict())
        print_warnings(table.warnings, plan.warnings)
        return
    from ..draw.figure import left_out
    from ..draw.occupancy import render_occupancy

    fig = render_occupancy(plan, size=canvas, dpi=dpi, theme=theme.value)
    written = _save(fig, path, dpi, transparent)
    print_warnings(table.warnings, plan.warnings, [*plan.notes, left_out(fig)])
    typer.echo(f"wrote {written} ({len(plan.occupancy.patients)} patients)")
