"""Layout: pure functions from an event table to a drawing plan.

No matplotlib here.  The plan says what to draw and where (lanes, bars,
ticks, markers, axis range, panel order); :mod:`nmo_timeline.render` only
turns it into artists.  Dates stay :class:`datetime.date`; a therapy episode
covers whole days, so a bar runs from its first day to the day after its last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain.colours import RELAPSE, Palette
from ..errors import NmoTimelineError, OptionError
from ..domain.registry import ACUTE, lookup
from .style import StyleSpec
from .timeaxis import TimeAxis, auto_unit, parse_window, resolve_anchor

if TYPE_CHECKING:
    from ..load import EventTable

ACUTE_HATCH = "////"
RELAPSE_COLOUR = RELAPSE

# Relapse syndromes (2015 NMOSD criteria core clinical characteristics).
SYNDROMES = {
    "ON": ("Optic neuritis", "o"),
    "TM": ("Myelitis", "s"),
    "APS": ("Area postrema", "D"),
    "brainstem": ("Brainstem", "^"),
    "other": ("Other", "P"),
    "unspecified": ("Unspecified", "X"),
}
_SYNDROME_WORDS = {
    "on": "ON", "optic neuritis": "ON", "optic": "ON", "neuritis": "ON",
    "tm": "TM", "myelitis": "TM", "letm": "TM", "transverse myelitis": "TM",
    "aps": "APS", "area postrema": "APS", "area postrema syndrome": "APS",
    "brainstem": "brainstem", "bs": "brainstem", "brain stem": "brainstem",
    "brainstem syndrome": "brainstem", "acute brainstem syndrome": "brainstem",
}

PANEL_EDSS = "edss"
PANEL_THERAPY = "therapy"
PANEL_RELAPSE = "relapse"
PANEL_MRI = "mri"
PANEL_LAB = "lab"
PANEL_PERIODS = "periods"


def syndrome_of(name: str) -> str:
    """Map a relapse ``name`` to a syndrome key of :data:`SYNDROMES`."""
    key = " ".join(name.casefold().replace("-", " ").split())
    if not key:
        return "unspecified"
    return _SYNDROME_WORDS.get(key, "other")


@dataclass(frozen=True)
class Bar:
    """A therapy episode: from ``start`` (inclusive) to ``stop`` (exclusive)."""

    start: date
    stop: date
    line: int
    ongoing: bool = False
    label: str = ""


@dataclass(frozen=True)
class Tick:
    """A single administration on one day."""

    day: date
    line: int


@dataclass
class Lane:
    """One therapy lane: every row with the same therapy name."""

    label: str
    key: str
    role: str
    colour: str
    hatch: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    note: str = ""

    @property
    def ongoing(self) -> bool:
        return any(b.ongoing for b in self.bars)


@dataclass(frozen=True)
class Marker:
    """A point event on a lane (relapse, MRI) or a measured value."""

    day: date
    line: int
    shape: str = "o"
    filled: bool = True
    group: str = ""
    label: str = ""
    value: float | None = None


@dataclass
class LabSeries:
    """One analyte's measurements."""

    name: str
    unit: str
    points: list[Marker]
    top: float = 0.0  # the largest value in the whole record (stable across --build frames)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


@dataclass(frozen=True)
class PeriodBand:
    """A treatment period shown above the therapy lanes, with its ARR."""

    start: date
    stop: date  # exclusive
    regimen: str
    relapses: int
    years: float
    arr: float | None

    @property
    def text(self) -> str:
        return "ARR –" if self.arr is None else f"ARR {self.arr:.2f}"


