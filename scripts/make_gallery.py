"""Draw the gallery of hard records (docs/gallery.md) from the synthetic test corpus.

Run: python scripts/make_gallery.py [OUTDIR]   (default: docs/gallery/)
Each record is drawn at slide size and at column width, with the warnings the tool
printed, into ``OUTDIR`` and a page ``docs/gallery.md`` that shows them.  The corpus
(``tests/corpus/``) is synthetic: no patient data.
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from nmo_timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"

#: (record, what makes it hard, extra options)
RECORDS: list[tuple[str, str, list[str]]] = [
    ("long_therapy_names", "lane names of 60 to 120 characters", []),
    ("labs_four_analytes", "four lab analytes with a titre", []),
    ("german_excel_export", "a German Excel export: decimal commas, German names", ["--arr"]),
    ("unicode_names", "Japanese, Greek and accented names", []),
    ("relapses_14", "14 relapses in 8 years, steroid pulses at each", []),
    ("long_course_20y", "20 years, 9 therapies, relapse rates per period", ["--arr"]),
    ("eculizumab_1200mg", "complement inhibition with vaccination and prophylaxis", ["--arr"]),
    ("brands_rituximab_biosimilars_to_c5", "brand names and relapses weeks apart", []),
    ("partial_dates_history", "dates known to the month or year only", []),
    ("lanes_36_with_comedication", "36 therapy lanes with co-medication", []),
]
SIZES = {"slide": ["--dpi", "100"], "column": ["--size", "column", "--dpi", "200"]}
#: records refused at column size, drawn again at the height the refusal asks for
TALL = {"lanes_36_with_comedication": ["--size", "3.5x5.2", "--dpi", "200"]}


def main(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    written = []
    page = ["# Gallery: hard records",
            "",
            "Synthetic records of the test corpus (`tests/corpus/`, no patient data) that are "
            "hard to draw, each at slide size (13.33 x 7.5 in) and at column width (3.5 in), "
            "with what the tool printed. Made by `python scripts/make_gallery.py`.", ""]
    for name, why, extra in RECORDS:
        page += [f"## `{name}`: {why}", ""]
        sizes = {**SIZES, **({"tall": TALL[name]} if name in TALL else {})}
        for size, opts in sizes.items():
            out = outdir / f"{name}_{size}.png"
            args = ["plot", str(CORPUS / f"{name}.csv"), *extra, *opts, "-o", str(out)]
            result = runner.invoke(app, args)
            command = " ".join(["nmo-timeline", *args[:1],
                                f"tests/corpus/{name}.csv", *args[2:-2], "-o", out.name])
            printed = result.output.replace(f"{ROOT}/", "").replace(f"{outdir}/", "")
            page += ["```console", f"$ {command}", *printed.strip().splitlines(), "```", ""]
            if result.exit_code != 0:
                page += ["(refused: no figure)", ""]
                continue
            page += [f"![{name} at {size} size](gallery/{out.name})", ""]
            written.append(out)
    (outdir.parent / "gallery.md").write_text("\n".join(page), encoding="utf-8")
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "gallery"):
        print(path)
