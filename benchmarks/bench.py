"""Speed benchmarks, measured side by side in one run and printed as ratios.

Run:  python benchmarks/bench.py [--repeat N] [--quick]

Each command runs as a fresh process (what a user waits for), N times; the
median wall time is reported, with the peak resident memory of the slowest
child.  Baselines ("floors") run in the same way, in the same run:

* plot floor: a Python process that imports pandas and matplotlib and saves an
  empty 13.33 x 7.5 in figure at 200 dpi;
* help floor: ``--help`` of a bare two-command Typer app;
* read floor: a Python process that runs ``pandas.read_csv`` on the same file.

Cohorts are synthetic (``benchmarks/cohort.py``).  This is not a test: it
prints numbers and the targets next to them, so regressions are visible.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from cohort import write_cohort  # noqa: E402

PY = sys.executable
CLI = [PY, "-m", "nmo_timeline"]
SCRIPT = Path(PY).parent / "nmo-timeline"
if SCRIPT.exists():
    CLI = [str(SCRIPT)]

FLOOR_PLOT = (
    "import pandas, matplotlib\n"
    "from matplotlib.figure import Figure\n"
    "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
    "fig = Figure(figsize=(13.333, 7.5)); FigureCanvasAgg(fig)\n"
    "fig.savefig('floor.png', dpi=200)\n"
)
BARE_TYPER = (
    "import typer\n"
    "app = typer.Typer()\n"
    "@app.command()\n"
    "def plot(csv: str = ''):\n    'Draw.'\n"
    "@app.command()\n"
    "def validate(csv: str = ''):\n    'Check.'\n"
    "app()\n"
)


def run(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) over ``repeat`` runs."""
    times = []
    peak = 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - t0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"failed: {' '.join(cmd)}")
        peak = max(peak, usage.ru_maxrss / 1024)
    return statistics.median(times), peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="skip the 100,000-event runs")
    args = ap.parse_args()
    r = args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "bare.py").write_text(BARE_TYPER)
        sizes = [1_000, 10_000] + ([] if args.quick else [100_000])
        files = {}
        for n in sizes:
            files[n] = work / f"cohort_{n}.csv"
            write_cohort(files[n], n)

        rows: list[tuple[str, float, float, str, float, str]] = []

        def record(name: str, cmd: list[str], floor: float, target: str, floor_name: str,
                   reps: int = r) -> float:
            t, mem = run(cmd, work, reps)
            rows.append((name, t, t / floor, floor_name, mem, target))
            return t

        plot_floor, _ = run([PY, "-c", FLOOR_PLOT], work, r)
        help_floor, _ = run([PY, "bare.py", "--help"], work, r)
        rows.append(("plot floor (import pandas+matplotlib, save empty slide)", plot_floor,
                     1.0, "-", 0.0, ""))
        rows.append(("help floor (bare two-command Typer app)", help_floor, 1.0, "-", 0.0, ""))
        record("nmo-timeline plot (bundled case)", [*CLI, "plot", "-o", "t.png"], plot_floor,
               "<= 1.1", "plot floor")
        record("nmo-timeline --help", [*CLI, "--help"], help_floor, "<= 1.3", "help floor")
        big = max(sizes)
        read_floor, _ = run([PY, "-c", f"import pandas; pandas.read_csv({str(files[big])!r})"],
                            work, r)
        rows.append((f"read floor (pandas.read_csv, {big:,} events)", read_floor, 1.0, "-", 0.0,
                     ""))
        record(f"validate ({big:,} events)", [*CLI, "validate", str(files[big])], read_floor,
               "<= 3", "read floor")
        record(f"summary ({big:,} events)", [*CLI, "summary", str(files[big]), "--format", "csv"],
               read_floor, "<= 3", "read floor")
        for n in sizes:
            record(f"swimmer ({n:,} events)", [*CLI, "swimmer", str(files[n]), "-o", "s.png"],
                   plot_floor, "<= 4 (100k)", "plot floor", reps=max(1, r // 2))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
          f"median of {r} runs (swimmer: {max(1, r // 2)})")
    print(f"{'what':58} {'seconds':>8} {'ratio':>6}  {'vs':12} {'peak MiB':>8}  target")
    for name, t, ratio, floor_name, mem, target in rows:
        mem_s = f"{mem:8.0f}" if mem else " " * 8
        print(f"{name:58} {t:8.2f} {ratio:6.2f}  {floor_name:12} {mem_s}  {target}")


if __name__ == "__main__":
    main()
