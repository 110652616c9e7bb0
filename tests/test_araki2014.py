"""A published result reproduced from a CSV: Araki et al., Neurology 2014 (tocilizumab in
NMO), from tests/data/araki2014_reconstruction.csv (see tests/data/README.md)."""

from __future__ import annotations

import csv
import json
import statistics
from datetime import date
from itertools import combinations_with_replacement, permutations
from pathlib import Path

import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from nmo_timeline.analysis.compare import paired_wilcoxon
from nmo_timeline.analysis.rates import poisson_rate_ci, rate_ratio
from nmo_timeline.cli import app

DATA = Path(__file__).parent / "data"
DAYS_PER_YEAR = 365.25

# --------------------------------------------------------------------------- Araki 2014
#
# Araki M, Matsuoka T, Miyamoto K, et al. Efficacy of the anti-IL-6 receptor antibody
# tocilizumab in neuromyelitis optica: a pilot study. Neurology 2014;82(15):1302-1306,
# PubMed 24634453.  Abstract: 7 patients; "After a year of TCZ treatment, the annualized
# relapse rate decreased from 2.9 ± 1.1 to 0.4 ± 0.8 (p < 0.005)" (mean ± SD).  The test is
# not named in the abstract.  tests/data/araki2014_reconstruction.csv is a reconstruction
# consistent with it (tests/data/README.md), not patient data.

ARAKI_CSV = DATA / "araki2014_reconstruction.csv"


def _araki_pairs() -> list[tuple[int, float, int, float]]:
    """(relapses before, years before, relapses on, years on) per patient, read from the
    reconstruction: 12 months before the first dose vs 12 months on tocilizumab."""
    rows = list(csv.DictReader(ARAKI_CSV.read_text(encoding="utf-8").splitlines()))
    out = []
    for pid in sorted({row["patient"] for row in rows}):
        mine = [row for row in rows if row["patient"] == pid]
        (tcz,) = [row for row in mine if row["kind"] == "therapy"]
        assert tcz["name"] == "Tocilizumab" and tcz["value"] == "8"
        first, stop = date.fromisoformat(tcz["start"]), date.fromisoformat(tcz["end"])
        window = first.replace(year=first.year - 1)
        relapses = [date.fromisoformat(row["start"]) for row in mine if row["kind"] == "relapse"]
        assert all(window <= d <= stop for d in relapses)
        k_before = sum(window <= d < first for d in relapses)
        k_on = sum(first <= d < stop for d in relapses)
        out.append((k_before, (first - window).days / DAYS_PER_YEAR,
                    k_on, (stop - first).days / DAYS_PER_YEAR))
    return out


def test_araki2014_reconstruction_file_has_the_project_columns():
    header = ARAKI_CSV.read_text(encoding="utf-8").splitlines()[0]
    assert header == "patient,kind,name,start,end,value"
    assert len(_araki_pairs()) == 7


def test_araki2014_mean_sd_arr_reproduced():
    pairs = _araki_pairs()
    arr_before = [k / t for k, t, _, _ in pairs]
    arr_on = [k / t for _, _, k, t in pairs]
    assert round(statistics.mean(arr_before), 1) == 2.9
    assert round(statistics.stdev(arr_before), 1) == 1.1
    assert round(statistics.mean(arr_on), 1) == 0.4
    assert round(statistics.stdev(arr_on), 1) == 0.8
    # Pooled view of the same data, with the module's functions.
    k_b, t_b = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    k_o, t_o = sum(p[2] for p in pairs), sum(p[3] for p in pairs)
    assert (k_b, k_o) == (20, 3)
    lo, hi = poisson_rate_ci(k_o, t_o)
    assert lo < k_o / t_o < hi
    rr = rate_ratio(k_o, t_o, k_b, t_b)
    assert rr.estimate == pytest.approx(0.15)
    assert rr.ci_high < 1  # the exact conditional CI excludes no effect


