"""``nmo-timeline summary``: treatment periods, relapse rates and EDSS per regimen.

The options shared with ``forest`` and ``survival`` (:mod:`.stats`) are declared here once.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ..domain.time import MAX_GAP_DAYS, MIN_PERIOD_DAYS
from .base import (
    CsvArg,
    CutoffOpt,
    DateFormatOpt,
    EncodingOpt,
    MaxGapOpt,
    MinPeriodOpt,
    RegistryOpt,
    StrictOpt,
    app,
    handle_errors,
    load,
    parse_cutoff,
    print_warnings,
)

STATISTICS = "Statistics"


class SummaryFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class Model(str, Enum):
    negbin = "negbin"


class Cluster(str, Enum):
    patient = "patient"


GraceOpt = Annotated[
    int, typer.Option("--grace-days", min=0,
                      help="Relapses this many days after a switch count for the "
                           "previous regimen.")
]
EdssWindowOpt = Annotated[
    int, typer.Option("--edss-window", min=0, metavar="DAYS",
                      help="How old an EDSS value may be at a period's start or end.")
]
CiOpt = Annotated[
    float, typer.Option("--ci", metavar="LEVEL", rich_help_panel=STATISTICS,
                        help="Confidence level of every interval, e.g. 0.9.")
]
ModelOpt = Annotated[
    Optional[Model],
    typer.Option("--model", rich_help_panel=STATISTICS,
                 help="negbin: negative binomial (NB2) rate ratios of each regimen vs the "
                      "reference, one observation per patient-period."),
]
ReferenceOpt = Annotated[
    Optional[str],
    typer.Option("--reference", metavar="REGIMEN", rich_help_panel=STATISTICS,
                 help="The model's reference regimen (default: untreated if present, else "
                      "the regimen with the most person-years)."),
]
ClusterOpt = Annotated[
    Optional[Cluster],
    typer.Option("--cluster", rich_help_panel=STATISTICS,
                 help="patient: cluster-robust standard errors, for patients with several "
                      "periods (they are not independent)."),
]


@app.command(
    epilog="Example: nmo-timeline summary series.csv --compare tocilizumab --before 12m "
           "--on 12m --format markdown",
)
@handle_errors
def summary(
    csv: CsvArg = None,
    patient: Annotated[
        Optional[str], typer.Option("--patient", help="Only this patient.")
    ] = None,
    compare: Annotated[
        Optional[str],
        typer.Option("--compare", metavar="THERAPY", rich_help_panel=STATISTICS,
                     help="Each patient's ARR before the first dose of THERAPY vs on it."),
    ] = None,
    before: Annotated[
        Optional[str],
        typer.Option("--before", metavar="WINDOW", rich_help_panel=STATISTICS,
                     help="With --compare: only this much time before the first dose, e.g. "
                          "12m, 90d, 2y (calendar months, days, years)."),
    ] = None,
    on: Annotated[
        Optional[str],
        typer.Option("--on", metavar="WINDOW", rich_help_panel=STATISTICS,
                     help="With --compare: only this much time from the first dose, e.g. 12m."),
    ] = None,
    cutoff: CutoffOpt = None,
    grace_days: GraceOpt = 0,
    edss_window: EdssWindowOpt = 180,
    min_period_days: MinPeriodOpt = MIN_PERIOD_DAYS,
    max_gap_days: MaxGapOpt = MAX_GAP_DAYS,
    ci: CiOpt = 0.95,
    model: ModelOpt = None,
    reference: ReferenceOpt = None,
    cluster: ClusterOpt = None,
    format: Annotated[
        SummaryFormat, typer.Option("--format", help="table, csv, json or markdown.")
    ] = SummaryFormat.table,
    date_format: DateFormatOpt = None,
    encoding: EncodingOpt = "utf-8",
    strict: StrictOpt = False,
    registry: RegistryOpt = None,
) -> None:
    """Treatment periods, annualised relapse rates and EDSS per regimen.

    Prints each patient's periods (so they can be audited), the regimens across
    patients with exact confidence intervals, time to first relapse, with --compare
    the paired before/on comparison, and with --model a rate-ratio model.
    """
    from ..analysis.summary import summarise
    from ..errors import OptionError
    from ..output.report import FORMATTERS

    if format is SummaryFormat.csv and (model is not None or compare is not None):
        flag, what = ("--model", "the model") if model is not None else (
            "--compare", "the comparison")
        raise OptionError(f"{flag}: the csv format has one row per period; {what} is "
                          "reported in the table, markdown and json formats")
    cut = parse_cutoff(cutoff)
    table = load(csv, date_format, encoding, strict, registry)
    result = summarise(table, patient=patient, cutoff=cut, grace_days=grace_days,
                       compare=compare, edss_window_days=edss_window, level=ci,
                       before=before, on=on, model=model.value if model else None,
                       reference=reference, cluster=cluster is not None,
                       min_period_days=min_period_days, max_gap_days=max_gap_days)
    sys.stdout.write(FORMATTERS[format.value](result))
    print_warnings(table.warnings, result.warnings)