@dataclass
class TimelinePlan:
    """Everything the renderer needs, in data.

    ``panels`` lists the panels top to bottom; panels without data are absent.
    ``x_min``/``x_max`` is the shared time axis; ``record_end`` the last day
    in the record (where ongoing therapies are drawn to).
    """

    title: str
    x_min: date
    x_max: date
    record_start: date
    record_end: date
    panels: list[str]
    edss: list[Marker]
    lanes: list[Lane]
    relapses: list[Marker]
    mri: list[Marker]
    labs: list[LabSeries]
    periods: list[PeriodBand] = field(default_factory=list)
    axis: TimeAxis = field(default_factory=TimeAxis)
    callouts: list[tuple[date, str]] = field(default_factory=list)
    windowed: bool = False

    @property
    def relapse_days(self) -> list[date]:
        return [m.day for m in self.relapses]


def _fmt_number(v: float) -> str:
    return f"{v:g}"


def _dose_label(value: float, unit: str, detail: str) -> str:
    text = f"{_fmt_number(value)} {unit}".strip() if value == value else ""
    if detail:
        text = f"{text}, {detail}" if text else detail
    return text


def plan_timeline(
    table: EventTable, *, title: str = "", show_details: bool = True, arr: bool = False,
    cutoff: date | None = None, grace_days: int = 0, relative: str | None = None,
    unit: str | None = None, window: str | None = None, calendar_row: bool = True,
    anonymize: bool = False, annotate: list[str] | None = None,
    style: StyleSpec | None = None,
) -> TimelinePlan:
    """Turn one patient's events into a :class:`TimelinePlan`.

    Parameters
    ----------
    table : EventTable
        Validated events of a single patient.
    title : str
        Figure title.
    show_details : bool
        Put dose and detail text on long therapy bars.
    arr : bool
        Add a band above the therapy lanes with each treatment period's
        annualised relapse rate (rules in :mod:`nmo_timeline.periods`).
    cutoff, grace_days
        Passed to the period analysis when ``arr`` is set.
    relative : str, optional
        ``onset``, ``first-therapy``, a therapy name or a date: show time since it.
    unit : str, optional
        days, weeks, months or years (default: chosen from the span).
    window : str, optional
        ``FROM:TO`` (dates, or numbers in the relative unit) to zoom the time axis.
    calendar_row : bool
        Under relative time, add a row of calendar years.
    anonymize : bool
        Relative time only (onset unless ``relative`` says otherwise), no calendar
        row and no free-text details.
    annotate : list of str
        Callouts ``LABEL@DATE`` (date, or a number in the relative unit).
    style : StyleSpec, optional
        Lane order and labels, colours and panels from a style file.

    Raises
    ------
    NmoTimelineError
        If the table holds more than one patient or no events.
    """
    ev = table.events
    table.require_one_patient()
    if ev.empty:
        raise NmoTimelineError(f"{table.source}: no events to draw")

    rows = list(ev.itertuples(index=False))
    starts = [r.start.date() for r in rows]
    ends = [r.end.date() for r in rows if r.end == r.end]
    record_start = min(starts)
    record_end = max(starts + ends)
    span = max((record_end - record_start).days, 1)
    pad = timedelta(days=max(15, round(span * 0.03)))
    x_min = record_start - pad
    x_max = record_end + pad + timedelta(days=max(10, round(span * 0.02)))
    if anonymize:
        show_details = False
        relative = relative or "onset"
        calendar_row = False
    axis = TimeAxis()
    if relative is not None:
        if unit is not None and unit not in ("days", "weeks", "months", "years"):
            raise OptionError(f"--unit {unit}: use days, weeks, months or years")
        anchor, described = resolve_anchor(table, relative)
        axis = TimeAxis(anchor, unit or auto_unit(span), described, calendar_row)
    elif unit is not None:
        raise OptionError("--unit goes with --relative (calendar dates have no unit)")
    windowed = False
    if window:
        lo, hi = parse_window(window, axis)
        x_min = lo or x_min
        x_max = hi or x_max
        windowed = True
    callouts = [_callout(spec, axis) for spec in (annotate or [])]

    # therapy lanes, ordered by first use (ties: file order)
    lanes: dict[str, Lane] = {}
    palette = Palette()
    therapy_rows = sorted((r for r in rows if r.kind == "therapy"),
                          key=lambda r: (r.start, r.line))
    for r in therapy_rows:
        lane = lanes.get(r.name_key)
        if lane is None:
            acute = r.role == ACUTE
            colour = (style.colour_for(r.name) if style else None) or palette.colour(
                r.name, r.role)
            hatch = ACUTE_HATCH if acute else ""
            label = (style.label_for(r.name) if style else None) or r.name
            lane = Lane(label=label, key=r.name_key, role=r.role, colour=colour, hatch=hatch)
            lanes[r.name_key] = lane
        day = r.start.date()
        if r.ongoing:
            label = _dose_label(r.value, r.unit, r.detail) if show_details else ""
            lane.bars.append(Bar(day, record_end + timedelta(days=1), r.line, True, label))
        elif r.end == r.end:
            label = _dose_label(r.value, r.unit, r.detail) if show_details else ""
            lane.bars.append(Bar(day, r.end.date() + timedelta(days=1), r.line, False, label))
        else:
            lane.ticks.append(Tick(day, r.line))
    for lane in lanes.values():
        lane.note = _cumulative_note(lane, [r for r in therapy_rows if r.name_key == lane.key])
    lane_list = list(lanes.values())
    if style is not None and style.order:
        names = {lane.key: next(r.name for r in therapy_rows if r.name_key == lane.key)
                 for lane in lane_list}
        ranked = [(style.rank(names[lane.key]), i, lane) for i, lane in enumerate(lane_list)]
        lane_list = [lane for rank, i, lane in sorted(
            ranked, key=lambda x: (x[0] is None, x[0] if x[0] is not None else 0, x[1]))]

    edss = [Marker(r.start.date(), r.line, value=float(r.value))
            for r in sorted((r for r in rows if r.kind == "edss"), key=lambda r: (r.start, r.line))]

    relapses = []
    for r in sorted((r for r in rows if r.kind == "relapse"), key=lambda r: (r.start, r.line)):
        syn = syndrome_of(r.name)
        relapses.append(Marker(r.start.date(), r.line, shape=SYNDROMES[syn][1], group=syn,
                               label=r.name))

    mri = []
    for r in sorted((r for r in rows if r.kind == "mri"), key=lambda r: (r.start, r.line)):
        known = r.value == r.value
        active = known and r.value > 0
        mri.append(Marker(r.start.date(), r.line, shape="o", filled=active,
                          group="active" if active else ("quiet" if known else "unknown"),
                          label=r.name, value=float(r.value) if known else None))

    labs: dict[str, LabSeries] = {}
    for r in sorted((r for r in rows if r.kind == "lab"), key=lambda r: (r.start, r.line)):
        series = labs.setdefault(r.name_key, LabSeries(r.name, r.unit, []))
        series.points.append(Marker(r.start.date(), r.line, value=float(r.value)))
        series.top = max(series.top, float(r.value))

    bands: list[PeriodBand] = []
    if arr:
        from ..analysis.periods import patient_periods

        pp = patient_periods(table, table.patients[0], cutoff=cutoff, grace_days=grace_days)
        for p in pp.periods:
            stop = p.end + timedelta(days=1) if p.last else p.end
            bands.append(PeriodBand(p.start, stop, p.regimen, p.relapses, p.years, p.arr))

    if windowed:  # point events outside the window are not drawn (nor in the legend)
        relapses = [m for m in relapses if x_min <= m.day <= x_max]
        mri = [m for m in mri if x_min <= m.day <= x_max]

    panels = []
    if edss:
        panels.append(PANEL_EDSS)
    if bands:
        panels.append(PANEL_PERIODS)
    if lanes:
        panels.append(PANEL_THERAPY)
    if relapses:
        panels.append(PANEL_RELAPSE)
    if mri:
        panels.append(PANEL_MRI)
    panels.extend(f"{PANEL_LAB}:{k}" for k in labs)
    if style is not None and style.panels is not None:
        panels = [p for p in panels if p.split(":")[0] in style.panels]
        if not panels:
            raise OptionError("the style file's [panels] show leaves nothing to draw")

    return TimelinePlan(title, x_min, x_max, record_start, record_end, panels, edss,
                        lane_list, relapses, mri, list(labs.values()), bands,
                        axis, callouts, windowed)


