"""Formatting a :class:`~nmo_timeline.analysis.summary.Summary`: table, CSV, JSON, Markdown.

Pure text; numbers are rounded only for display (table, Markdown).  JSON and CSV carry
full precision, with numbers as numbers and dates as ISO strings.

Text from the input file (patient IDs, therapy and regimen names) is made safe for where
it goes: in CSV a text cell that a spreadsheet would run as a formula (first character
``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading ``'`` (OWASP's advice;
numbers the tool writes, such as an EDSS change of -1.0, stay numbers); in Markdown ``|``
is escaped and line breaks become spaces; in the terminal table (and Markdown and CSV,
which are printed too) control and format characters, such as the escape that starts a terminal
command, are shown as ``\\x1b``-style escapes instead of being sent to the terminal.
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from collections.abc import Callable
from typing import Any

from ..analysis.compare import Comparison
from ..analysis.inputs import level_label
from ..analysis.summary import Summary

PERIOD_FIELDS = ["patient", "regimen", "start", "end", "years", "relapses", "arr",
                 "edss_start", "edss_end", "edss_change"]
COHORT_FIELDS = ["regimen", "patients", "relapses", "years", "arr_pooled", "arr_median",
                 "arr_min", "arr_max", "arr_mean", "arr_sd", "arr_ci_low", "arr_ci_high",
                 "edss_start_median", "edss_end_median", "edss_change_median"]
#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


# ------------------------------------------------------------------ making text safe


def csv_text(text: str) -> str:
    """A text cell for CSV: a leading ``'`` where a spreadsheet would see a formula, and
    control characters shown as escapes (the CSV is printed to the terminal).

    Examples
    --------
    >>> csv_text("=HYPERLINK(1)"), csv_text("-x"), csv_text("P-1"), csv_text("P\\x1b[2J")
    ("'=HYPERLINK(1)", "'-x", 'P-1', 'P\\\\x1b[2J')
    """
    safe = terminal_text(text)
    return "'" + safe if text.startswith(FORMULA_START) else safe


def terminal_text(text: str) -> str:
    """``text`` with control and format characters shown as escapes (``\\x1b``, ``\\n``,
    ``\\u202e``), so nothing in a cell can move the cursor or restyle the terminal.

    Examples
    --------
    >>> terminal_text("P1\\x1b[2J"), terminal_text("Müller")
    ('P1\\\\x1b[2J', 'Müller')
    """
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii")
                   if c != " " and unicodedata.category(c) in _UNSAFE_CATEGORIES else c
                   for c in text)


def markdown_text(text: str) -> str:
    """Text for a Markdown table cell: one line, ``|`` escaped, nothing for the terminal.

    Examples
    --------
    >>> markdown_text("A|B\\nC")
    'A\\\\|B C'
    """
    one_line = " ".join(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return terminal_text(one_line).replace("|", "\\|")


# ------------------------------------------------------------------ JSON


def _finite(v: float | None) -> float | None:
    """A number for JSON: NaN and infinity (not JSON) become null."""
    return v if v is None or math.isfinite(v) else None


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
        "survival": [
            {"regimen": s.regimen, "patients": s.patients, "events": s.events,
             "median_days": s.median_days, "survival_365": s.survival_365,
             "steps": [{"days": t, "survival": v, "at_risk": n, "events": e, "censored": c}
                       for t, v, n, e, c in zip(s.km.times, s.km.survival, s.km.at_risk,
                                                s.km.events, s.km.censored, strict=True)]}
            for s in summary.survival
        ],
    }
    if summary.comparison is not None:
        doc["compare"] = _comparison_dict(summary.comparison)
    if summary.model is not None:
        m = summary.model
        doc["model"] = {
            "family": m.family, "reference": m.reference,
            "terms": [{"regimen": t.regimen, "rate_ratio": _finite(t.rate_ratio),
                       "ci_low": _finite(t.ci_low), "ci_high": _finite(t.ci_high),
                       "p": _finite(t.p), "events": t.events, "years": t.years}
                      for t in m.terms],
            "alpha": m.alpha, "n_periods": m.n_periods, "n_patients": m.n_patients,
            "cov_type": m.cov_type, "converged": m.converged, "level": m.level}
    doc["rules"] = {"grace_days": summary.grace_days,
                    "edss_window_days": summary.edss_window_days,
                    "min_period_days": summary.min_period_days,
                    "max_gap_days": summary.max_gap_days,
                    "days_per_year": 365.25, "ci_level": summary.level}
    doc["warnings"] = list(summary.warnings)
    return doc


def _comparison_dict(c: Comparison) -> dict[str, Any]:
    before_mean, before_sd, before_median = c.arr_before
    on_mean, on_sd, on_median = c.arr_on
    rate, test = c.rate, c.wilcoxon
    return {
        "therapy": c.therapy,
        "before_window": c.before.text if c.before else None,
        "on_window": c.on.text if c.on else None,
        "patients": [
            {"patient": r.patient, "first_dose": r.first_dose.isoformat(),
             "years_before": r.years_before, "relapses_before": r.relapses_before,
             "arr_before": r.arr_before, "years_on": r.years_on,
             "relapses_on": r.relapses_on, "arr_on": r.arr_on, "difference": r.difference}
            for r in c.rows
        ],
        "median_difference": c.median_difference,
        "mean_difference": c.mean_difference,
        "arr_before_mean": before_mean, "arr_before_sd": before_sd,
        "arr_before_median": before_median,
        "arr_on_mean": on_mean, "arr_on_sd": on_sd, "arr_on_median": on_median,
        # the pooled ratio's sums: sides without an ARR (too short) are left out
        "relapses_before_total": sum(r.relapses_before for r in c.rows
                                     if r.arr_before is not None),
        "years_before_total": sum(r.years_before for r in c.rows if r.arr_before is not None),
        "relapses_on_total": sum(r.relapses_on for r in c.rows if r.arr_on is not None),
        "years_on_total": sum(r.years_on for r in c.rows if r.arr_on is not None),
        "rate_ratio": rate.estimate if rate else None,
        "rate_ratio_ci_low": rate.ci_low if rate else None,
        "rate_ratio_ci_high": rate.ci_high if rate else None,
        "rate_ratio_note": rate.note if rate else None,
        "wilcoxon_p": test.p if test else None,
        "wilcoxon_statistic": test.statistic if test else None,
        "wilcoxon_pairs": test.n_pairs if test else 0,
        "wilcoxon_note": test.reason if test else None,
        "ci_level": c.level,
        "left_out": list(c.without),
    }


def to_json(summary: Summary) -> str:
    """The JSON document as text (:func:`summary_dict`)."""
    return json.dumps(summary_dict(summary), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ CSV


def to_csv(summary: Summary) -> str:
    """One row per patient-period; text cells cannot start a spreadsheet formula."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PERIOD_FIELDS)
    w.writerows([csv_text(pp.patient), csv_text(p.regimen), p.start.isoformat(),
                 p.end.isoformat(), _raw(p.years), p.relapses, _raw(p.arr),
                 _raw(p.edss_start), _raw(p.edss_end), _raw(p.edss_change)]
                for pp in summary.patients for p in pp.periods)
    return buf.getvalue()


