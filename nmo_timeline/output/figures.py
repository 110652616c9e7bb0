"""One patient's figure to files: the figure, or one frame per period (``--build``),
and optionally slides in a PowerPoint deck (``--pptx``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..load import EventTable
from ..plan.options import FigureOptions
from .save import output_format, save_figure


@dataclass(frozen=True)
class Written:
    """What a run wrote: the figure files, and the deck if slides were added."""

    figures: list[Path]
    deck: Path | None = None


def frame_paths(output: Path, count: int) -> list[Path]:
    """``OUT-01.png``, ``OUT-02.png``, ... for a build of ``count`` frames."""
    return [output.with_name(f"{output.stem}-{k:02d}{output.suffix}")
            for k in range(1, count + 1)]


def write_timeline(table: EventTable, output: Path, options: FigureOptions, *,
                   build: bool = False, pptx: Path | None = None) -> Written:
    """Draw ``table`` (one patient) to ``output``, or to numbered frames with ``build``;
    with ``pptx``, also add a slide per figure to that deck (created or appended)."""
    from ..draw.plot import plot_timeline

    fmt = output_format(output)
    if pptx is not None:
        from .slides import require_pptx

        require_pptx(pptx)
    table.require_one_patient()
    steps: list[date | None] = [None]
    if build:
        from ..plan.build import build_steps

        steps = list(build_steps(table))
    outputs = frame_paths(output, len(steps)) if build else [output]
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        slide_images = []
        for until, out in zip(steps, outputs, strict=True):
            fig = plot_timeline(table, options, reveal_until=until)
            written.append(save_figure(fig, out, dpi=options.dpi,
                                       transparent=options.transparent))
            if pptx is not None:  # slides need a PNG: the output itself, or a copy
                slide_images.append(
                    written[-1] if fmt == "png" and not options.transparent else
                    save_figure(fig, Path(tmp) / f"{len(written)}.png", dpi=options.dpi))
        if pptx is not None:
            from .slides import add_slides

            add_slides(pptx, slide_images, options.title)
    return Written(written, pptx)
