"""``nmo-timeline validate``: check a file without drawing."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .._resources import bundled_events_path
from ..errors import InputError
from .base import (
    CsvArg,
    DateFormatOpt,
    EncodingOpt,
    StrictOpt,
    app,
    err,
    handle_errors,
    load,
    print_json,
)


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
        table = load(path, date_format, encoding, strict)
    except InputError as exc:
        if format is ValidateFormat.json:
            print_json({"file": str(path), "valid": False, "events": [],
                        "warnings": [w.as_dict() for w in exc.warnings],
                        "errors": [p.as_dict() for p in exc.problems]})
        else:
            for w in exc.warnings:
                err(f"{w} (warning)")
            err(exc.report())
        raise typer.Exit(1) from None
    if format is ValidateFormat.json:
        print_json({"file": str(path), "valid": True, "events": events_as_records(table),
                    "normalised": table.notes,
                    "warnings": [w.as_dict() for w in table.warnings], "errors": []})
        return
    typer.echo(table.summary())
    if table.notes:
        typer.echo("normalised: " + "; ".join(table.notes))
    for w in table.warnings:
        typer.echo(f"{w} (warning)")