def _raw(v: float | None) -> str:
    return "" if v is None else repr(round(v, 6))


# ------------------------------------------------------------------ numbers for reading


def _n(v: float | None, digits: int = 2, sign: bool = False) -> str:
    if v is None:
        return "-"
    text = f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"
    return text


def _edss(v: float | None, sign: bool = False) -> str:
    return _n(v, 1, sign)


def _ratio(v: float | None) -> str:
    """A rate ratio as papers print it: 2 decimals, ``<0.01`` above 0, ``inf`` unbounded."""
    if v is None or math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf"
    return "<0.01" if 0 < v < 0.005 else f"{v:.2f}"


def _with_ci(v: float | None, low: float | None, high: float | None) -> str:
    if v is None or math.isnan(v):
        return "not estimable"
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return f"{_ratio(v)} (no CI)"
    return f"{_ratio(v)} ({_ratio(low)}-{_ratio(high)})"


def _count(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _p(p: float | None) -> str:
    if p is None or math.isnan(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


# ------------------------------------------------------------------ the text document


Block = tuple[str, list[str], list[list[str]], list[str]]  # title, header, rows, notes


def _period_blocks(summary: Summary) -> list[Block]:
    header = ["regimen", "start", "end", "years", "relapses", "ARR", "EDSS start", "EDSS end",
              "change"]
    blocks: list[Block] = []
    for pp in summary.patients:
        who = f"Patient {pp.patient}" if pp.patient else "Patient"
        rows = [[p.regimen, str(p.start), str(p.end), _n(p.years), str(p.relapses), _n(p.arr),
                 _edss(p.edss_start), _edss(p.edss_end), _edss(p.edss_change, sign=True)]
                for p in pp.periods]
        blocks.append((f"{who}: {pp.record_start} to {pp.cutoff} (cut-off)", header, rows, []))
    return blocks


def _cohort_block(summary: Summary, caption: str) -> Block:
    ci = level_label(summary.level)
    header = ["regimen", "patients", "relapses", "years", f"ARR pooled ({ci} CI)",
              "ARR median (range)", "ARR mean ± SD"]
    rows = []
    for c in summary.cohort:
        median = (f"{_n(c.arr_median)} ({_n(c.arr_min)}-{_n(c.arr_max)})"
                  if c.arr_median is not None else "-")
        mean = (f"{_n(c.arr_mean)} ± {_n(c.arr_sd)}" if c.arr_sd is not None
                else _n(c.arr_mean))
        pooled = (f"{_n(c.arr_pooled)} ({_n(c.arr_ci_low)}-{_n(c.arr_ci_high)})"
                  if c.arr_pooled is not None else "-")
        rows.append([c.regimen, str(c.patients), str(c.relapses), _n(c.years), pooled,
                     median, mean])
    return caption.format(ci=ci), header, rows, []


def _edss_block(summary: Summary) -> Block:
    rows = [[c.regimen, _edss(c.edss_start_median), _edss(c.edss_end_median),
             _edss(c.edss_change_median, sign=True)] for c in summary.cohort]
    return ("EDSS by regimen (medians across patients: start of the first period on it, "
            "end of the last, change)",
            ["regimen", "EDSS start", "EDSS end", "change"], rows, [])


def _survival_block(summary: Summary) -> Block:
    rows = []
    for s in summary.survival:
        median = ("not reached" if s.median_days is None
                  else f"{s.median_days:.0f}")
        at_year = "-" if s.survival_365 is None else f"{s.survival_365 * 100:.0f} %"
        rows.append([s.regimen, str(s.patients), str(s.events), median, at_year])
    return ("Time to first relapse (Kaplan-Meier: each patient's first period on the "
            "regimen, censored at its end)",
            ["regimen", "patients", "relapses", "median days", "relapse-free at 1 year"],
            rows, [])


def _compare_block(c: Comparison) -> Block:
    header = ["patient", "first dose", "years before", "relapses before", "ARR before",
              f"years on {c.therapy}", "relapses on", "ARR on", "difference"]
    rows = [[r.patient or "-", str(r.first_dose), _n(r.years_before), str(r.relapses_before),
             _n(r.arr_before), _n(r.years_on), str(r.relapses_on), _n(r.arr_on),
             _n(r.difference, sign=True)] for r in c.rows]
    notes = [f"difference (on - before): median {_n(c.median_difference, sign=True)}, "
             f"mean {_n(c.mean_difference, sign=True)}, n = {len(c.differences)}"]
    (bm, bsd, bmed), (om, osd, omed) = c.arr_before, c.arr_on

    def mean_sd(mean: float | None, sd: float | None) -> str:
        return f"{_n(mean)} ± {_n(sd)}" if sd is not None else _n(mean)

    notes.append(f"ARR before: mean {mean_sd(bm, bsd)}, median {_n(bmed)}; "
                 f"on: mean {mean_sd(om, osd)}, median {_n(omed)}")
    ci = level_label(c.level)
    if c.rate is not None:
        r = c.rate
        text = (f"{_ratio(r.estimate)} ({ci} CI {_ratio(r.ci_low)}-{_ratio(r.ci_high)})"
                if r.estimate is not None or r.ci_low is not None else "-")
        notes.append(f"pooled rate ratio (on / before): {text}, exact conditional; "
                     f"{_count(r.k_on, 'relapse')} in {r.years_on:.2f} years on, {r.k_before} "
                     f"in {r.years_before:.2f} years before" + (f" ({r.note})" if r.note else ""))
    if c.wilcoxon is not None:
        w = c.wilcoxon
        result = f"p = {_p(w.p)}" if w.p is not None else f"not computed ({w.reason})"
        notes.append(f"paired Wilcoxon signed-rank test: {result}, {w.n_pairs} pairs")
    if c.before or c.on:
        span = (f"{c.before.label if c.before else 'all time'} before the first dose vs "
                f"{c.on.label + ' from it' if c.on else 'the periods on it'}")
        title = f"Before vs on {c.therapy} ({span})"
    else:
        title = f"Before vs on {c.therapy}"
    return title, header, rows, notes


def _model_block(summary: Summary) -> Block | None:
    m = summary.model
    if m is None:
        return None
    ci = level_label(m.level)
    errors = "cluster-robust by patient" if m.cov_type == "cluster" else "Wald"
    family = m.family.split(",")[0]  # the model's name; JSON has the full description
    title = (f"Rate ratios vs {m.reference} ({family} regression, offset log person-years; "
             f"{errors} {ci} CI; "
             f"{m.n_periods} periods, {m.n_patients} patients; alpha = {m.alpha:.3g})")
    rows = [[t.regimen, str(t.events), _n(t.years), _with_ci(t.rate_ratio, t.ci_low, t.ci_high),
             _p(t.p)] for t in m.terms]
    return title, ["regimen", "relapses", "years", f"rate ratio ({ci} CI)", "p"], rows, []


def _document(
    summary: Summary,
    grid: Callable[[list[str], list[list[str]]], list[str]],
    heading: Callable[[str], list[str]],
    caption: str,
    note: Callable[[str], str],
) -> str:
    """The summary as text: per-patient periods, the cohort, EDSS, time to first relapse,
    the comparison and the model, with the table, heading and note style of one format."""
    blocks = _period_blocks(summary)
    blocks += [_cohort_block(summary, caption), _edss_block(summary), _survival_block(summary)]
    if summary.comparison is not None:
        blocks.append(_compare_block(summary.comparison))
    model = _model_block(summary)
    if model is not None:
        blocks.append(model)
    out: list[str] = []
    for i, (title, header, rows, notes) in enumerate(blocks):
        if i:
            out.append("")
        out.extend(heading(title))
        out.extend(grid(header, rows))
        out.extend(note(n) for n in notes)
    return "\n".join(out) + "\n"


def _grid(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    # text from the file is in the header and the first column (regimen, patient) only;
    # the other cells are numbers and dates the tool wrote
    header = [terminal_text(c) for c in header]
    rows = [[terminal_text(r[0]), *r[1:]] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(cell.ljust(w) if i == 0 else cell.rjust(w))
        return indent + "  ".join(out).rstrip()

    return [line(header), indent + "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def to_table(summary: Summary) -> str:
    """A readable terminal table."""
    return _document(
        summary, _grid, lambda title: [terminal_text(title)],
        "By regimen (pooled ARR = relapses / years, exact Poisson {ci} CI; per-patient ARR "
        "median, mean ± SD)",
        lambda text: "  " + terminal_text(text))


def _md(header: list[str], rows: list[list[str]]) -> list[str]:
    aligns = ["---"] + ["---:"] * (len(header) - 1)
    return (["| " + " | ".join(markdown_text(h) for h in header) + " |",
             "|" + "|".join(aligns) + "|"]
            + ["| " + " | ".join([markdown_text(r[0]), *r[1:]]) + " |" for r in rows])


def to_markdown(summary: Summary) -> str:
    """Pipe tables that paste into a paper draft."""
    return _document(
        summary, _md, lambda title: [f"**{markdown_text(title)}**", ""],
        "By regimen (pooled ARR = relapses / years with its exact Poisson {ci} CI; per-patient "
        "ARR as median (range) and mean ± SD)",
        lambda text: "\n" + markdown_text(text[0].upper() + text[1:]) + ".")


FORMATTERS = {"table": to_table, "csv": to_csv, "json": to_json, "markdown": to_markdown}
