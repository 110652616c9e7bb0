"""``nmo-timeline forest`` and ``nmo-timeline survival``: the statistics as figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from ..plan.options import DEFAULT_DPI, DEFAULT_SIZE, DEFAULT_THEME, ThemeName, parse_size
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
    handle_errors,
    load,
    parse_cutoff,
    print_warnings,
)
from .summary import CiOpt, ClusterOpt, GraceOpt, ModelOpt, ReferenceOpt

ThemeOpt = Annotated[
    ThemeName, typer.Option("--theme", help="light, dark or print (greyscale).")
]


def _figure(fig: Any, output: Path, dpi: int, transparent: bool) -> Path:
    from ..output.save import save_figure

    return save_figure(fig, output, dpi=dpi, transparent=transparent)


@app.command(
    epilog="Example: nmo-timeline forest series.csv -o forest.png  "
           "(--model negbin: rate ratios vs the reference)",
)
@handle_errors
def forest(
    csv: CsvArg = None,
    output: OutputOpt = Path("forest.png"),
    title: TitleOpt = None,
    ci: CiOpt = 0.95,
    model: ModelOpt = None,
    reference: ReferenceOpt = None,
    cluster: ClusterOpt = None,
    cutoff: CutoffOpt = None,
    grace_days: GraceOpt = 0,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    dpi: DpiOpt = DEFAULT_DPI,
    size: SizeOpt = DEFAULT_SIZE,
    theme: ThemeOpt = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Forest plot: pooled ARR per regimen with its exact CI (or NB2 rate ratios).

    One row per regimen on a log axis, beside a table of patients, relapses and
    person-years; with --model negbin, rate ratios vs the reference instead.
    """
    from ..output.save import output_format

    output_format(output)
    canvas = parse_size(size)
    cut = parse_cutoff(cutoff)
    table = load(csv, date_format, encoding, strict, registry)
    from ..analysis.summary import summarise
    from ..draw.forest import forest_capacity, render_forest
    from ..plan.forest import plan_forest

    result = summarise(table, cutoff=cut, grace_days=grace_days, level=ci,
                       model=model.value if model else None, reference=reference,
                       cluster=cluster is not None, min_period_days=min_period_days,
                       max_gap_days=max_gap_days)
    plan = plan_forest(result, title=title or "", max_rows=forest_capacity(canvas))
    written = _figure(render_forest(plan, size=canvas, dpi=dpi, theme=theme.value), output,
                      dpi, transparent)
    print_warnings(table.warnings, result.warnings, plan.warnings)
    typer.echo(f"wrote {written} ({len(plan.rows)} regimens)")


@app.command(
    epilog="Example: nmo-timeline survival series.csv --regimens rituximab,tocilizumab "
           "-o km.png",
)
@handle_errors
def survival(
    csv: CsvArg = None,
    output: OutputOpt = Path("km.png"),
    regimens: Annotated[
        Optional[str],
        typer.Option("--regimens", metavar="A,B",
                     help="The regimens to draw, comma-separated (default: those with the "
                          "most patients, untreated left out)."),
    ] = None,
    title: TitleOpt = None,
    cutoff: CutoffOpt = None,
    grace_days: GraceOpt = 0,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    dpi: DpiOpt = DEFAULT_DPI,
    size: SizeOpt = DEFAULT_SIZE,
    theme: ThemeOpt = DEFAULT_THEME,
    transparent: TransparentOpt = False,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Kaplan-Meier curves of time to first relapse per regimen.

    Censoring ticks, median lines and the numbers at risk under the time axis.
    """
    from ..output.save import output_format

    output_format(output)
    canvas = parse_size(size)
    cut = parse_cutoff(cutoff)
    names = None
    if regimens is not None:
        names = [n.strip() for n in regimens.split(",") if n.strip()]
        if not names:
            from ..errors import OptionError

            raise OptionError("--regimens: name at least one regimen, e.g. "
                              "--regimens rituximab,tocilizumab")
    table = load(csv, date_format, encoding, strict, registry)
    from ..analysis.summary import summarise
    from ..draw.survival import render_survival, survival_capacity
    from ..plan.survival import plan_survival

    result = summarise(table, cutoff=cut, grace_days=grace_days,
                       min_period_days=min_period_days, max_gap_days=max_gap_days)
    plan = plan_survival(result, regimens=names, title=title or "",
                         max_curves=survival_capacity(canvas))
    written = _figure(render_survival(plan, size=canvas, dpi=dpi, theme=theme.value), output,
                      dpi, transparent)
    print_warnings(table.warnings, result.warnings, plan.warnings)
    typer.echo(f"wrote {written} ({len(plan.curves)} regimens)")
