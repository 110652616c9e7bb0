"""Atomic file output: write beside the target, then rename over it.

Every file the tool writes (figures, frames, decks) goes through here, so a failed
or interrupted run never leaves a half-written file or clobbers an older one:

- a file is first *staged*: written to a temporary name in the target's folder,
  flushed and fsynced; only a complete file is renamed over the target;
- a :class:`Transaction` stages several files (the frames of a build, a figure
  and its deck) and renames them all only once every one is complete;
- an existing target keeps its permission bits; a symbolic link is written
  through (its target is replaced, the link stays);
- a file the run reads (:func:`protect`) is never a target;
- temporary files still open when a signal stops the run are removed by
  :func:`discard_temps` (the command line calls it from its signal handlers).
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from ..errors import OptionError

_LIVE: set[str] = set()  # temporary files not yet renamed or removed
_INPUTS: dict[tuple[int, int] | str, str] = {}  # identity of a file the run reads -> its name


def discard_temps() -> None:
    """Remove every temporary file this process has staged and not yet committed."""
    for tmp in list(_LIVE):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _LIVE.discard(tmp)


_DEFERRED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                  if hasattr(signal, name))


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done (they are delivered then):
    for renames that must all happen, and for a rename and the record of it.

    The signals are recorded by a stand-in handler and raised again after the block.
    (Blocking them with ``pthread_sigmask`` is not enough: it holds them for this thread
    only, and when a helper thread of a process pool receives one, Python still runs
    the handler in the main thread, in the middle of the block.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def record(signum: int, frame: Any) -> None:
        pending.append(signum)

    old = {number: signal.signal(number, record) for number in _DEFERRED}
    try:
        yield
    finally:
        for number, handler in old.items():
            if handler is not None:
                signal.signal(number, handler)
        for number in dict.fromkeys(pending):
            signal.raise_signal(number)  # now handled by the handlers in force again


def _identities(path: str | Path) -> list[tuple[int, int] | str]:
    keys: list[tuple[int, int] | str] = [os.path.realpath(path)]
    try:
        st = os.stat(path)
    except OSError:
        return keys
    return [*keys, (st.st_dev, st.st_ino)]


def protect(path: str | Path) -> None:
    """Remember that the run reads ``path``: no output may replace it."""
    for key in _identities(path):
        _INPUTS[key] = str(path)


def check_not_input(path: str | Path) -> None:
    """Refuse an output that is (or links to, or is a hard link of) a file the run reads.

    A file identity (device, inode) counts only while the input still has it: a deleted
    input's inode may be given to a new, unrelated file."""
    for key in _identities(path):
        source = _INPUTS.get(key)
        if source is not None and isinstance(key, tuple) and key not in _identities(source):
            continue
        if source is not None:
            raise OptionError(f"{path}: this is the input file {source}; writing there would "
                              "replace your data with the output; choose another name")


def target_of(path: str | Path) -> Path:
    """Where writing ``path`` lands: a symbolic link's final target, else ``path``."""
    out = Path(path)
    return Path(os.path.realpath(out)) if out.is_symlink() else out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class Staged:
    """A complete file at a temporary name, waiting to be renamed over ``target``."""

    tmp: str
    target: Path
    shown: Path  # the output as the user named it, for messages

    def commit(self) -> Path:
        """Rename the file into place, keeping an existing target's permission bits."""
        try:
            try:
                mode = os.stat(self.target).st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()  # mkstemp makes 0600; give the usual mode
            os.chmod(self.tmp, mode)
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise OptionError(f"{self.shown}: cannot write ({exc.strerror or exc}); nothing "
                              "was written") from None
        _LIVE.discard(self.tmp)
        _fsync_folder(self.target.parent)
        return self.shown

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.tmp)
        _LIVE.discard(self.tmp)

    def release(self) -> Staged:
        """Hand the staged file to another process (which :meth:`adopt` s it): this one
        no longer removes it when stopped."""
        _LIVE.discard(self.tmp)
        return self

    def adopt(self) -> Staged:
        """Take over a staged file made by another process (removed if this one stops)."""
        _LIVE.add(self.tmp)
        return self


