"""Labels shortened to a width: wrapped at spaces, then cut with an ellipsis and a mark
that points to a footnote.

(User text is drawn as written because every figure is built and saved with mathtext
off, ``text.parse_math: False`` in :data:`nmo_timeline.draw.figure.BASE_RC`; characters
XML 1.0 forbids are taken out of SVG files as they are written, by
:func:`nmo_timeline.output.save.write_figure`.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plan.timeline import LabSeries, TimelinePlan

ELLIPSIS = "…"
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def mark(n: int) -> str:
    """The footnote mark for the ``n``-th shortened label (1-based)."""
    return "".join(FOOTNOTE_MARKS[int(d) - 1] if d != "0" else "⁰" for d in str(n))


def fit_label(text: str, max_width: float, width: Callable[[str], float],
              max_lines: int = 2, suffix: str = "") -> tuple[str, bool]:
    """``text`` within ``max_width`` (as measured by ``width``, one line at a time):
    as written if it fits, else wrapped at spaces onto up to ``max_lines`` lines, else
    the last line cut with an ellipsis.  ``suffix`` (a footnote mark) is appended to a
    cut label.  Returns the label and whether it was cut.
    """
    text = " ".join(text.split())
    if width(text) <= max_width:
        return text, False
    words = text.split(" ")
    lines: list[str] = []
    while words:
        line = words.pop(0)
        while words and width(f"{line} {words[0]}") <= max_width:
            line = f"{line} {words.pop(0)}"
        if width(line) <= max_width and not (len(lines) == max_lines - 1 and words):
            lines.append(line)
            continue
        rest, tail = " ".join([line, *words]), ELLIPSIS + suffix
        lo, hi = 0, len(rest)
        while lo < hi:  # the longest prefix that fits with the ellipsis
            mid = (lo + hi + 1) // 2
            if width(rest[:mid].rstrip() + tail) <= max_width:
                lo = mid
            else:
                hi = mid - 1
        lines.append(rest[:lo].rstrip() + tail)
        return "\n".join(lines), True
    return "\n".join(lines), False


def _short(name: str, n: int = 40) -> str:
    name = " ".join(name.split())
    return name if len(name) <= n else name[: n - 1].rstrip() + "…"


def left_out_note(left_out: list[tuple[str, str]]) -> str:
    """One line naming what did not fit: ``3 labels did not fit and are not drawn: ...``;
    full names cut short on the figure are given in full, every one."""
    if not left_out:
        return ""
    kinds = Counter(what for what, _ in left_out)
    parts = []
    for what, count in kinds.items():
        full = what.startswith("full ")
        where = Counter(" ".join(place.split()) if full else _short(place)
                        for w, place in left_out if w == what)
        shown = list(where.items())[:None if full else 3]
        named = ", ".join(f"{p} x{c}" if c > 1 else p for p, c in shown)
        more = ", ..." if len(where) > len(shown) else ""
        parts.append(f"{count} {what}{'s' if count > 1 else ''} ({named}{more})")
    n = len(left_out)
    return (f"{n} label{'s' if n > 1 else ''} did not fit and {'are' if n > 1 else 'is'} not "
            f"drawn: {'; '.join(parts)}; a larger --size or a --window shows them")



LAB_KEY_TITLE = "Labs, % of highest"
# the merged lab key's legend, in ems: line sample, its pad, space after title and entries
LAB_KEY_HANDLE, LAB_KEY_PAD, LAB_KEY_SPACING = 1.6, 0.4, 0.25
TICK_PAD_PT = 3.5 + 3.5  # matplotlib's tick length and label pad


def lab_key_offset(tick_label_in: float) -> float:
    """How far left of the axes the merged lab key ends, in inches: past the panel's
    widest tick label (``100``, ``tick_label_in`` wide), its tick and pad, and a gap."""
    return tick_label_in + TICK_PAD_PT / 72 + 0.04


def _key_text(s: LabSeries) -> str:
    unit = f" {s.unit}" if s.unit and s.scale != "titre" else ""
    return f"{s.name} (max {s.text(s.top)}{unit})"


def lab_key(labs: Sequence[LabSeries], max_width: float, width: Callable[[str], float]
            ) -> list[str]:
    """The key of the merged lab panel: each analyte with the value that is its 100 %,
    so the absolute level stays readable (``IgG (max 11.8 g/L)``)."""
    return [fit_label(_key_text(s), max_width, width)[0] for s in labs]


def lab_key_left_out(labs: Sequence[LabSeries], key: Sequence[str]) -> list[tuple[str, str]]:
    """The key entries cut short, named in full for the figure's note."""
    return [("full lab name", _key_text(s)) for s, entry in zip(labs, key, strict=True)
            if " ".join(entry.split()) != " ".join(_key_text(s).split())]


def lab_key_height(key: Sequence[str], size: float) -> float:
    """The merged lab key's height in inches as its legend sets it (the title, every line
    of every name, a space after the title and after each entry), and a twentieth to spare."""
    rows = 1 + sum(t.count("\n") + 1 for t in key)
    return 1.05 * (rows * 1.2 + len(key) * LAB_KEY_SPACING) * size / 72


def plan_texts(plan: TimelinePlan) -> Iterator[str]:
    """Every text a plan may show (the font fallback is tried only if one needs it)."""
    yield plan.title
    for lane in plan.lanes:
        yield lane.label
        yield lane.note
        for bar in lane.bars:
            yield from bar.labels
    for lab in plan.labs:
        yield lab.name
        yield lab.unit
    yield from (label for _, label in plan.callouts)
    yield from (band.regimen for band in plan.periods)
    yield from (entry.label for entry in plan.legend)
