"""The package's own error type and the problem records it carries.

Every problem found in an input file is a :class:`Problem` with the file's own
1-based physical line and the column name as written in the file.  The loader
collects all of them before raising one :class:`InputError`, so a user sees
every mistake in one run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem (error or warning) at a place in an input file.

    Parameters
    ----------
    file : str
        The path as the user gave it.
    line : int or None
        1-based physical line in the file (the header is line 1); ``None`` for
        problems with the file as a whole.
    column : str or None
        The column's name as written in the file's header, or ``None``.
    message : str
        What is wrong and, where possible, how to fix it.
    """

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return f"{place}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


def list_preview(items: list[str], n: int = 10) -> str:
    """``a, b, c`` for a message, shortened to the first ``n`` with the total."""
    shown = ", ".join(items[:n])
    return shown + (f", ... ({len(items)} in all)" if len(items) > n else "")


class NmoTimelineError(Exception):
    """Base class of every error this package raises on purpose.

    The command line turns it into a message and exit status 1; anything else
    is reported as an internal error.
    """


class InputError(NmoTimelineError):
    """An input file could not be read: carries every problem found in it."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one per line, followed by a count."""
        lines = [str(p) for p in self.problems]
        if len(self.problems) > 1 or any(p.line is not None for p in self.problems):
            n = len(self.problems)
            lines.append(f"{n} error{'s' if n != 1 else ''} found; nothing was written.")
        return "\n".join(lines)


class OptionError(NmoTimelineError):
    """A command-line or API option has a value that cannot be used."""


class Terminated(BaseException):
    """The run was stopped by a signal (SIGTERM, SIGHUP): unwinds like KeyboardInterrupt,
    so every temporary file is removed on the way out; the exit status is 128 + signal."""

    def __init__(self, signum: int, name: str):
        self.signum = signum
        self.name = name
        super().__init__(f"stopped by {name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum
