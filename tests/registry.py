"""A synthetic registry (no real patients) with the histories pathways and occupancy must
handle: add-on combinations, untreated gaps, regimens resumed after another, patients
who never had a maintenance therapy, abbreviations (``RTX``) and single administrations.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

HEADER = "patient,kind,name,start,end,value,unit,detail\n"
EPISODES = ["Azathioprine", "Mycophenolate", "Tocilizumab", "Satralizumab", "Eculizumab",
            "AZA", "Oral prednisolone"]
SINGLE = ["Rituximab", "RTX", "Inebilizumab"]
WEIGHTS = {"Rituximab": 5, "RTX": 2, "Azathioprine": 5, "AZA": 1, "Mycophenolate": 3,
           "Tocilizumab": 2, "Satralizumab": 2, "Eculizumab": 1, "Inebilizumab": 2,
           "Oral prednisolone": 1}


def _pick(rng: random.Random, avoid: str | None = None) -> str:
    names = [n for n in WEIGHTS if n != avoid]
    return rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]


def patient_rows(pid: str, rng: random.Random) -> list[str]:
    t = date(2004, 1, 1) + timedelta(rng.randrange(0, 4000))
    rows = [f"{pid},relapse,{rng.choice(['ON', 'TM', 'APS'])},{t},,,,",
            f"{pid},therapy,IV methylprednisolone,{t + timedelta(1)},{t + timedelta(5)},1000,mg,",
            f"{pid},edss,,{t},,{rng.choice([2.0, 3.0, 4.0])},,"]
    if rng.random() < 0.08:  # never a maintenance therapy
        t += timedelta(200 + rng.randrange(900))
        rows.append(f"{pid},relapse,TM,{t},,,,")
        return rows
    t += timedelta(20 + rng.randrange(120))
    previous: list[str] = []
    for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
        if len(previous) >= 2 and rng.random() < 0.12:
            name = previous[-2]  # back to the one before
        else:
            name = _pick(rng, previous[-1] if previous else None)
        length = 150 + rng.randrange(900)
        if name in SINGLE:
            for k in range(0, length, 180):
                rows.append(f"{pid},therapy,{name},{t + timedelta(k)},,1000,mg,")
        else:
            rows.append(f"{pid},therapy,{name},{t},{t + timedelta(length)},,,")
        if name not in SINGLE and rng.random() < 0.15:  # an add-on for part of the time
            add = _pick(rng, name)
            if add not in SINGLE:
                a = t + timedelta(length // 3)
                rows.append(f"{pid},therapy,{add},{a},{a + timedelta(length // 3)},,,")
        if rng.random() < 0.5:
            rows.append(f"{pid},relapse,TM,{t + timedelta(rng.randrange(30, length))},,,,")
        previous.append(name)
        t += timedelta(length + 1)
        if name not in SINGLE and rng.random() < 0.15:  # a pause before the next line
            t += timedelta(60 + rng.randrange(300))
    rows.append(f"{pid},edss,,{t},,{rng.choice([2.5, 3.5, 5.0])},,")
    return rows


def write_registry(path: Path, n_patients: int, seed: int = 7) -> int:
    """Write ``n_patients`` synthetic histories; returns the number of events."""
    rng = random.Random(seed)
    lines = [row for i in range(1, n_patients + 1) for row in patient_rows(f"R{i:05d}", rng)]
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return len(lines)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):  # not a file named --help
        sys.exit(f"usage: python {sys.argv[0]} OUT.csv [N]")
    print(write_registry(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 300))
