"""Checks of the numbers the statistics are given, and the error they raise.

Shared by :mod:`.rates`, :mod:`.survival`, :mod:`.models` and :mod:`.compare`, so a
confidence level, a count or a length of time is checked by one rule with one message.
Importing this module imports nothing heavy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

from ..errors import NmoTimelineError


class StatsError(NmoTimelineError, ValueError):
    """Input a statistic cannot be computed from, or a model that could not be fitted.

    The message is one line, fit to show a user as it is (the command line prints it as
    ``error: ...`` and exits with status 1).  It is also a ``ValueError``, as callers of
    the functions on plain numbers expect.
    """


def check_level(level: float) -> float:
    """``level`` as a float in (0, 1), else :class:`StatsError`.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    """
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise StatsError(
            f"confidence level must be a number between 0 and 1, got {level!r}") from None
    if not 0.0 < value < 1.0:  # also rejects NaN
        raise StatsError(
            f"confidence level must be between 0 and 1 (e.g. 0.95), got {level!r}")
    return value


def check_count(value: int, what: str) -> int:
    """A whole number, 0 or more, else :class:`StatsError` naming ``what``."""
    try:
        count = operator.index(value)
    except TypeError:
        raise StatsError(f"{what} must be a whole number, got {value!r}") from None
    if count < 0:
        raise StatsError(f"{what} cannot be negative, got {count}")
    return count


def check_years(
    value: float, what: str, *, allow_zero: bool = False, unit: str = "years"
) -> float:
    """A finite length of time, more than 0 (or 0 with ``allow_zero``)."""
    try:
        years = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{what} must be a number of {unit}, got {value!r}") from None
    if not math.isfinite(years) or years < 0 or (years == 0 and not allow_zero):
        need = "0 or more" if allow_zero else "more than 0"
        raise StatsError(f"{what} must be a finite number of {unit} {need}, got {value!r}")
    return years


def check_same_length(**seqs: Sequence[Any]) -> int:
    """The common length of the sequences, else :class:`StatsError` listing them."""
    lengths = {name: len(s) for name, s in seqs.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise StatsError(f"the inputs must have the same length: lengths {shown}")
    return next(iter(lengths.values()))


def level_label(level: float) -> str:
    """A confidence level as people write it: ``0.95`` -> ``95 %``, ``0.975`` -> ``97.5 %``.

    Examples
    --------
    >>> level_label(0.95), level_label(0.9), level_label(0.975)
    ('95 %', '90 %', '97.5 %')
    """
    return f"{round(level * 100, 6):g} %"
