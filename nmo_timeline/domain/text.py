"""Text for XML outputs (SVG, PDF metadata, PPTX): characters XML 1.0 forbids never reach
a file raw.

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
