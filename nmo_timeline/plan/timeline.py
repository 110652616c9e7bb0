"""The timeline plan: pure functions from an event table to what the figure shows.

No matplotlib here.  The plan decides what is drawn and how it is labelled
(panels top to bottom, lanes, bars, ticks, markers and their shapes, legend
entries, the time axis); :mod:`nmo_timeline.draw.timeline` only turns it into
artists, with colours from the theme.  Dates stay :class:`datetime.date`; a
therapy episode covers whole days, so a bar runs from its first day to the day
after its last.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..domain.colours import Palette
from ..domain.registry import ACUTE, MAINTENANCE, Registry
from ..domain.syndromes import SYNDROMES, syndrome_of
from ..errors import NmoTimelineError, OptionError
from .options import FigureOptions
from .timeaxis import TimeAxis, auto_unit, axis_number, parse_window, resolve_anchor

if TYPE_CHECKING:
    from ..load import EventTable

# marker shape per relapse syndrome (shapes, not only colour, tell them apart)
SYNDROME_MARKERS = {"ON": "o", "TM": "s", "APS": "D", "brainstem": "^", "diencephalic": "h",
                    "cerebral": "v", "other": "P", "unspecified": "X"}
OTHER_NAMES_SHOWN = 3  # free-text relapse names listed in the legend's "Other" entry
MRI_LABELS = {"active": "MRI active", "quiet": "MRI quiet", "unknown": "MRI, activity n/a"}


class Panel(str, Enum):
    """The kinds of panel, in their order from top to bottom."""

    edss = "edss"
    periods = "periods"
    therapy = "therapy"
    relapse = "relapse"
    mri = "mri"
    lab = "lab"


@dataclass(frozen=True)
class PanelKey:
    """One panel of the figure: its kind and, for a lab panel, the analyte's key."""

    kind: Panel
    lab: str = ""

    @property
    def name(self) -> str:
        """``edss``, ``therapy``, ..., ``lab:csf il-6``."""
        return f"{self.kind.value}:{self.lab}" if self.lab else self.kind.value

    @property
    def gid(self) -> str:
        """The axes' gid in the figure (``panel:therapy``, ``panel:lab:csf il-6``)."""
        return f"panel:{self.name}"


@dataclass(frozen=True)
class Bar:
    """A therapy episode: from ``start`` (inclusive) to ``stop`` (exclusive).

    ``labels``: what to write on the bar, longest first (dose and detail, dose alone):
    the renderer writes the first that fits.
    """

    start: date
    stop: date
    line: int
    ongoing: bool = False
    labels: tuple[str, ...] = ()
    acute: bool = False


@dataclass(frozen=True)
class Tick:
    """A single administration on one day."""

    day: date
    line: int
    acute: bool = False


@dataclass
class Lane:
    """One therapy lane: every row with the same therapy name.

    ``colour`` is the therapy's colour (registry family, style file, or the next
    free colour); the theme decides how it is painted (greys and hatches in print).
    """

    label: str
    key: str
    role: str
    colour: str
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    note: str = ""
    shown: bool = True  # False in a build frame before it starts: its room, no name

    @property
    def acute(self) -> bool:
        """Every row of the lane is an acute treatment (its label is set in italics)."""
        rows = [b.acute for b in self.bars] + [t.acute for t in self.ticks]
        return all(rows) if rows else self.role == ACUTE


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
    until: date | None = None  # a date known to the month or year only: its last day


@dataclass
class LabSeries:
    """One analyte's measurements.

    ``scale``: ``linear``; ``titre`` (a dilution, unit ``1:x`` or a name with titre/titer:
    a log2 axis labelled ``1:320``); or ``log`` (positive values spanning two decades or
    more).  ``top`` and ``bottom``: the largest and smallest positive value in the whole
    record, so the axis stays put across ``--build`` frames.
    """

    key: str
    name: str
    unit: str
    points: list[Marker]
    top: float = 0.0
    bottom: float = 0.0
    scale: str = "linear"
    lowest: float = 0.0  # the smallest value in the whole record (the axis' base)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    def text(self, value: float) -> str:
        """A value as written on the figure (``1:320`` for titres)."""
        if self.scale == "titre":
            return f"1:{value:g}" if value > 0 else "neg."
        return f"{value:g}"


_TITRE_UNIT = re.compile(r"^\s*1\s*:\s*[xn]?\s*$", re.IGNORECASE)
_TITRE_NAME = re.compile(r"\b(titre|titer|titres|titers|titel)\b", re.IGNORECASE)


