"""Where the bundled illustrative case lives, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def bundled_events_path() -> Path:
    """Path of the bundled illustrative case (``data/events.csv``).

    A wheel carries it inside the package (``nmo_timeline/data/events.csv``,
    copied at build time from the repository's ``data/events.csv``); a source
    checkout or an editable install reads the repository file itself.
    """
    packaged = _HERE / "data" / "events.csv"
    if packaged.is_file():
        return packaged
    return _HERE.parent / "data" / "events.csv"
