"""Loading: file bytes -> a validated :class:`EventTable` (the CSV contract).

The contract lives in one table of cell rules (:mod:`.contract`); rules across
cells and rows are in :mod:`.rows`; :mod:`.check` applies both.
"""

from .loader import load_events, parse_records, read_events_text
from .table import EventTable, events_as_records
from .vocabulary import read_registry

__all__ = ["EventTable", "events_as_records", "load_events", "parse_records",
           "read_events_text", "read_registry"]
