"""Regenerate the README's figures from the bundled files with the tool itself.

Run: python scripts/make_figures.py [OUTDIR]   (default: docs/)
The tests run it into a temporary folder, so the gallery cannot go stale unseen.
The cohort figures are drawn from a synthetic 300-patient registry written by
``tests/registry.py`` (no patient data) into a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from nmo_timeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "{registry}"  # replaced by the synthetic registry's path
FIGURES = {
    "timeline.png": ["plot", "--dpi", "110"],
    "timeline_arr.png": ["plot", "--arr", "--dpi", "110"],
    "theme_light.png": ["plot", "--dpi", "60"],
    "theme_dark.png": ["plot", "--theme", "dark", "--dpi", "60"],
    "theme_print.png": ["plot", "--theme", "print", "--dpi", "60"],
    "size_column.png": ["plot", "--size", "column", "--dpi", "150"],
    "relative.png": ["plot", "--relative", "tocilizumab", "--annotate", "IL-6R blockade@0",
                     "--dpi", "110"],
    "swimmer.png": ["swimmer", str(ROOT / "examples" / "series.csv"), "--sort", "follow-up",
                    "--title", "Synthetic case series (8 patients)", "--dpi", "110"],
    "forest.png": ["forest", str(ROOT / "examples" / "series.csv"),
                   "--title", "Relapse rate by regimen (synthetic series)", "--dpi", "110"],
    "survival.png": ["survival", str(ROOT / "examples" / "series.csv"), "--regimens",
                     "tocilizumab,rituximab,inebilizumab,mmf",
                     "--title", "Time to first relapse (synthetic series)", "--dpi", "110"],
    "swimmer_dense.png": ["swimmer", REGISTRY, "--sort", "follow-up", "--title",
                          "Synthetic registry (300 patients): dense mode", "--dpi", "110"],
    "pathways.png": ["pathways", REGISTRY, "--min-patients", "5", "--title",
                     "Lines of maintenance therapy, synthetic registry", "--dpi", "110"],
    "occupancy.png": ["occupancy", REGISTRY, "--title",
                      "Regimens since onset, synthetic registry", "--dpi", "110"],
}


def main(outdir: Path) -> list[Path]:
    sys.path.insert(0, str(ROOT / "tests"))
    from registry import write_registry

    outdir.mkdir(parents=True, exist_ok=True)
    runner = CliRunner()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "registry.csv"
        write_registry(registry, 300)
        for name, args in FIGURES.items():
            out = outdir / name
            args = [str(registry) if a == REGISTRY else a for a in args]
            result = runner.invoke(app, [*args, "-o", str(out)])
            if result.exit_code != 0:
                raise SystemExit(f"{name}: {result.output}")
            written.append(out)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")):
        print(path)