def lab_scale(name: str, unit: str, values: list[float]) -> str:
    """``titre``, ``log`` or ``linear`` for an analyte (see :class:`LabSeries`)."""
    if _TITRE_UNIT.match(unit) or _TITRE_NAME.search(name) or _TITRE_NAME.search(unit):
        return "titre"
    positive = [v for v in values if v > 0]
    if positive and len(positive) == len(values) and max(positive) >= 100 * min(positive):
        return "log"
    return "linear"


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

    @property
    def texts(self) -> tuple[str, ...]:
        """The label, longest first: the renderer writes the first that fits."""
        number = "–" if self.arr is None else f"{self.arr:.2f}"
        return f"{self.regimen}: {self.text}", self.text, number


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry: a marker shape (``filled`` or open), or a patch (no marker)."""

    key: str  # acute, relapse:<syndrome>, mri:<group>
    label: str
    marker: str = ""
    filled: bool = True


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
    panels: list[PanelKey]
    edss: list[Marker]
    lanes: list[Lane]
    relapses: list[Marker]
    mri: list[Marker]
    labs: list[LabSeries]
    periods: list[PeriodBand] = field(default_factory=list)
    axis: TimeAxis = field(default_factory=TimeAxis)
    callouts: list[tuple[date, str]] = field(default_factory=list)
    windowed: bool = False
    whole: TimelinePlan | None = None  # a build frame: the whole record's plan (layout, legend)

    @property
    def relapse_days(self) -> list[date]:
        return [m.day for m in self.relapses]

    @property
    def legend(self) -> list[LegendEntry]:
        """Entries for what the panels shown draw: acute treatment, the relapse shapes
        present, the kinds of MRI scan."""
        if self.whole is not None:  # a build frame keeps the whole record's legend
            return self.whole.legend
        shown = {key.kind for key in self.panels}
        entries = []
        if Panel.therapy in shown and (any(b.acute for ln in self.lanes for b in ln.bars)
                                       or any(t.acute for ln in self.lanes for t in ln.ticks)):
            entries.append(LegendEntry("acute", "acute treatment"))
        present = {m.group for m in self.relapses} if Panel.relapse in shown else set()
        entries += [LegendEntry(f"relapse:{s}", self._syndrome_label(s), SYNDROME_MARKERS[s])
                    for s in SYNDROMES if s in present]
        groups = {m.group for m in self.mri} if Panel.mri in shown else set()
        entries += [LegendEntry(f"mri:{g}", label, "o", filled=g != "quiet")
                    for g, label in MRI_LABELS.items() if g in groups]
        marked = [m for m in self.relapses if Panel.relapse in shown] + [
            m for m in self.mri if Panel.mri in shown]
        if any(m.until is not None for m in marked):
            entries.append(LegendEntry("partial", "date known to the month or year", "|"))
        return entries

    def _syndrome_label(self, syndrome: str) -> str:
        """The legend label; "Other" lists the names written (``Other: ADEM, FLAMES``)."""
        if syndrome != "other":
            return SYNDROMES[syndrome]
        names = list(dict.fromkeys(m.label for m in self.relapses if m.group == "other"))
        shown = ", ".join(names[:OTHER_NAMES_SHOWN])
        more = f" +{len(names) - OTHER_NAMES_SHOWN}" if len(names) > OTHER_NAMES_SHOWN else ""
        return f"Other: {shown}{more}"

    def lab(self, key: str) -> LabSeries:
        return next(s for s in self.labs if s.key == key)

    @property
    def compact_labs(self) -> bool:
        """Beyond three analytes, lab panels are compact strips (no value labels)."""
        return len(self.labs) > 3


def _known_until(row: Any) -> date | None:
    """The last day a date known to the month or year only may be (``None``: a full date).
    The event is placed on the first day, as every count is (README, "Dates")."""
    first = row.start.date()
    if row.start_precision == "year":
        return date(first.year, 12, 31)
    if row.start_precision == "month":
        return date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    return None


def _bar_labels(value: float, unit: str, detail: str, details: bool) -> tuple[str, ...]:
    """Dose and detail, then the dose alone (longest first); details only if shown."""
    dose = f"{value:g} {unit}".strip() if value == value else ""
    detail = detail if details else ""
    if dose and detail:
        return (f"{dose}, {detail}", dose)
    return tuple(t for t in (dose or detail,) if t)


def plan_timeline(table: EventTable, options: FigureOptions | None = None,
                  **changes: Any) -> TimelinePlan:
    """Turn one patient's events into a :class:`TimelinePlan`.

    Parameters
    ----------
    table : EventTable
        Validated events of a single patient.
    options : FigureOptions, optional
        How to draw (title, time axis, ARR band, style...); the defaults otherwise.
    **changes
        Single options by name, on top of ``options`` (``title="Case 1"``).

    Raises
    ------
    NmoTimelineError
        If the table holds more than one patient or no events.
    """
    opt = FigureOptions.of(options, **changes)
    table.require_one_patient()
    if opt.anonymize:  # dates can hide in names, units and details too
        from ..load.anonymize import scrub_dates

        table = scrub_dates(table)
    ev = table.events
    if ev.empty:
        raise NmoTimelineError(f"{table.source}: no events to draw")

    rows = list(ev.itertuples(index=False))
    starts = [r.start.date() for r in rows]
    ends = [r.end.date() for r in rows if r.end == r.end]
    record_start = min(starts)
    record_end = max(starts + ends)
    span = max((record_end - record_start).days, 1)
    pad = timedelta(days=max(1, round(span * 0.03)))
    x_min, x_max = record_start - pad, record_end + pad + timedelta(days=round(span * 0.02) or 1)
    show_details, relative, calendar_row = opt.show_details, opt.relative, opt.calendar_row
    if opt.anonymize:  # free text may identify; doses are what the figure is for
        show_details = False
        relative = relative or "onset"
        calendar_row = False
    axis = TimeAxis()
    if relative is not None:
        if opt.unit is not None and opt.unit not in ("days", "weeks", "months", "years"):
            raise OptionError(f"--unit {opt.unit}: use days, weeks, months or years")
        anchor, described = resolve_anchor(table, relative)
        axis = TimeAxis(anchor, opt.unit or auto_unit(span), described, calendar_row)
    elif opt.unit is not None:
        raise OptionError("--unit goes with --relative (calendar dates have no unit)")
    windowed = bool(opt.window)
    if opt.window:  # an open side is padded as the window's own span asks, not the record's
        lo, hi = parse_window(opt.window, axis, (record_start, record_end))
        seen = max(((hi or record_end) - (lo or record_start)).days, 1)
        x_min = lo or record_start - timedelta(days=max(1, round(seen * 0.03)))
        x_max = hi or record_end + timedelta(days=max(1, round(seen * 0.05)))
    callouts = [_callout(spec, axis) for spec in opt.annotate]

    style = opt.style
    registry = table.registry
    if style is not None and style.therapies:  # the style's names, for colours and labels
        registry = registry.extended(style.therapies, source=style.source)
    lanes: dict[str, Lane] = {}  # ordered by first use (ties: file order)
    palette = Palette(registry)
    therapy_rows = sorted((r for r in rows if r.kind == "therapy"),
                          key=lambda r: (r.start, r.line))
    kept = {r.name_key for r in therapy_rows if r.role == MAINTENANCE}  # maintenance colour
    for r in therapy_rows:
        lane = lanes.get(r.name_key)
        if lane is None:
            colour = (style.colour_for(r.name, registry) if style else None) or palette.colour(
                r.name, MAINTENANCE if r.name_key in kept else r.role)
            label = (style.label_for(r.name) if style else None) or r.name
            lane = lanes[r.name_key] = Lane(label=label, key=r.name_key, role=r.role,
                                            colour=colour)
        day, acute = r.start.date(), r.role == ACUTE
        labels = _bar_labels(r.value, r.unit, r.detail, show_details)
        if r.ongoing:
            lane.bars.append(Bar(day, record_end + timedelta(days=1), r.line, True, labels,
                                 acute))
        elif r.end == r.end:
            lane.bars.append(Bar(day, r.end.date() + timedelta(days=1), r.line, False, labels,
                                 acute))
        else:
            lane.ticks.append(Tick(day, r.line, acute))
    for lane in lanes.values():
        lane.note = _cumulative_note(lane, [r for r in therapy_rows if r.name_key == lane.key],
                                     registry)
    lane_list = list(lanes.values())
    if style is not None and style.order:
        names = {lane.key: next(r.name for r in therapy_rows if r.name_key == lane.key)
                 for lane in lane_list}
        ranked = [(style.rank(names[lane.key], registry), i, lane)
                  for i, lane in enumerate(lane_list)]
        lane_list = [lane for rank, i, lane in sorted(
            ranked, key=lambda x: (x[0] is None, x[0] if x[0] is not None else 0, x[1]))]

    def of_kind(kind: str) -> list[Any]:
        return sorted((r for r in rows if r.kind == kind), key=lambda r: (r.start, r.line))

    edss = [Marker(r.start.date(), r.line, value=float(r.value)) for r in of_kind("edss")]
    relapses = []
    for r in of_kind("relapse"):
        syn = syndrome_of(r.name)
        relapses.append(Marker(r.start.date(), r.line, shape=SYNDROME_MARKERS[syn], group=syn,
                               label=r.name, until=_known_until(r)))
    mri = []
    for r in of_kind("mri"):
        known = r.value == r.value
        active = known and r.value > 0
        mri.append(Marker(r.start.date(), r.line, shape="o", filled=active,
                          group="active" if active else ("quiet" if known else "unknown"),
                          label=r.name, value=float(r.value) if known else None,
                          until=_known_until(r)))
    labs: dict[str, LabSeries] = {}
    for r in of_kind("lab"):
        series = labs.setdefault(r.name_key, LabSeries(r.name_key, r.name, r.unit, []))
        series.points.append(Marker(r.start.date(), r.line, value=float(r.value)))
    for series in labs.values():
        values = [float(m.value or 0.0) for m in series.points]
        series.top = max(values)
        series.bottom, series.lowest = min((v for v in values if v > 0), default=0.0), min(values)
        series.scale = lab_scale(series.name, series.unit, values)

    bands: list[PeriodBand] = []
    if opt.arr:
        from ..analysis.periods import patient_periods

        pp = patient_periods(table, table.patients[0], cutoff=opt.cutoff,
                             grace_days=opt.grace_days, min_period_days=opt.min_period_days,
                             max_gap_days=opt.max_gap_days)
        for p in pp.periods:
            stop = p.end + timedelta(days=1) if p.last else p.end
            bands.append(PeriodBand(p.start, stop, p.regimen, p.relapses, p.years, p.arr))

    if windowed:  # what lies outside the window is not drawn (nor in the legend)
        relapses = [m for m in relapses if x_min <= m.day <= x_max]
        mri = [m for m in mri if x_min <= m.day <= x_max]
        lane_list = [lane for lane in lane_list
                     if any(b.start <= x_max and b.stop > x_min for b in lane.bars)
                     or any(x_min <= t.day <= x_max for t in lane.ticks)]
        labs = {k: s for k, s in labs.items() if any(x_min <= m.day <= x_max for m in s.points)}
        if not any(m.day <= x_max for m in edss):  # the step line carries earlier values on
            edss = []

    present = {Panel.edss: bool(edss), Panel.periods: bool(bands), Panel.therapy: bool(lane_list),
               Panel.relapse: bool(relapses), Panel.mri: bool(mri)}
    panels = [PanelKey(kind) for kind, shown in present.items() if shown]
    panels += [PanelKey(Panel.lab, key) for key in labs]
    if style is not None and style.panels is not None:
        panels = [p for p in panels if p.kind.value in style.panels]
        if not panels:
            raise OptionError("the style file's [panels] show leaves nothing to draw")

    return TimelinePlan(opt.title, x_min, x_max, record_start, record_end, panels, edss,
                        lane_list, relapses, mri, list(labs.values()), bands,
                        axis, callouts, windowed)


def _callout(spec: str, axis: TimeAxis) -> tuple[date, str]:
    """``LABEL@DATE`` (or ``LABEL@NUMBER`` under relative time)."""
    from ..load.dates import DateError, parse_date

    label, sep, when = spec.rpartition("@")
    if not sep or not label.strip() or not when.strip():
        raise OptionError(f"--annotate '{spec}': use LABEL@DATE, e.g. 'IL-6 blockade@2010-10-04'")
    value = axis_number(when, axis, f"--annotate '{spec}'")
    if value is not None:
        return axis.to_date(value), label.strip()
    try:
        return parse_date(when.strip()).first, label.strip()
    except DateError as exc:
        raise OptionError(f"--annotate '{spec}': {exc}") from None


def _cumulative_note(lane: Lane, rows: list[Any], registry: Registry) -> str:
    """Cumulative mitoxantrone dose (a watched cardiotoxicity limit)."""
    info = registry.lookup(lane.label)
    if info is None or info.key != "mitoxantrone":
        return ""
    units = {r.unit.replace(" ", "").casefold() for r in rows}
    if units != {"mg/m2"} and units != {"mg/m²"}:
        return ""
    if any(r.value != r.value or r.end == r.end or r.ongoing for r in rows):
        return ""
    total = sum(float(r.value) for r in rows)
    return f"cumulative {total:g} mg/m²"


def panel_heights(plan: TimelinePlan) -> list[float]:
    """Relative heights of the panels in ``plan.panels``."""
    out = []
    for p in plan.panels:
        if p.kind is Panel.edss:
            out.append(2.4)
        elif p.kind is Panel.therapy:
            out.append(0.62 * len(plan.lanes) + 0.2)
        elif p.kind in (Panel.relapse, Panel.mri):
            out.append(0.62)
        elif p.kind is Panel.periods:
            out.append(0.55)
        else:
            out.append(1.5)
    return out
