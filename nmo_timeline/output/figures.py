"""One patient's figure to files: the figure, or one frame per period (``--build``),
and optionally slides in a PowerPoint deck (``--pptx``).

All or nothing: every file a run writes (the figure or every frame, and the deck)
is staged first and renamed into place only when all of them are complete
(:class:`~nmo_timeline.output.atomic.Transaction`), so an error or a signal half
way through a build leaves no frame and no deck behind.  What can be checked
before drawing (the folders, the deck, the title, the canvas) is checked first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..load import EventTable
from ..plan.options import FigureOptions
from .atomic import Transaction, check_output
from .save import check_canvas, output_format, write_figure
from .slides import SlideImage


@dataclass(frozen=True)
class Written:
    """What a run wrote: the figure files, and the deck if slides were added."""

    figures: list[Path]
    deck: Path | None = None
    left_out: list[str] = field(default_factory=list)  # labels that did not fit, per figure


def frame_paths(output: Path, count: int) -> list[Path]:
    """``OUT-01.png``, ``OUT-02.png``, ... for a build of ``count`` frames."""
    return [output.with_name(f"{output.stem}-{k:02d}{output.suffix}")
            for k in range(1, count + 1)]


def slide_image(table: EventTable, options: FigureOptions, until: date | None) -> SlideImage:
    """The figure for a slide: drawn to fill the area under the slide's title (which
    carries ``--title``, so the figure does not repeat it), as SVG and as PNG."""
    from ..draw.plot import plot_timeline
    from .slides import picture_area

    fig = plot_timeline(table, replace(options, title="", transparent=False,
                                       size=picture_area(bool(options.title))),
                        reveal_until=until)
    svg, png = io.BytesIO(), io.BytesIO()
    write_figure(fig, svg, "svg", dpi=options.dpi)
    write_figure(fig, png, "png", dpi=options.dpi)
    return SlideImage(png.getvalue(), svg.getvalue())


def check_outputs(output: Path, options: FigureOptions, *, pptx: Path | None = None) -> str:
    """Everything about the outputs that can be refused before loading or drawing:
    the format, the folders, an output that is an input, the canvas, the deck and
    its title.  Returns the format."""
    fmt = output_format(output)
    check_output(output)
    if fmt == "png" or pptx is not None:
        check_canvas(options.size, options.dpi)
    if pptx is not None:
        from .slides import require_pptx

        check_output(pptx)
        require_pptx(pptx, options.title)
    return fmt


def write_timeline(table: EventTable, output: Path, options: FigureOptions, *,
                   build: bool = False, pptx: Path | None = None) -> Written:
    """Draw ``table`` (one patient) to ``output``, or to numbered frames with ``build``;
    with ``pptx``, also add a slide per figure to that deck (created or appended)."""
    from ..draw.figure import left_out
    from ..draw.plot import plot_timeline

    fmt = check_outputs(output, options, pptx=pptx)
    table.require_one_patient()
    steps: list[date | None] = [None]
    if build:
        from ..plan.build import build_steps

        steps = list(build_steps(table, options.max_gap_days))
    outputs = frame_paths(output, len(steps)) if build else [output]
    for out in outputs:
        check_output(out)
    notes: list[str] = []
    with Transaction() as tx:
        slide_images: list[SlideImage] = []
        for until, out in zip(steps, outputs, strict=True):
            fig = plot_timeline(table, options, reveal_until=until)
            note = left_out(fig)
            if note and note not in notes:
                notes.append(note)
            with tx.file(out) as fh:
                write_figure(fig, fh, fmt, dpi=options.dpi, transparent=options.transparent)
            if pptx is not None:  # drawn again for the slide: its own size, no title
                slide_images.append(slide_image(table, options, until))
        if pptx is None:
            written = tx.commit()
        else:
            from .slides import add_slides

            written = [s.shown for s in tx.staged]
            add_slides(pptx, slide_images, options.title, anonymize=options.anonymize,
                       transaction=tx)
    return Written(written, pptx, notes)