def test_araki2014_counts_are_the_only_integer_sets_consistent_with_the_abstract():
    f = DAYS_PER_YEAR / 365  # every window in the file is 365 days

    def fits(counts_: tuple[int, ...], mean: float, sd: float) -> bool:
        arr = [k * f for k in counts_]
        return (round(statistics.mean(arr), 1), round(statistics.stdev(arr), 1)) == (mean, sd)

    before_sets = [c for c in combinations_with_replacement(range(8), 7) if fits(c, 2.9, 1.1)]
    on_sets = [c for c in combinations_with_replacement(range(5), 7) if fits(c, 0.4, 0.8)]
    assert before_sets == [(1, 2, 3, 3, 3, 4, 4), (2, 2, 2, 2, 4, 4, 4), (2, 2, 2, 3, 3, 3, 5)]
    assert on_sets == [(0, 0, 0, 0, 0, 1, 2)]
    pairs = _araki_pairs()
    assert tuple(sorted(p[0] for p in pairs)) == before_sets[0]
    assert tuple(sorted(p[2] for p in pairs)) == on_sets[0]


def test_araki2014_p_value_wilcoxon_cannot_reach_the_published_bound():
    pairs = _araki_pairs()
    before = [k / t for k, t, _, _ in pairs]
    on = [k / t for _, _, k, t in pairs]
    r = paired_wilcoxon(before, on)
    # All 7 patients improve: the exact (permutation) two-sided p is 2 / 2**7.
    assert r.p == pytest.approx(1 / 64) and r.n_pairs == 7
    # No pairing of any count set consistent with the abstract gets below 1/64 with the
    # signed-rank test, nor below 0.005 with its normal approximation: the abstract's
    # "p < 0.005" is not a Wilcoxon signed-rank p on 7 pairs.
    on_counts = (0, 0, 0, 0, 0, 1, 2)
    for before_counts in [(1, 2, 3, 3, 3, 4, 4), (2, 2, 2, 2, 4, 4, 4), (2, 2, 2, 3, 3, 3, 5)]:
        for on_perm in set(permutations(on_counts)):
            got = paired_wilcoxon(list(before_counts), list(on_perm))
            assert got.p is not None and got.p >= 1 / 64
            assert sps.wilcoxon(before_counts, on_perm, method="asymptotic").pvalue > 0.005
    # A paired t-test on the reconstruction is below the bound (the abstract does not say
    # which test was used, so this only shows the reconstruction is compatible with it).
    assert sps.ttest_rel(before, on).pvalue < 0.005


# --------------------------------------------------------------------------- end to end


def test_araki2014_published_mean_sd_reproduced_through_the_cli():
    """The abstract's "2.9 ± 1.1 to 0.4 ± 0.8" from the CSV by the command a user runs."""
    result = CliRunner().invoke(app, [
        "summary", str(ARAKI_CSV), "--compare", "tocilizumab", "--before", "12m", "--on", "12m",
        "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # every window lies inside its record: nothing cut
    c = json.loads(result.stdout)["compare"]
    assert (c["before_window"], c["on_window"]) == ("12m", "12m")
    assert (round(c["arr_before_mean"], 1), round(c["arr_before_sd"], 1)) == (2.9, 1.1)
    assert (round(c["arr_on_mean"], 1), round(c["arr_on_sd"], 1)) == (0.4, 0.8)
    # the paired test on 7 pairs cannot give the abstract's p < 0.005 (see above)
    assert (c["wilcoxon_pairs"], c["wilcoxon_p"]) == (7, 1 / 64)
    # the pooled view: 3 relapses on vs 20 before in equal time, CI below 1
    assert (c["relapses_on_total"], c["relapses_before_total"]) == (3, 20)
    assert c["rate_ratio"] == pytest.approx(0.15)
    assert c["rate_ratio_ci_high"] < 1


def test_araki2014_table_says_it_in_words():
    result = CliRunner().invoke(app, [
        "summary", str(ARAKI_CSV), "--compare", "tocilizumab", "--before", "12m", "--on", "12m"])
    assert result.exit_code == 0
    assert ("  ARR before: mean 2.86 ± 1.07, median 3.00; on: mean 0.43 ± 0.79, median 0.00\n"
            in result.stdout)
    assert "  paired Wilcoxon signed-rank test: p = 0.016, 7 pairs\n" in result.stdout



def test_the_readme_shows_what_the_tool_prints():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("**A published result, reproduced.**")[1].split("```text\n")[1]
    command, *lines = block.split("```")[0].rstrip("\n").split("\n")
    args = command.split()
    assert args[:2] == ["nmo-timeline", "summary"]
    args[2] = str(Path(__file__).resolve().parents[1] / args[2])  # run from anywhere
    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0
    for line in lines:
        assert line + "\n" in result.stdout
