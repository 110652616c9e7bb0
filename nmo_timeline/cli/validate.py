"""``nmo-timeline validate``: check a file without drawing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from enum import Enum
from typing import IO, Annotated, Any

import typer

from .._resources import bundled_events_path
from ..domain.text import terminal_safe
from ..errors import InputError
from .base import (
    CsvArg,
    DateFormatOpt,
    EncodingOpt,
    RegistryOpt,
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
    registry: RegistryOpt = None,
) -> None:
    """Check an events file without drawing: a summary, or every problem found."""
    from ..load import events_as_records

    path = csv if csv is not None else bundled_events_path()
    try:
        table = load(path, date_format, encoding, strict, registry)
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
        write_json_stream(sys.stdout, {
            "file": str(path), "valid": True, "events": _records(table, events_as_records),
            "normalised": table.notes, "warnings": [w.as_dict() for w in table.warnings],
            "errors": []})
        return
    typer.echo(terminal_safe(table.summary()))
    if table.notes:
        typer.echo(terminal_safe("normalised: " + "; ".join(table.notes)))
    for w in table.warnings:
        typer.echo(terminal_safe(f"{w} (warning)"))


CHUNK = 10_000  # events turned into records at a time


def _records(table: Any, as_records: Callable[[Any], list[dict[str, Any]]]
             ) -> Iterator[list[dict[str, Any]]]:
    """The table's events as JSON records, :data:`CHUNK` at a time (bounded memory)."""
    ev = table.events
    for start in range(0, len(ev), CHUNK):
        yield as_records(replace(table, events=ev.iloc[start:start + CHUNK]))


_encode_str = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False


def _float(value: float) -> str:
    return float.__repr__(value) if value - value == 0 else json.dumps(value)  # NaN, inf


# each JSON value exactly as json.dumps writes it, by the value's type
_ENCODE: dict[type, Callable[[Any], str]] = {
    str: _encode_str, type(None): lambda _: "null", bool: lambda v: "true" if v else "false",
    int: int.__repr__, float: _float,
}


def _scalar(value: Any) -> str:
    encode = _ENCODE.get(type(value))
    return encode(value) if encode is not None else json.dumps(value, ensure_ascii=False)


def write_json_stream(out: IO[str], doc: dict[str, Any]) -> None:
    """Write ``doc`` as ``json.dumps(doc, indent=2, ensure_ascii=False)`` would, except
    that ``doc["events"]`` is an iterable of lists of flat records, written as they come:
    a million events never sit in memory as one list or one string."""
    out.write("{")
    first = True
    for key, value in doc.items():
        out.write(("\n" if first else ",\n") + f"  {_encode_str(key)}: ")
        first = False
        if key == "events":
            _write_records(out, value)
        else:
            out.write(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  "))
    out.write("\n}\n")


def _write_records(out: IO[str], chunks: Iterable[list[dict[str, Any]]]) -> None:
    written = 0
    for records in chunks:
        if not records:
            continue
        keys = list(records[0])
        columns = [list(map(_scalar, [r[k] for r in records])) for k in keys]
        row = "    {\n" + ",\n".join(f"      {_encode_str(k).replace('%', '%%')}: %s"
                                      for k in keys) + "\n    }"
        out.write(("[\n" if written == 0 else ",\n")
                  + ",\n".join([row % values for values in zip(*columns, strict=True)]))
        written += len(records)
    out.write("\n  ]" if written else "[]")
