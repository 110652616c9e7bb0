"""Text for XML outputs (SVG, PDF metadata, PPTX) and for the terminal: characters XML
1.0 forbids never reach a file raw, and control characters from a CSV never reach the
terminal raw.

XML 1.0 allows tab, line feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and
U+10000 and above.  Anything else (other control characters, lone surrogates,
U+FFFE, U+FFFF) would make the file not well-formed, so it is replaced by U+FFFD,
the replacement character: the text keeps its length and shows where something
unprintable was.
"""

from __future__ import annotations

import re

_FORBIDDEN = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD.

    Examples
    --------
    >>> xml_safe("Case\\x01 1\\ufffe")
    'Case\\ufffd 1\\ufffd'
    """
    return _FORBIDDEN.sub(REPLACEMENT, text)


# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides
# and isolates (which reorder what a terminal shows)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character written as a visible escape, so a cell
    cannot move the cursor, recolour or retitle the terminal a message is printed on.

    Examples
    --------
    >>> print(terminal_safe("P\\x1b[31m7 ok"))
    P\\x1b[31m7 ok
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)
