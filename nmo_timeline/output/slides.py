"""PowerPoint output (optional extra: ``pip install 'nmo-timeline[pptx]'``).

``add_slides`` writes a 16:9 deck, or appends to an existing one, with one slide
per figure: the title and the figure, scaled to fit below it.  The deck is
written once, atomically, so a failure never leaves a broken deck behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import OptionError
from .atomic import atomic_output

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5


def _open_deck(deck: str | Path) -> Any:
    """The deck to add to: opened if it exists, else a new 16:9 deck."""
    if Path(deck).suffix.lower() != ".pptx":
        raise OptionError(f"{deck}: the deck must end in .pptx")
    try:
        from pptx import Presentation
        from pptx.util import Inches
    except ImportError:
        raise OptionError("--pptx needs python-pptx: pip install 'nmo-timeline[pptx]'") from None
    if not Path(deck).exists():
        prs = Presentation()
        prs.slide_width = Inches(SLIDE_W_IN)
        prs.slide_height = Inches(SLIDE_H_IN)
        return prs
    try:
        return Presentation(str(deck))
    except Exception as exc:  # python-pptx raises several types for broken decks
        raise OptionError(f"{deck}: cannot be opened as a PowerPoint deck "
                          f"({type(exc).__name__}); nothing was written") from None


def require_pptx(deck: str | Path) -> None:
    """Refuse early (before any figure is written) when a deck cannot be made."""
    _open_deck(deck)


def add_slides(deck: str | Path, images: list[Path], title: str = "") -> Path:
    """Append one slide per PNG in ``images``, each with ``title``, to ``deck``
    (created if absent), and write the deck once, atomically."""
    from PIL import Image
    from pptx.util import Emu, Inches, Pt

    prs = _open_deck(deck)
    sw, sh = int(prs.slide_width or 0), int(prs.slide_height or 0)
    margin = int(Inches(0.25))
    for image in images:
        layout = prs.slide_layouts[5] if title else prs.slide_layouts[6]  # title only / blank
        slide = prs.slides.add_slide(layout)
        top = margin
        if title:
            shape = slide.shapes.title
            shape.text = title
            shape.left, shape.top = margin, margin
            shape.width, shape.height = sw - 2 * margin, int(Inches(0.8))
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(28)
            top = int(shape.top) + int(shape.height)
        with Image.open(image) as im:
            w_px, h_px = im.size
        scale = min((sw - 2 * margin) / w_px, (sh - top - margin) / h_px)
        pic_w, pic_h = int(w_px * scale), int(h_px * scale)
        slide.shapes.add_picture(str(image), Emu((sw - pic_w) // 2), Emu(top), Emu(pic_w),
                                 Emu(pic_h))
    with atomic_output(deck) as fh:
        prs.save(fh)
    return Path(deck)
