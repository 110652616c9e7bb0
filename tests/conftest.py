"""Shared fixtures: a fixed matplotlib style, and helpers to write and load CSVs."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from matplotlib.text import Text

matplotlib.use("Agg")

from nmo_timeline.errors import InputError, Problem
from nmo_timeline.load import EventTable, load_events


@pytest.fixture
def write(tmp_path: Path):
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "events.csv") -> Path:
        p = tmp_path / name
        if isinstance(content, str):
            p.write_bytes(content.encode("utf-8"))
        else:
            p.write_bytes(content)
        return p

    return _write


@pytest.fixture
def load(write):
    """Write text and load it; returns the EventTable."""

    def _load(content: str | bytes, name: str = "events.csv", **kw) -> EventTable:
        return load_events(write(content, name), display_name=name, **kw)

    return _load


@pytest.fixture
def problems(write):
    """Write text, expect the load to fail, return [(line, column, message)]."""

    def _problems(content: str | bytes, name: str = "events.csv", **kw) -> list[Problem]:
        with pytest.raises(InputError) as info:
            load_events(write(content, name), display_name=name, **kw)
        return info.value.problems

    return _problems


def places(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in problems]


def drawn_texts(fig):
    """Every text the renderer draws: tick labels only for ticks inside the view."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tick_labels = {}
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                inside = lo - eps <= tick.get_loc() <= hi + eps
                for label in (tick.label1, tick.label2):
                    tick_labels[id(label)] = inside
    out = []
    for t in fig.findobj(Text):
        if not (t.get_visible() and t.get_text().strip()) or not tick_labels.get(id(t), True):
            continue
        bb = t.get_window_extent(renderer)
        if bb.width > 0:
            out.append((t.get_text(), bb))
    return out
