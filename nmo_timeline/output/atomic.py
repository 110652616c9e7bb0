"""Atomic file output: write beside the target, then rename over it.

Every file the tool writes (figures, decks) goes through :func:`atomic_output`,
so a failed run never leaves a half-written file or clobbers an older one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import OptionError


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """Yield a binary file beside ``path``; on success it replaces ``path`` (with the
    usual permissions), on any failure it is removed and ``path`` is untouched.

    Raises
    ------
    OptionError
        When the folder is missing or not writable, or writing fails.
    """
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OptionError(f"{out}: the folder {parent} does not exist")
    if out.is_dir():
        raise OptionError(f"{out}: is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OptionError(f"{out}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise OptionError(f"{out}: cannot write ({exc.strerror or exc}); nothing was "
                          "written") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
