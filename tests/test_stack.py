"""Panel heights (draw/stack.py): minimums, growth by weight to the caps, then the rest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nmo_timeline.draw.stack import Need, allocate, gaps, positions
from nmo_timeline.errors import OptionError


def test_minimums_then_growth_by_weight_up_to_the_caps():
    # 3.0 in of room, minimums 1.0: 2.0 spare, by weight 1:3 (0.5 and 1.5)
    assert allocate([Need(0.5, 1, 1.2), Need(0.5, 3, 10)], [0.0], 3.0) == pytest.approx(
        [1.0, 2.0])
    # by weight 3:1, A would reach 2.0: it stops at its cap 1.2, B takes the other 1.3
    assert allocate([Need(0.5, 3, 1.2), Need(0.5, 1, 10)], [0.0], 3.0) == pytest.approx(
        [1.2, 1.8])


def test_when_every_cap_is_reached_the_rest_goes_to_panels_that_may_stretch():
    needs = [Need(0.2, 0.2, 0.3, stretch=False), Need(0.2, 0.3, 0.4)]
    heights = allocate(needs, [0.1], 2.1)
    assert heights == pytest.approx([0.3, 1.7])  # the band stays at its cap
    # no panel may stretch: all of them grow by weight, so the canvas is still filled
    heights = allocate([Need(0.2, 1, 0.3, stretch=False)] * 2, [0.0], 2.0)
    assert heights == pytest.approx([1.0, 1.0])


def test_minimums_that_do_not_fit_are_refused_with_the_height_they_need():
    with pytest.raises(OptionError) as err:
        allocate([Need(1.0, 1, 2), Need(1.0, 1, 2)], [0.25], 2.0, "the 2 lanes")
    assert str(err.value) == ("the 2 lanes need 2.2 in of height to stay readable, but the "
                              "canvas leaves 2.0 in; choose a larger --size")


def test_gaps_hold_half_a_line_for_each_edge_label():
    needs = [Need(1, 1, 1, edge_labels=True), Need(1, 1, 1, edge_labels=True), Need(1, 1, 1)]
    assert gaps(needs, 0.2, base_in=0.06) == pytest.approx([0.23, 0.13])


def test_positions_run_down_from_the_top():
    assert positions([1.0, 2.0], [0.5], 5.0) == [(4.0, 1.0), (1.5, 2.0)]


needs_st = st.builds(Need, st.floats(0.05, 1.0), st.just(0.0) | st.floats(0.01, 3),
                     st.floats(0.05, 3.0), st.booleans(), st.booleans())


@given(st.lists(needs_st, min_size=1, max_size=8), st.floats(0, 0.3), st.floats(0, 10))
def test_heights_fill_the_room_and_keep_every_minimum(needs, gap, extra):
    gap_list = [gap] * (len(needs) - 1)
    room = sum(n.minimum for n in needs) + extra
    heights = allocate(needs, gap_list, room + sum(gap_list))
    assert sum(heights) == pytest.approx(room)
    assert all(h >= n.minimum - 1e-9 for h, n in zip(heights, needs, strict=True))
    grows = [n.weight > 0 and n.stretch for n in needs]
    if any(grows):  # a panel that may not stretch stays within its cap (or its minimum)
        for h, n in zip(heights, needs, strict=True):
            if not n.stretch:
                assert h <= max(n.cap, n.minimum) + 1e-9
