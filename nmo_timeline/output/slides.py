"""PowerPoint output (optional extra: ``pip install 'nmo-timeline[pptx]'``).

``add_slides`` writes a 16:9 deck, or appends to an existing one, with one slide
per figure: the title and the figure, scaled to fit below it.  The deck is
written once, atomically, so a failure never leaves a broken deck behind.

Runs that add to the same deck at the same time take turns: each holds a lock
file beside the deck (``.DECK.pptx.lock``) from reading the deck to renaming the
new one into place, so no run's slides are lost; a run that cannot get the lock
within :data:`LOCK_WAIT_S` seconds stops with a message and writes nothing.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.text import xml_safe
from ..errors import OptionError
from .atomic import Transaction, target_of

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
MARGIN_IN, TITLE_IN = 0.25, 0.8
LOCK_WAIT_S = 120.0
SVG_BLIP = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"  # the extension PowerPoint reads SVG from
ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


@dataclass(frozen=True)
class SlideImage:
    """A slide's figure as PNG (what every viewer shows) and SVG (what PowerPoint shows,
    and turns into shapes with "Convert to Shape")."""

    png: bytes
    svg: bytes


def picture_area(title: bool) -> tuple[float, float]:
    """Width and height (inches) a figure fills on a 16:9 slide, under the title if any."""
    top = MARGIN_IN + (TITLE_IN if title else 0.0)
    return SLIDE_W_IN - 2 * MARGIN_IN, SLIDE_H_IN - top - MARGIN_IN
NEUTRAL_DATE = datetime(2000, 1, 1)


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
        prs.element.sldSz.attrib.pop("type", None)  # the template's "screen4x3": now 16:9
        _neutral_metadata(prs)  # the template's author and dates are python-pptx's own
        return prs
    try:
        return Presentation(str(deck))
    except Exception as exc:  # python-pptx raises several types for broken decks
        raise OptionError(f"{deck}: cannot be opened as a PowerPoint deck "
                          f"({type(exc).__name__}); nothing was written") from None


def _neutral_metadata(prs: Any) -> None:
    """Core properties that say nothing about who made the deck, when, or with what."""
    props = prs.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments",
                 "category", "content_status", "identifier", "language", "version"):
        setattr(props, name, "")
    props.revision = 1
    props.created = props.modified = props.last_printed = NEUTRAL_DATE


def require_pptx(deck: str | Path, title: str = "") -> None:
    """Refuse early (before any figure is drawn or written) when a deck cannot be made,
    or cannot take the slide title."""
    folder = target_of(deck).parent
    if not folder.is_dir():
        raise OptionError(f"{deck}: the folder {folder} does not exist")
    prs = _open_deck(deck)
    if title:
        try:
            _add_title(prs.slides.add_slide(prs.slide_layouts[5]), prs, title)
        except Exception as exc:  # python-pptx refuses text lxml cannot store
            raise OptionError(f"--title: a slide title cannot hold this text "
                              f"({type(exc).__name__}: {exc})") from None


def title_size(title: str, width_in: float) -> int:
    """The largest title size (28 pt down to 12 pt) at which ``title`` fits the title box,
    on as many lines as the box holds; measured in DejaVu Sans, wider than the fonts of
    Office themes, so the text fits whatever font the deck uses."""
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    for size in (28, 24, 20, 18, 16, 14, 12):
        lines = max(1, math.floor(TITLE_IN * 72 / (size * 1.2)))
        words = ImageFont.truetype(path, size * 4).getlength(title) / 4 / 72  # inches
        if words <= 0.9 * width_in * lines:  # a tenth for where the lines break
            return size
    return 12


def _add_title(slide: Any, prs: Any, title: str) -> int:
    """Write the title on ``slide``, as large as fits its box; return where the picture
    may start (EMU)."""
    from pptx.util import Inches, Pt

    margin = int(Inches(MARGIN_IN))
    shape = slide.shapes.title
    shape.text = xml_safe(title)
    shape.left, shape.top = margin, margin
    shape.width, shape.height = int(prs.slide_width or 0) - 2 * margin, int(Inches(TITLE_IN))
    shape.text_frame.word_wrap = True
    size = Pt(title_size(title, SLIDE_W_IN - 2 * MARGIN_IN))
    for paragraph in shape.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = size
    return int(shape.top) + int(shape.height)


def _add_svg(slide: Any, picture: Any, svg: bytes) -> None:
    """Give ``picture`` its SVG (an ``asvg:svgBlip`` beside the PNG, as PowerPoint does)."""
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.opc.package import Part
    from pptx.oxml.ns import qn

    package = slide.part.package
    part = Part(package.next_image_partname("svg"), "image/svg+xml", package, svg)
    rid = slide.part.relate_to(part, RT.IMAGE)
    blip = picture._element.blipFill.find(qn("a:blip"))
    extensions = etree.SubElement(blip, qn("a:extLst"))
    extension = etree.SubElement(extensions, qn("a:ext"), uri=SVG_BLIP)
    svg_blip = etree.SubElement(extension, f"{{{ASVG}}}svgBlip", nsmap={"asvg": ASVG})
    svg_blip.set(qn("r:embed"), rid)


@contextlib.contextmanager
def deck_lock(deck: str | Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock file beside ``deck`` (waiting up to ``wait`` seconds for it)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    target = target_of(deck)
    lock = target.parent / f".{target.name}.lock"
    deadline = time.monotonic() + (LOCK_WAIT_S if wait is None else wait)
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise OptionError(f"{deck}: cannot write there ({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                raise OptionError(
                    f"{deck}: another nmo-timeline run is adding slides to this deck (it "
                    f"holds {lock}); nothing was written: try again when it has finished"
                ) from None
            time.sleep(0.05)
            continue
        try:  # the lock file may have been removed and made anew while we waited
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def add_slides(deck: str | Path, images: list[SlideImage], title: str = "",
               *, anonymize: bool = False, transaction: Transaction | None = None) -> Path:
    """Append one slide per figure in ``images``, each with ``title``, to ``deck``
    (created if absent), and write the deck once, atomically.

    Each figure fills the slide under the title: an SVG picture (editable in PowerPoint
    with "Convert to Shape") with the PNG as the fallback other viewers show.  With
    ``transaction``, the deck is staged in it and the transaction is committed (with
    the files staged before it) while the deck is locked.  With ``anonymize``, the
    deck's core properties (author, dates, revision) are made neutral.
    """
    from PIL import Image
    from pptx.util import Emu, Inches

    with deck_lock(deck):
        prs = _open_deck(deck)
        if anonymize:
            _neutral_metadata(prs)
        sw, sh = int(prs.slide_width or 0), int(prs.slide_height or 0)
        margin = int(Inches(MARGIN_IN))
        for image in images:
            layout = prs.slide_layouts[5] if title else prs.slide_layouts[6]  # title / blank
            slide = prs.slides.add_slide(layout)
            top = _add_title(slide, prs, title) if title else margin
            with Image.open(io.BytesIO(image.png)) as im:
                w_px, h_px = im.size
            scale = min((sw - 2 * margin) / w_px, (sh - top - margin) / h_px)
            pic_w, pic_h = int(w_px * scale), int(h_px * scale)
            picture = slide.shapes.add_picture(io.BytesIO(image.png), Emu((sw - pic_w) // 2),
                                               Emu(top), Emu(pic_w), Emu(pic_h))
            _add_svg(slide, picture, image.svg)
        tx = transaction if transaction is not None else Transaction()
        with tx.file(deck) as fh:
            prs.save(fh)
        tx.commit()
    return Path(deck)
