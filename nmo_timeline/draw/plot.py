"""The public drawing entry point: events in, a Figure out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..load import EventTable, load_events
from ..plan.build import reveal
from ..plan.options import FigureOptions
from ..plan.style import load_style
from ..plan.timeline import plan_timeline
from .timeline import render_plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BUNDLED_TITLE = "Illustrative AQP4-IgG+ NMO course (reconstructed example, not patient data)"


def plot_timeline(
    events: EventTable | str | Path,
    options: FigureOptions | None = None,
    *,
    patient: str | None = None,
    reveal_until: date | None = None,
    **changes: Any,
) -> Figure:
    """Draw one patient's swimlane timeline.

    Parameters
    ----------
    events : EventTable or path
        A table from :func:`load_events`, or a file to load.
    options : FigureOptions, optional
        Every figure option at once (the command line builds one from its flags).
    patient : str, optional
        Which patient to draw when the file holds several.
    reveal_until : date, optional
        Show only what happened up to this day, on the full record's axis (a
        frame of a step-by-step build; see :func:`nmo_timeline.plan.build.build_steps`).
    **changes
        Single options by name on top of ``options``: ``title``, ``size``, ``dpi``,
        ``theme``, ``arr``, ``relative``, ``unit``, ``window``, ``calendar_row``,
        ``anonymize``, ``annotate``, ``style`` (a StyleSpec or a style file's path);
        see :class:`~nmo_timeline.plan.options.FigureOptions`.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with :func:`save_figure` or ``fig.savefig``.

    Examples
    --------
    >>> from nmo_timeline import plot_timeline, bundled_events_path
    >>> fig = plot_timeline(bundled_events_path(), title="Case 1")
    >>> [ax.get_gid() for ax in fig.axes][:2]
    ['panel:edss', 'panel:therapy']
    """
    if isinstance(changes.get("style"), (str, Path)):
        changes["style"] = load_style(changes["style"])
    opt = FigureOptions.of(options, **changes)
    table = events if isinstance(events, EventTable) else load_events(events)
    if patient is not None:
        table = table.for_patient(patient)
    plan = plan_timeline(table, opt)
    if reveal_until is not None:
        plan = reveal(plan, reveal_until)
    return render_plan(plan, opt)
