"""PowerPoint output (optional extra: ``pip install 'nmo-timeline[pptx]'``).

``add_slide`` writes a 16:9 deck, or appends to an existing one, with one slide:
the title and the figure, scaled to fit below it.  The deck is written to a
temporary file and renamed, so a failure never leaves a broken deck behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OptionError

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5


def require_pptx(deck: str | Path) -> None:
    """Refuse early (before any figure is written) when a deck cannot be made."""
    if Path(deck).suffix.lower() != ".pptx":
        raise OptionError(f"{deck}: the deck must end in .pptx")
    try:
        from pptx import Presentation
    except ImportError:
        raise OptionError("--pptx needs python-pptx: pip install 'nmo-timeline[pptx]'") from None
    if Path(deck).exists():
        try:
            Presentation(str(deck))
        except Exception as exc:  # python-pptx raises several types for broken decks
            raise OptionError(f"{deck}: cannot be opened as a PowerPoint deck "
                              f"({type(exc).__name__}); nothing was written") from None


def add_slide(deck: str | Path, image: str | Path, title: str = "") -> Path:
    """Append a slide with ``title`` and the PNG ``image`` to ``deck`` (created if absent)."""
    try:
        from pptx import Presentation
        from pptx.util import Emu, Inches, Pt
    except ImportError:
        raise OptionError("--pptx needs python-pptx: pip install 'nmo-timeline[pptx]'") from None
    path = Path(deck)
    if path.suffix.lower() != ".pptx":
        raise OptionError(f"{deck}: the deck must end in .pptx")
    if path.exists():
        try:
            prs = Presentation(str(path))
        except Exception as exc:  # python-pptx raises several types for broken decks
            raise OptionError(f"{deck}: cannot be opened as a PowerPoint deck "
                              f"({type(exc).__name__}); nothing was written") from None
    else:
        prs = Presentation()
        prs.slide_width = Inches(SLIDE_W_IN)
        prs.slide_height = Inches(SLIDE_H_IN)
    layout = prs.slide_layouts[5] if title else prs.slide_layouts[6]  # title only / blank
    slide = prs.slides.add_slide(layout)
    sw, sh = int(prs.slide_width or 0), int(prs.slide_height or 0)
    margin = int(Inches(0.25))
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
    from PIL import Image

    with Image.open(image) as im:
        w_px, h_px = im.size
    box_w, box_h = sw - 2 * margin, sh - top - margin
    scale = min(box_w / w_px, box_h / h_px)
    pic_w, pic_h = int(w_px * scale), int(h_px * scale)
    slide.shapes.add_picture(str(image), Emu((sw - pic_w) // 2), Emu(top), Emu(pic_w),
                             Emu(pic_h))
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    os.close(fd)
    try:
        prs.save(tmp)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
