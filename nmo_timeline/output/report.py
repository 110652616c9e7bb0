"""Formatting a :class:`~nmo_timeline.analysis.summary.Summary`: table, CSV, JSON, Markdown.

Pure text; numbers are rounded only for display (table, Markdown).  JSON and
CSV carry full precision, with numbers as numbers and dates as ISO strings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from ..analysis.compare import Comparison
from ..analysis.summary import Summary

PERIOD_FIELDS = ["patient", "regimen", "start", "end", "years", "relapses", "arr",
                 "edss_start", "edss_end", "edss_change"]
COHORT_FIELDS = ["regimen", "patients", "relapses", "years", "arr_pooled", "arr_median",
                 "arr_min", "arr_max", "arr_mean", "arr_sd"]


def _patient_id(summary: Summary, patient: str) -> str | None:
    return patient if patient or len(summary.patients) > 1 else None


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The JSON document (see README, ``summary --format json``)."""
    doc: dict[str, Any] = {
        "patients": [
            {
                "patient": _patient_id(summary, pp.patient),
                "periods": [
                    {
                        "regimen": p.regimen,
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "years": p.years,
                        "relapses": p.relapses,
                        "arr": p.arr,
                        "edss_start": p.edss_start,
                        "edss_end": p.edss_end,
                        "edss_change": p.edss_change,
                    }
                    for p in pp.periods
                ],
            }
            for pp in summary.patients
        ],
        "cohort": [{f: getattr(c, f) for f in COHORT_FIELDS} for c in summary.cohort],
    }
    if summary.comparison is not None:
        doc["compare"] = _comparison_dict(summary.comparison)
    doc["rules"] = {"grace_days": summary.grace_days,
                    "edss_window_days": summary.edss_window_days,
                    "days_per_year": 365.25}
    doc["warnings"] = list(summary.warnings)
    return doc


def _comparison_dict(c: Comparison) -> dict[str, Any]:
    return {
        "therapy": c.therapy,
        "patients": [
            {"patient": r.patient, "first_dose": r.first_dose.isoformat(),
             "years_before": r.years_before, "relapses_before": r.relapses_before,
             "arr_before": r.arr_before, "years_on": r.years_on,
             "relapses_on": r.relapses_on, "arr_on": r.arr_on, "difference": r.difference}
            for r in c.rows
        ],
        "median_difference": c.median_difference,
        "mean_difference": c.mean_difference,
        "left_out": list(c.without),
    }


def to_json(summary: Summary) -> str:
    return json.dumps(summary_dict(summary), indent=2, ensure_ascii=False) + "\n"


def to_csv(summary: Summary) -> str:
    """One row per patient-period."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PERIOD_FIELDS)
    w.writerows([pp.patient, p.regimen, p.start.isoformat(), p.end.isoformat(), _raw(p.years),
                 p.relapses, _raw(p.arr), _raw(p.edss_start), _raw(p.edss_end),
                 _raw(p.edss_change)]
                for pp in summary.patients for p in pp.periods)
    return buf.getvalue()


def _raw(v: float | None) -> str:
    return "" if v is None else repr(round(v, 6))


def _n(v: float | None, digits: int = 2, sign: bool = False) -> str:
    if v is None:
        return "-"
    text = f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"
    return text


def _edss(v: float | None, sign: bool = False) -> str:
    return _n(v, 1, sign)


def _rows(summary: Summary) -> tuple[list[str], list[list[list[str]]], list[str]]:
    header = ["regimen", "start", "end", "years", "relapses", "ARR", "EDSS start", "EDSS end",
              "change"]
    blocks = []
    titles = []
    for pp in summary.patients:
        who = f"Patient {pp.patient}" if pp.patient else "Patient"
        titles.append(f"{who}: {pp.record_start} to {pp.cutoff} (cut-off)")
        blocks.append([[p.regimen, str(p.start), str(p.end), _n(p.years), str(p.relapses),
                        _n(p.arr), _edss(p.edss_start), _edss(p.edss_end),
                        _edss(p.edss_change, sign=True)] for p in pp.periods])
    return header, blocks, titles


def _cohort_rows(summary: Summary) -> tuple[list[str], list[list[str]]]:
    header = ["regimen", "patients", "relapses", "years", "ARR pooled", "ARR median (range)",
              "ARR mean ± SD"]
    rows = []
    for c in summary.cohort:
        median = (f"{_n(c.arr_median)} ({_n(c.arr_min)}-{_n(c.arr_max)})"
                  if c.arr_median is not None else "-")
        mean = (f"{_n(c.arr_mean)} ± {_n(c.arr_sd)}" if c.arr_sd is not None
                else _n(c.arr_mean))
        rows.append([c.regimen, str(c.patients), str(c.relapses), _n(c.years),
                     _n(c.arr_pooled), median, mean])
    return header, rows


def _compare_rows(c: Comparison) -> tuple[list[str], list[list[str]], str]:
    header = ["patient", "first dose", "years before", "relapses before", "ARR before",
              f"years on {c.therapy}", "relapses on", "ARR on", "difference"]
    rows = [[r.patient or "-", str(r.first_dose), _n(r.years_before), str(r.relapses_before),
             _n(r.arr_before), _n(r.years_on), str(r.relapses_on), _n(r.arr_on),
             _n(r.difference, sign=True)] for r in c.rows]
    foot = (f"difference (on - before): median {_n(c.median_difference, sign=True)}, "
            f"mean {_n(c.mean_difference, sign=True)}, n = {len(c.differences)}")
    return header, rows, foot


def _grid(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(cell.ljust(w) if i == 0 else cell.rjust(w))
        return indent + "  ".join(out).rstrip()

    return [line(header), indent + "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def _document(
    summary: Summary,
    grid: Callable[[list[str], list[list[str]]], list[str]],
    heading: Callable[[str], list[str]],
    caption: str,
    foot: Callable[[str], str],
) -> str:
    """The summary as text: per-patient periods, the cohort and the comparison,
    with the table and heading style of one output format."""
    header, blocks, titles = _rows(summary)
    out: list[str] = []
    for title, rows in zip(titles, blocks, strict=True):
        out.extend(heading(title))
        out.extend(grid(header, rows))
        out.append("")
    out.extend(heading(caption))
    out.extend(grid(*_cohort_rows(summary)))
    if summary.comparison is not None:
        h, r, footer = _compare_rows(summary.comparison)
        out.append("")
        out.extend(heading(f"Before vs on {summary.comparison.therapy}"))
        out.extend(grid(h, r))
        out.append(foot(footer))
    return "\n".join(out) + "\n"


def to_table(summary: Summary) -> str:
    """A readable terminal table."""
    return _document(
        summary, _grid, lambda title: [title],
        "By regimen (pooled ARR = relapses / years; per-patient ARR median, mean ± SD)",
        lambda footer: "  " + footer)


def _md(header: list[str], rows: list[list[str]]) -> list[str]:
    def esc(c: str) -> str:
        return c.replace("|", "\\|")

    aligns = ["---"] + ["---:"] * (len(header) - 1)
    return (["| " + " | ".join(esc(h) for h in header) + " |",
             "|" + "|".join(aligns) + "|"]
            + ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows])


def to_markdown(summary: Summary) -> str:
    """Pipe tables that paste into a paper draft."""
    return _document(
        summary, _md, lambda title: [f"**{title}**", ""],
        "By regimen (pooled ARR = relapses / years; per-patient ARR as median (range) and "
        "mean ± SD)",
        lambda footer: "\n" + footer[0].upper() + footer[1:] + ".")


FORMATTERS = {"table": to_table, "csv": to_csv, "json": to_json, "markdown": to_markdown}