def _callout(spec: str, axis: TimeAxis) -> tuple[date, str]:
    """``LABEL@DATE`` (or ``LABEL@NUMBER`` under relative time)."""
    from ..load.dates import DateError, parse_date

    label, sep, when = spec.rpartition("@")
    if not sep or not label.strip() or not when.strip():
        raise OptionError(f"--annotate '{spec}': use LABEL@DATE, e.g. 'IL-6 blockade@2010-10-04'")
    try:
        value = float(when)
    except ValueError:
        value = None
    if value is not None and axis.relative and len(when.strip()) != 4:
        return axis.to_date(value), label.strip()
    try:
        return parse_date(when.strip()).first, label.strip()
    except DateError as exc:
        raise OptionError(f"--annotate '{spec}': {exc}") from None


def _cumulative_note(lane: Lane, rows: list) -> str:
    """Cumulative mitoxantrone dose (a watched cardiotoxicity limit)."""
    info = lookup(lane.label)
    if info is None or info.key != "mitoxantrone":
        return ""
    units = {r.unit.replace(" ", "").casefold() for r in rows}
    if units != {"mg/m2"} and units != {"mg/m²"}:
        return ""
    if any(r.value != r.value or r.end == r.end or r.ongoing for r in rows):
        return ""
    total = sum(float(r.value) for r in rows)
    return f"cumulative {_fmt_number(total)} mg/m²"


