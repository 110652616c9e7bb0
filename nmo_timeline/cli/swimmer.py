"""``nmo-timeline swimmer``: a case series, one row per patient."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..plan.options import DEFAULT_DPI, DEFAULT_SIZE, DEFAULT_THEME, ThemeName, TimeUnit, parse_size
from .base import (
    CsvArg,
    CutoffOpt,
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
    parse_cutoff,
    print_warnings,
)


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
    dpi: DpiOpt = DEFAULT_DPI,
    cutoff: CutoffOpt = None,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    edss: Annotated[
        bool, typer.Option("--edss/--no-edss", help="Label each row with the last EDSS.")
    ] = True,
    anonymize: Annotated[
        bool, typer.Option("--anonymize", help="Number the rows instead of patient IDs.")
    ] = False,
    size: SizeOpt = DEFAULT_SIZE,
    theme: Annotated[
        ThemeName, typer.Option("--theme", help="light, dark or print (greyscale).")
    ] = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """One row per patient: maintenance periods, relapses, ongoing therapy, last EDSS."""
    from ..output.save import output_format, save_figure

    output_format(output)
    canvas = parse_size(size)
    cut = parse_cutoff(cutoff)
    table = load(csv, date_format, encoding, strict, registry)
    from ..draw.figure import left_out
    from ..draw.swimmer import render_swimmer
    from ..plan.swimmer import dense_mode, plan_swimmer

    plan = plan_swimmer(table, align=align, sort=sort.value, unit=unit.value, cutoff=cut,
                        title=title or "", show_edss=edss, anonymize=anonymize,
                        min_period_days=min_period_days, max_gap_days=max_gap_days)
    fig = render_swimmer(plan, dpi=dpi, size=canvas, theme=theme.value)
    written = save_figure(fig, output, dpi=dpi, transparent=transparent)
    print_warnings(table.warnings, plan.warnings, [left_out(fig)])
    if dense_mode(len(plan.rows), canvas, dpi):
        err(f"hint: {len(plan.rows)} patients are too many for labelled rows, so each is one "
            "pixel line; 'nmo-timeline pathways' and 'nmo-timeline occupancy' summarise "
            "large cohorts")
    typer.echo(f"wrote {written} ({len(plan.rows)} patients)")