def check_output(path: str | Path) -> Path:
    """Refuse an output that cannot be written (before any work): a missing folder, a
    folder as the name, or a file the run reads.  Returns where the bytes will land."""
    out = Path(path)
    check_not_input(out)
    target = target_of(out)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OptionError(f"{out}: the folder {parent} does not exist")
    if target.is_dir():
        raise OptionError(f"{out}: is a folder; give a file name")
    return target


def _start(path: str | Path) -> tuple[int, str, Path]:
    out = Path(path)
    target = check_output(out)
    parent = target.parent if str(target.parent) else Path(".")
    # a signal between creating the file and recording it would leave it behind
    with signals_deferred():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=".tmp",
                                       dir=parent)
        except OSError as exc:
            raise OptionError(f"{out}: cannot write there ({exc.strerror or exc})") from None
        _LIVE.add(tmp)
    return fd, tmp, target


class staging:  # used like a function: ``with staging(path) as fh``
    """Write a file to a temporary name beside ``path``; after the block, :attr:`staged`
    is the complete, fsynced file, ready to :meth:`Staged.commit`.  On any failure the
    temporary file is removed.

    Raises
    ------
    OptionError
        When the folder is missing or not writable, the output is an input file, or
        writing fails.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.staged: Staged | None = None

    def __enter__(self) -> BinaryIO:
        fd, self._tmp, self._target = _start(self.path)
        try:
            self._fh: BinaryIO = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            Staged(self._tmp, self._target, self.path).discard()
            raise
        return self._fh

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> Literal[False]:
        staged = Staged(self._tmp, self._target, self.path)
        try:
            if exc is None:
                self._fh.flush()
                os.fsync(self._fh.fileno())
            self._fh.close()
        except OSError as error:
            with contextlib.suppress(OSError):
                self._fh.close()
            staged.discard()
            raise OptionError(f"{self.path}: cannot write ({error.strerror or error}); "
                              "nothing was written") from None
        except BaseException:
            staged.discard()
            raise
        if exc is not None:
            staged.discard()
            if isinstance(exc, OSError) and not isinstance(exc, OptionError):
                raise OptionError(f"{self.path}: cannot write ({exc.strerror or exc}); "
                                  "nothing was written") from None
            return False
        self.staged = staged
        return False


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """Yield a binary file beside ``path``; on success it replaces ``path`` (with the
    usual permissions, or the existing file's), on any failure it is removed and
    ``path`` is untouched.

    Raises
    ------
    OptionError
        When the folder is missing or not writable, the output is an input file, or
        writing fails.
    """
    writer = staging(path)
    with writer as fh:
        yield fh
    assert writer.staged is not None
    writer.staged.commit()


class Transaction:
    """Several files written all or none: each is staged, and all are renamed into
    place only when :meth:`commit` is called; leaving the block without committing
    (an error, a signal) removes every staged file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Transaction() as tx:
    ...     for name in ("a.txt", "b.txt"):
    ...         with tx.file(folder / name) as fh:
    ...             _ = fh.write(b"x")
    ...     written = tx.commit()
    >>> sorted(p.name for p in folder.iterdir())
    ['a.txt', 'b.txt']
    """

    def __init__(self) -> None:
        self.staged: list[Staged] = []

    @contextlib.contextmanager
    def file(self, path: str | Path) -> Iterator[BinaryIO]:
        writer = staging(path)
        with writer as fh:
            yield fh
        assert writer.staged is not None
        self.staged.append(writer.staged)

    def commit(self) -> list[Path]:
        """Rename every staged file into place, in the order they were staged."""
        done = []
        try:
            with signals_deferred():  # a signal now would leave some files old, some new
                for staged in self.staged:
                    done.append(staged.commit())
        finally:
            self.discard()
        return done

    def discard(self) -> None:
        for staged in self.staged:
            staged.discard()
        self.staged = []

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
