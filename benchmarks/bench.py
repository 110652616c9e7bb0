"""Speed benchmarks, measured side by side in one run and printed as ratios.

Run:  python benchmarks/bench.py [--repeat N] [--quick] [--only TEXT]

Each command runs as a fresh process (what a user waits for), N times,
alternating with its baseline ("floor") so that both see the same machine
load; the medians and their ratio are reported, with the command's peak
resident memory.  The floors:

* plot floor: a Python process that imports pandas and matplotlib and saves an
  empty 13.33 x 7.5 in figure at 200 dpi;
* help floor: ``--help`` of a bare two-command Typer app;
* read floor: a Python process that runs ``pandas.read_csv`` on the same file.

Cohorts are synthetic (``tests/cohort.py``, shared with the tests); ``pathways`` and
``occupancy`` are also timed on registries of 1,000, 10,000 and 100,000 patients
(``tests/registry.py``: add-on combinations, gaps, resumed regimens), where time must grow
linearly with the events.  This is not a test: it
prints numbers and the targets next to them, so regressions are visible.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"

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


def write_input(kind: str, path: Path, n: int) -> int:
    """Write a synthetic cohort (``tests/cohort.py``, ``n`` events) or registry
    (``tests/registry.py``, ``n`` patients) in a child process; returns its events.

    Not in this process: a child's peak RSS as Linux reports it (``ru_maxrss``) includes
    the RSS of the process that started it, which building a million events would swell.
    """
    module, writer = {"cohort": ("cohort", "write_cohort"),
                      "registry": ("registry", "write_registry")}[kind]
    code = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); from pathlib import Path; "
            f"from {module} import {writer}; print({writer}(Path({str(path)!r}), {n}))")
    return int(subprocess.run([PY, "-c", code], check=True, capture_output=True,
                              text=True).stdout.split()[-1])


def run_once(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``cmd`` as a fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed, usage.ru_maxrss / 1024


def paired(cmd: list[str], floor: list[str], cwd: Path, repeat: int) -> tuple[float, float, float]:
    """Median seconds of ``cmd`` and of its ``floor``, run alternately ``repeat`` times
    each (so both see the same machine load), and the peak RSS of ``cmd`` in MiB."""
    times, floors, peak = [], [], 0.0
    run_once(cmd, cwd)  # warm the file cache and compiled bytecode
    for _ in range(repeat):
        floors.append(run_once(floor, cwd)[0])
        t, mem = run_once(cmd, cwd)
        times.append(t)
        peak = max(peak, mem)
    return statistics.median(times), statistics.median(floors), peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="skip the 100,000-event and 100,000-patient runs")
    ap.add_argument("--only", default="", help="run only the rows whose name holds TEXT")
    args = ap.parse_args()
    r = args.repeat
    # measure the package as pip installs it, with its bytecode compiled (pip compiles at
    # install time; an editable install, run with PYTHONDONTWRITEBYTECODE set, would
    # otherwise compile every module from source in every run)
    import nmo_timeline

    compileall.compile_dir(Path(nmo_timeline.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "bare.py").write_text(BARE_TYPER)
        sizes = [1_000, 10_000] + ([] if args.quick else [100_000])
        files = {}
        for n in sizes:
            files[n] = work / f"cohort_{n}.csv"
            write_input("cohort", files[n], n)
        big = max(sizes)
        plot_floor = [PY, "-c", FLOOR_PLOT]
        help_floor = [PY, "bare.py", "--help"]
        read_floor = [PY, "-c", f"import pandas; pandas.read_csv({str(files[big])!r})"]

        rows: list[tuple[str, float, float, str, float, str]] = []

        def record(name: str, cmd: list[str], floor: list[str], floor_name: str,
                   target: str, reps: int = r) -> None:
            if args.only not in name:
                return
            t, f, mem = paired(cmd, floor, work, reps)
            rows.append((name, t, f, floor_name, mem, target))

        # the short commands differ from their floors by a tenth of a second, less than a
        # shared machine's run-to-run noise: three times the runs
        record("nmo-timeline plot (bundled case)", [*CLI, "plot", "-o", "t.png"], plot_floor,
               "plot", "<= 1.1", reps=3 * r)
        record("nmo-timeline --help", [*CLI, "--help"], help_floor, "help", "<= 1.3", reps=3 * r)
        record(f"validate ({big:,} events)", [*CLI, "validate", str(files[big])], read_floor,
               "read_csv", "<= 3")
        record(f"summary ({big:,} events)", [*CLI, "summary", str(files[big]), "--format", "csv"],
               read_floor, "read_csv", "<= 3")
        for n in sizes:
            record(f"swimmer ({n:,} events)", [*CLI, "swimmer", str(files[n]), "-o", "s.png"],
                   plot_floor, "plot", "<= 4" if n == big else "", reps=max(1, r // 2))
        for command in ("forest", "survival"):
            record(f"{command} ({big:,} events)", [*CLI, command, str(files[big]), "-o", "f.png"],
                   plot_floor, "plot", "", reps=max(1, r // 2))
        for command in ("pathways", "occupancy"):
            for n in sizes:
                record(f"{command} ({n:,} events)",
                       [*CLI, command, str(files[n]), "-o", f"{command}.png"], plot_floor,
                       "plot", "<= 4, < 500 MiB" if n == big else "", reps=max(1, r // 2))
        patients = [1_000, 10_000] + ([] if args.quick else [100_000])
        if "registry" in args.only or not args.only:
            registries = {}
            for n in patients:
                registries[n] = work / f"registry_{n}.csv"
                events = write_input("registry", registries[n], n)
                print(f"registry of {n:,} patients: {events:,} events", flush=True)
        for command in ("pathways", "occupancy"):
            for n in patients:
                record(f"{command} (registry, {n:,} patients)",
                       [*CLI, command, str(registries[n]), "-o", f"{command}.png"], plot_floor,
                       "plot", "<= 4, < 500 MiB" if n == 10_000 else "", reps=max(1, r // 2))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; each command "
          f"alternates with its floor, median of {r} runs each (plot and --help: {3 * r}; "
          f"swimmer, forest, survival, pathways, occupancy: {max(1, r // 2)})")
    print("floors: plot = import pandas+matplotlib and save an empty 16:9 figure at 200 dpi; "
          "help = --help of a bare two-command Typer app; read_csv = pandas.read_csv of the "
          "same file")
    print(f"{'what':34} {'seconds':>8} {'floor s':>8} {'ratio':>6}  {'floor':9} {'peak MiB':>8}"
          "  target")
    for name, t, f, floor_name, mem, target in rows:
        print(f"{name:34} {t:8.2f} {f:8.2f} {t / f:6.2f}  {floor_name:9} {mem:8.0f}  {target}")


if __name__ == "__main__":
    main()
