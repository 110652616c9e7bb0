"""``nmo-timeline summary``: treatment periods, relapse rates and EDSS per regimen."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from .base import (
    CsvArg,
    CutoffOpt,
    DateFormatOpt,
    EncodingOpt,
    StrictOpt,
    app,
    handle_errors,
    load,
    parse_cutoff,
    print_warnings,
)


class SummaryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


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
    from ..analysis.summary import summarise
    from ..output.report import FORMATTERS

    cut = parse_cutoff(cutoff)
    table = load(csv, date_format, encoding, strict)
    result = summarise(table, patient=patient, cutoff=cut, grace_days=grace_days,
                       compare=compare, edss_window_days=edss_window)
    sys.stdout.write(FORMATTERS[format.value](result))
    print_warnings(table.warnings, result.warnings)
