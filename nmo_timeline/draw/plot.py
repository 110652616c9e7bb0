"""The public drawing entry points: events in, a Figure (or a file) out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..load import EventTable, load_events
from ..plan.timeline import plan_timeline, reveal
from .timeline import DEFAULT_DPI, SLIDE_SIZE, render_plan, save_figure
from ..plan.style import StyleSpec, load_style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BUNDLED_TITLE = "Illustrative AQP4-IgG+ NMO course (reconstructed example, not patient data)"


def plot_timeline(
    events: EventTable | str | Path,
    *,
    patient: str | None = None,
    title: str = "",
    size: tuple[float, float] = SLIDE_SIZE,
    dpi: int = DEFAULT_DPI,
    arr: bool = False,
    theme: str = "light",
    relative: str | None = None,
    unit: str | None = None,
    window: str | None = None,
    calendar_row: bool = True,
    anonymize: bool = False,
    annotate: list[str] | None = None,
    style: StyleSpec | str | Path | None = None,
    reveal_until: date | None = None,
) -> Figure:
    """Draw one patient's swimlane timeline.

    Parameters
    ----------
    events : EventTable or path
        A table from :func:`load_events`, or a file to load.
    patient : str, optional
        Which patient to draw when the file holds several.
    title : str
        Figure title (none by default).
    size : (float, float)
        Width and height in inches; the default is a 16:9 slide.
    dpi : int
        Resolution used for raster output.
    arr : bool
        Show each treatment period's annualised relapse rate above the lanes.
    theme : {"light", "dark", "print"}
        Colour theme.
    relative, unit, window, calendar_row, anonymize, annotate
        Time axis and annotation options; see :func:`nmo_timeline.layout.plan_timeline`.
    style : StyleSpec or path, optional
        A style file (lane order and labels, colours, fonts, panels).
    reveal_until : date, optional
        Show only what happened up to this day, on the full record's axis (a
        frame of a step-by-step build; see :func:`nmo_timeline.layout.build_steps`).

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with :func:`save_figure` or
        ``fig.savefig``.

    Examples
    --------
    >>> from nmo_timeline import plot_timeline, bundled_events_path
    >>> fig = plot_timeline(bundled_events_path(), title="Case 1")
    >>> [ax.get_gid() for ax in fig.axes][:2]
    ['panel:edss', 'panel:therapy']
    """
    table = events if isinstance(events, EventTable) else load_events(events)
    if patient is not None:
        table = table.for_patient(patient)
    spec = load_style(style) if isinstance(style, (str, Path)) else style
    plan = plan_timeline(table, title=title, arr=arr, relative=relative, unit=unit,
                         window=window, calendar_row=calendar_row, anonymize=anonymize,
                         annotate=annotate, style=spec)
    if reveal_until is not None:
        plan = reveal(plan, reveal_until)
    return render_plan(plan, size=size, dpi=dpi, theme=theme,
                       font_family=spec.font_family if spec else None,
                       font_scale=spec.font_scale if spec else 1.0)


__all__ = ["plot_timeline", "save_figure"]
