"""Kaplan-Meier figure plan: time to first relapse per regimen (pure; no matplotlib).

One curve per regimen from :attr:`~nmo_timeline.analysis.summary.Summary.survival`: a
step line from 1 at time 0, a tick where a patient was censored, a dotted line down from
0.5 at the median, and the numbers at risk at each tick of the time axis.  Time is in
days, months or years, whichever suits the longest follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..analysis.cohort import find_regimen, regimen_keys
from ..analysis.periods import UNTREATED
from ..analysis.summary import Summary
from ..analysis.survival import RegimenSurvival
from ..domain.colours import EXTRA, Palette
from ..domain.registry import MAINTENANCE, Registry
from ..domain.time import UNIT_DAYS
from ..errors import NmoTimelineError, list_preview

#: A line colour for untreated time (the swimmer's untreated grey is too light for a line).
UNTREATED_LINE = "#7F7F7F"
#: Tick steps per unit, smallest first; the first giving at most MAX_TICKS ticks is used.
STEPS = {"days": (7, 14, 30, 60, 90), "months": (1, 2, 3, 6, 12),
         "years": (0.5, 1, 2, 5, 10, 20, 50)}
MAX_TICKS = 8


@dataclass(frozen=True)
class Curve:
    """One regimen's curve in the plan's unit of time."""

    regimen: str
    label: str  # the legend's: regimen and number of patients
    patients: int
    colour: str
    x: tuple[float, ...]  # steps, drawn "post": the value holds until the next x
    y: tuple[float, ...]
    censored_x: tuple[float, ...]
    censored_y: tuple[float, ...]
    median: float | None
    at_risk: tuple[int, ...]  # at each of the plan's ticks


@dataclass(frozen=True)
class SurvivalPlan:
    curves: tuple[Curve, ...]
    unit: str
    ticks: tuple[float, ...]
    x_max: float
    x_label: str
    y_label: str = "Free of relapse"
    title: str = ""
    warnings: tuple[str, ...] = ()


def time_unit(days: float) -> str:
    """``days`` under 90 days of follow-up, ``months`` under two years, else ``years``.

    Examples
    --------
    >>> time_unit(60), time_unit(400), time_unit(2000)
    ('days', 'months', 'years')
    """
    if days < 90:
        return "days"
    return "months" if days < 730 else "years"


def time_ticks(x_max: float, unit: str) -> tuple[float, ...]:
    """Ticks from 0 at a round step, the last at or beyond ``x_max``.

    Examples
    --------
    >>> time_ticks(4.3, "years"), time_ticks(17, "months")
    ((0.0, 1.0, 2.0, 3.0, 4.0, 5.0), (0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0))
    """
    steps = STEPS[unit]
    step = next((s for s in steps if x_max / s <= MAX_TICKS - 1), steps[-1])
    count = max(1, -(-x_max // step))
    return tuple(float(i * step) for i in range(int(count) + 1))


def _colours(chosen: list[RegimenSurvival], therapies: dict[str, tuple[str, ...]],
             registry: Registry | None) -> list[str]:
    """The therapy's own colour for a single agent (as in every figure), grey for
    untreated, and the extra palette for combinations and repeats."""
    palette = Palette(registry)
    out: list[str] = []
    spare = [c for c in EXTRA if c != "#DDDDDD"]
    for s in chosen:
        keys = therapies.get(s.regimen, ())
        if s.regimen == UNTREATED:
            colour = UNTREATED_LINE
        elif len(keys) == 1:
            colour = palette.colour(s.regimen, MAINTENANCE)
        else:
            colour = ""
        if not colour or colour in out or colour == "#DDDDDD":  # too light for a line
            colour = next((c for c in spare if c not in out), "#000000")
        out.append(colour)
    return out


def plan_survival(
    summary: Summary,
    *,
    regimens: list[str] | None = None,
    title: str = "",
    max_curves: int = 8,
) -> SurvivalPlan:
    """Lay out Kaplan-Meier curves of time to first relapse.

    Parameters
    ----------
    summary : Summary
        From :func:`~nmo_timeline.analysis.summary.summarise`.
    regimens : list of str, optional
        The regimens to draw (names as in the summary; case, abbreviations and the order
        of a combination do not matter).  Default: the regimens with the most patients, up
        to ``max_curves``, untreated left out: the first untreated period usually starts
        with the onset relapse, so its curve would mostly say that.
    max_curves : int
        The most curves (and rows of numbers at risk) the canvas can show readably.
    """
    curves = {s.regimen: s for s in summary.survival}
    therapies = regimen_keys(summary.patients)
    registry = summary.table.registry if summary.table is not None else None
    warnings: list[str] = []
    if regimens:
        names: list[str] = []
        for name in regimens:
            found = find_regimen(name, therapies, "--regimens", registry)
            if found not in names:
                names.append(found)
        if len(names) > max_curves:
            raise NmoTimelineError(f"--regimens: {len(names)} regimens do not fit this canvas "
                                   f"readably; choose at most {max_curves}")
        chosen = [curves[n] for n in names]
    else:
        candidates = [s for s in summary.survival if s.regimen != UNTREATED]
        if not candidates:
            raise NmoTimelineError("no maintenance therapy in the file; name the regimens to "
                                   "draw with --regimens (e.g. --regimens untreated)")
        ranked = sorted(candidates, key=lambda s: -s.patients)  # stable: cohort order on ties
        keep = {s.regimen for s in ranked[:max_curves]}
        chosen = [s for s in candidates if s.regimen in keep]
        if len(candidates) > len(chosen):
            left = [s.regimen for s in candidates if s.regimen not in keep]
            warnings.append(f"showing the {len(chosen)} regimens with the most patients; "
                            f"{len(left)} more not drawn ({list_preview(left, 5)}); choose "
                            "with --regimens")
    longest = max((s.km.times[-1] for s in chosen), default=0.0)
    unit = time_unit(longest)
    scale = UNIT_DAYS[unit]
    ticks = time_ticks(max(longest / scale, 1.0), unit)
    out = []
    for s, colour in zip(chosen, _colours(chosen, therapies, registry), strict=True):
        km = s.km
        xs = (0.0, *(t / scale for t in km.times))
        ys = (1.0, *km.survival)
        cx = tuple(t / scale for t, c in zip(km.times, km.censored, strict=True) if c)
        cy = tuple(v for v, c in zip(km.survival, km.censored, strict=True) if c)
        median = km.median / scale if km.median is not None else None
        at_risk = tuple(km.at_risk_at(t * scale) for t in ticks)
        out.append(Curve(s.regimen, f"{s.regimen} (n = {s.patients})", s.patients, colour, xs,
                         ys, cx, cy, median, at_risk))
    return SurvivalPlan(tuple(out), unit, ticks, ticks[-1],
                        f"{unit.capitalize()} since the start of the regimen", title=title,
                        warnings=tuple(warnings))
