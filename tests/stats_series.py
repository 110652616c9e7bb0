"""Small synthetic series for the statistics figures (no patient data)."""

from __future__ import annotations

import random
from datetime import date, timedelta

H = "patient,kind,name,start,end,value\n"


def regimen_series(n_regimens: int, per_regimen: int = 3, seed: int = 7,
                   zero: tuple[int, ...] = ()) -> str:
    """``n_regimens`` study drugs, ``per_regimen`` patients each: an onset relapse, a few
    weeks untreated, then one course with 0-3 relapses (none on the regimens in ``zero``)."""
    rng = random.Random(seed)
    rows = []
    for r in range(n_regimens):
        drug = f"Study drug {r + 1}" if r % 3 else f"Investigational agent number {r + 1}"
        for i in range(per_regimen):
            pid = f"R{r:02d}P{i}"
            t = date(2005, 1, 1) + timedelta(rng.randrange(2000))
            rows.append(f"{pid},relapse,ON,{t},,")
            start = t + timedelta(20 + rng.randrange(60))
            end = start + timedelta(200 + rng.randrange(700))
            rows.append(f"{pid},therapy,{drug},{start},{end},")
            if r not in zero:
                for _ in range(rng.randrange(4)):
                    rows.append(f"{pid},relapse,TM,"
                                f"{start + timedelta(5 + rng.randrange((end - start).days - 5))},,")
    return H + "\n".join(rows) + "\n"
