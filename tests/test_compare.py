"""Tests of nmo_timeline.analysis.compare: the paired Wilcoxon test, calendar windows and
the pooled rate ratio of the before/on comparison."""

from __future__ import annotations

import warnings

import pytest
from scipy import stats as sps

from nmo_timeline.analysis.compare import paired_wilcoxon
from nmo_timeline.analysis.inputs import StatsError

# --------------------------------------------------------------------------- Wilcoxon


def test_wilcoxon_hand_worked_exact():
    # differences 1, 2, 3, 4, -5: W+ = 10, W- = 5, statistic min = 5.  Of the 2**5 sign
    # patterns, 10 have a rank sum <= 5, so the two-sided exact p = 2 * 10/32 = 0.625.
    r = paired_wilcoxon([2, 3, 4, 5, 0], [1, 1, 1, 1, 5])
    assert (r.p, r.statistic, r.n_pairs, r.n_nonzero, r.reason) == (0.625, 5.0, 5, 5, None)


def test_wilcoxon_equals_scipy_defaults_with_ties_and_zeros():
    before = [3.0, 2.0, 4.0, 3.0, 1.0, 2.0, 3.0, 2.5]
    on = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    want = sps.wilcoxon(before, on)
    r = paired_wilcoxon(before, on)
    assert r.p == pytest.approx(want.pvalue, rel=1e-12)
    # One zero difference is dropped; the other 7 are all positive, so the permutation p
    # (scipy >= 1.15 for ties and zeros) is 2 / 2**7.  scipy < 1.15 switched to the normal
    # approximation here (0.0169).
    assert r.p == pytest.approx(1 / 64, rel=1e-12)
    assert r.statistic == want.statistic
    assert (r.n_pairs, r.n_nonzero) == (8, 7)


@pytest.mark.parametrize(("before", "on", "reason"), [
    ([], [], "fewer than 2 pairs"),
    ([2.0], [0.0], "fewer than 2 pairs"),
    ([1.0, 2.0, 0.5], [1.0, 2.0, 0.5], "all differences are zero"),
])
def test_wilcoxon_not_computable_gives_reason(before, on, reason):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = paired_wilcoxon(before, on)
    assert r.p is None and r.statistic is None and r.reason == reason


def test_wilcoxon_refuses_mismatched_or_missing_values():
    with pytest.raises(StatsError, match="lengths"):
        paired_wilcoxon([1, 2], [1])
    with pytest.raises(StatsError, match="finite"):
        paired_wilcoxon([1, float("nan")], [0, 0])
    with pytest.raises(StatsError, match="finite"):
        paired_wilcoxon([1, None], [0, 0])