def panel_heights(plan: TimelinePlan) -> list[float]:
    """Relative heights of the panels in ``plan.panels``."""
    out = []
    for p in plan.panels:
        if p == PANEL_EDSS:
            out.append(2.4)
        elif p == PANEL_THERAPY:
            out.append(0.62 * len(plan.lanes) + 0.2)
        elif p in (PANEL_RELAPSE, PANEL_MRI):
            out.append(0.62)
        elif p == PANEL_PERIODS:
            out.append(0.55)
        else:
            out.append(1.5)
    return out


def reveal(plan: TimelinePlan, until: date) -> TimelinePlan:
    """The same plan showing only what happened up to ``until`` (inclusive).

    The axis, lanes and panels stay, so frames of a talk line up; bars are cut
    at ``until``, and later ticks, markers, values and periods are left out.
    """
    from dataclasses import replace

    stop = until + timedelta(days=1)
    lanes = []
    for lane in plan.lanes:
        bars = [replace(b, stop=min(b.stop, stop), ongoing=b.ongoing and b.stop <= stop,
                        label=b.label if b.stop <= stop else "")
                for b in lane.bars if b.start <= until]
        ticks = [t for t in lane.ticks if t.day <= until]
        note = lane.note if ticks and len(ticks) == len(lane.ticks) else ""
        lanes.append(replace(lane, bars=bars, ticks=ticks, note=note))
    return replace(
        plan, lanes=lanes,
        edss=[m for m in plan.edss if m.day <= until],
        relapses=[m for m in plan.relapses if m.day <= until],
        mri=[m for m in plan.mri if m.day <= until],
        labs=[replace(series, points=[m for m in series.points if m.day <= until])
              for series in plan.labs],
        periods=[replace(p, stop=min(p.stop, stop)) for p in plan.periods if p.start <= until],
        callouts=[c for c in plan.callouts if c[0] <= until],
    )


def build_steps(table: EventTable) -> list[date]:
    """The last day of each maintenance-therapy period: one frame each for ``--build``."""
    from ..analysis.periods import UNTREATED, patient_periods

    pp = patient_periods(table, table.patients[0])
    steps = [p.end - timedelta(days=0 if p.last else 1)
             for p in pp.periods if p.regimen != UNTREATED]
    return steps or [pp.cutoff]
