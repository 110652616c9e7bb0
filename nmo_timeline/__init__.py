"""nmo-timeline: treatment histories in a CSV -> slide-ready swimlane figures.

The public API, importable without loading matplotlib until a figure is drawn:

- :func:`load_events` / :func:`read_events_text`: validate a CSV (or .xlsx)
  into an :class:`EventTable`, raising :class:`InputError` with every problem;
- :func:`plan_timeline`: the drawing plan (pure data);
- :func:`plot_timeline`: a :class:`matplotlib.figure.Figure`;
- :func:`save_figure`: atomic PNG/SVG/PDF output;
- :class:`FigureOptions`: every figure option, typed, with its default;
- :func:`summarise`: periods, relapse rates and the cohort table;
- :func:`plan_swimmer` / :func:`render_swimmer`: a case series, one row per patient;
- :func:`bundled_events_path`: the illustrative case shipped with the package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._resources import bundled_events_path
from .errors import InputError, NmoTimelineError, OptionError, Problem

__version__ = "0.1.0"

_LAZY = {
    "EventTable": "load",
    "load_events": "load",
    "read_events_text": "load",
    "plan_timeline": "plan.timeline",
    "TimelinePlan": "plan.timeline",
    "plot_timeline": "draw.plot",
    "render_plan": "draw.timeline",
    "save_figure": "output.save",
    "FigureOptions": "plan.options",
    "summarise": "analysis.summary",
    "plan_swimmer": "plan.swimmer",
    "render_swimmer": "draw.swimmer",
    "treatment_pathways": "analysis.pathways",
    "regimen_occupancy": "analysis.occupancy",
    "plan_pathways": "plan.pathways",
    "render_pathways": "draw.pathways",
    "plan_occupancy": "plan.occupancy",
    "render_occupancy": "draw.occupancy",
}

if TYPE_CHECKING:
    from .analysis.occupancy import regimen_occupancy
    from .analysis.pathways import treatment_pathways
    from .analysis.summary import summarise
    from .draw.occupancy import render_occupancy
    from .draw.pathways import render_pathways
    from .draw.plot import plot_timeline
    from .draw.swimmer import render_swimmer
    from .draw.timeline import render_plan
    from .load import EventTable, load_events, read_events_text
    from .output.save import save_figure
    from .plan.occupancy import plan_occupancy
    from .plan.options import FigureOptions
    from .plan.pathways import plan_pathways
    from .plan.swimmer import plan_swimmer
    from .plan.timeline import TimelinePlan, plan_timeline


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nmo_timeline' has no attribute '{name}'")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "EventTable",
    "FigureOptions",
    "InputError",
    "NmoTimelineError",
    "OptionError",
    "Problem",
    "TimelinePlan",
    "__version__",
    "bundled_events_path",
    "load_events",
    "plan_occupancy",
    "plan_pathways",
    "plan_swimmer",
    "plan_timeline",
    "plot_timeline",
    "read_events_text",
    "regimen_occupancy",
    "render_occupancy",
    "render_pathways",
    "render_plan",
    "render_swimmer",
    "save_figure",
    "summarise",
    "treatment_pathways",
]
