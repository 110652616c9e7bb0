"""Generate a synthetic case series (no real patients) for benchmarks and scale tests.

Each patient gets about ten events: onset relapse, a steroid pulse, two or three
maintenance regimens (single doses or episodes), further relapses, EDSS visits.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

HEADER = "patient,kind,name,start,end,value,unit,detail\n"
REGIMENS = [("Azathioprine", "episode"), ("Rituximab", "single"), ("Mycophenolate", "episode"),
            ("Tocilizumab", "episode"), ("Satralizumab", "episode"), ("Eculizumab", "episode"),
            ("Inebilizumab", "single")]


def patient_rows(pid: str, rng: random.Random) -> list[str]:
    t = date(2000, 1, 1) + timedelta(rng.randrange(0, 6000))
    rows = [f"{pid},relapse,{rng.choice(['ON', 'TM', 'APS'])},{t},,,,",
            f"{pid},therapy,IV methylprednisolone,{t + timedelta(1)},{t + timedelta(5)},1000,mg,",
            f"{pid},edss,,{t},,{rng.choice([2.0, 3.0, 3.5, 4.0])},,"]
    t += timedelta(30 + rng.randrange(60))
    for _ in range(rng.choice([2, 2, 3])):
        name, kind = rng.choice(REGIMENS)
        length = 200 + rng.randrange(600)
        if kind == "single":
            rows.append(f"{pid},therapy,{name},{t},,1000,mg,")
            rows.append(f"{pid},therapy,{name},{t + timedelta(180)},,1000,mg,")
        else:
            rows.append(f"{pid},therapy,{name},{t},{t + timedelta(length)},,,")
        if rng.random() < 0.6:
            rows.append(f"{pid},relapse,TM,{t + timedelta(rng.randrange(40, length))},,,,")
        t += timedelta(length + 1)
    rows.append(f"{pid},edss,,{t},,{rng.choice([2.5, 3.0, 4.5, 5.0])},,")
    return rows


def write_cohort(path: Path, n_events: int, seed: int = 1) -> int:
    """Write about ``n_events`` events; returns the exact number written."""
    rng = random.Random(seed)
    lines: list[str] = []
    i = 0
    while len(lines) < n_events:
        i += 1
        lines.extend(patient_rows(f"P{i:05d}", rng))
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return len(lines)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):  # not a file named --help
        sys.exit(f"usage: python {sys.argv[0]} OUT.csv [N]")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(write_cohort(Path(sys.argv[1]), n))
