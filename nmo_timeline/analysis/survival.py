"""Time to first relapse: the Kaplan-Meier estimate, and one curve per regimen.

* :func:`kaplan_meier` -- survival curve, step table and median of one group of subjects.
* :func:`time_to_first_relapse` -- one Kaplan-Meier curve per regimen from the treatment
  periods (README, "Statistics").

Importing this module imports nothing heavy; :func:`kaplan_meier` needs no library at all
(see its docstring), so ``summary`` reports the curves without importing ``scipy.stats``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .cohort import Groups, by_regimen
from .inputs import StatsError, check_same_length, check_years

if TYPE_CHECKING:
    from ..load import EventTable
    from .periods import PatientPeriods

__all__ = ["KaplanMeier", "RegimenSurvival", "kaplan_meier", "relapse_dates",
           "time_to_first_relapse"]

#: The time point of the survival figure reported in ``summary`` (one year, in days).
ONE_YEAR_DAYS = 365

@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan-Meier estimate of time to first relapse (one regimen).

    The step table has one row per distinct observed time (event or censoring), in days,
    ascending: ``survival[i]`` is S(t) just after ``times[i]``; ``at_risk[i]`` the number
    still observed just before it (duration >= t); ``events[i]`` and ``censored[i]`` the
    relapses and censorings at it.  Before the first time S = 1.  A censoring at the same
    day as a relapse counts as at risk for that relapse (the usual convention).
    """

    n: int
    n_events: int
    times: tuple[float, ...]
    survival: tuple[float, ...]
    at_risk: tuple[int, ...]
    events: tuple[int, ...]
    censored: tuple[int, ...]
    median: float | None
    method: str = "Kaplan-Meier product-limit: S(t) = product of (1 - d_i / n_i), t_i <= t"

    def survival_at(self, days: float) -> float | None:
        """S(days): the share still free of relapse after ``days``.

        ``None`` beyond the longest follow-up (the curve is not estimated there), unless
        survival had already reached 0.

        Examples
        --------
        >>> km = kaplan_meier([100, 200, 400], [True, False, False])
        >>> round(km.survival_at(365), 4), km.survival_at(50), km.survival_at(500)
        (0.6667, 1.0, None)
        """
        i = bisect_right(self.times, days)
        if i == 0:
            return 1.0
        if days > self.times[-1] and self.survival[-1] > 0.0:
            return None
        return self.survival[i - 1]

    def at_risk_at(self, days: float) -> int:
        """Number at risk at ``days`` (still observed, relapse-free: duration >= days).

        This is the "numbers at risk" row printed under a Kaplan-Meier figure.

        Examples
        --------
        >>> kaplan_meier([100, 200, 400], [True, False, False]).at_risk_at(200)
        2
        """
        i = bisect_left(self.times, days)
        return sum(self.events[i:]) + sum(self.censored[i:])


def kaplan_meier(durations_days: Sequence[float], events: Sequence[bool]) -> KaplanMeier:
    """Kaplan-Meier survival for time to first relapse on one regimen.

    Each subject contributes its time from the start of the period to the first relapse
    (``events[i]`` true) or to the end of the period, where it is censored (false).  One
    subject per patient is the usual analysis; the caller chooses.

    The survival just after each distinct time ``t_i`` is the product-limit estimate
    ``S(t_i) = prod_{j <= i} (1 - d_j / n_j)`` (``d_j`` relapses among the ``n_j`` still at
    risk), computed from the counts as a running product.  That is arithmetic on counts, not
    a distribution, and it is what ``scipy.stats.ecdf`` on
    ``scipy.stats.CensoredData.right_censored`` computes (``np.cumprod(1 - d / n)``); writing
    it out keeps ``scipy.stats`` (about 0.5 s to import) out of ``summary``.  The tests check
    it against ``scipy.stats.ecdf`` and statsmodels' ``SurvfuncRight`` to 1e-12.  The
    median is the first time at which S(t) <= 0.5 (the textbook rule, and statsmodels'),
    ``None`` if the curve never gets there; where S is exactly 0.5 over a stretch, R's
    survival package reports the stretch's midpoint instead.

    Parameters
    ----------
    durations_days : sequence of float
        Days from the start of the period to the relapse or censoring, 0 or more.
    events : sequence of bool
        True for a relapse, False for censoring.

    Returns
    -------
    KaplanMeier

    Raises
    ------
    StatsError
        No subjects, lengths differ, or a duration negative or not finite.

    Examples
    --------
    >>> km = kaplan_meier([2, 3, 3, 5, 8, 8], [True, True, False, True, False, True])
    >>> km.times, km.at_risk, km.events, km.censored
    ((2.0, 3.0, 5.0, 8.0), (6, 5, 3, 2), (1, 1, 1, 1), (0, 1, 0, 1))
    >>> [round(s, 4) for s in km.survival], km.median
    ([0.8333, 0.6667, 0.4444, 0.2222], 5.0)
    """
    n = check_same_length(durations_days=durations_days, events=events)
    if n == 0:
        raise StatsError("Kaplan-Meier needs at least one subject")
    durations = [check_years(d, "duration", allow_zero=True, unit="days") for d in durations_days]
    flags = [bool(e) for e in events]

    ev_at: dict[float, int] = {}
    cens_at: dict[float, int] = {}
    for d, e in zip(durations, flags, strict=True):
        bucket = ev_at if e else cens_at
        bucket[d] = bucket.get(d, 0) + 1
    times = sorted(set(durations))
    n_ev = [ev_at.get(t, 0) for t in times]
    n_cens = [cens_at.get(t, 0) for t in times]
    at_risk = []
    remaining = n
    for n_e, n_c in zip(n_ev, n_cens, strict=True):
        at_risk.append(remaining)
        remaining -= n_e + n_c

    survival = []
    s_t = 1.0
    for n_r, n_e in zip(at_risk, n_ev, strict=True):
        if n_e:
            s_t *= 1.0 - n_e / n_r
        survival.append(s_t)

    median = next((t for t, s in zip(times, survival, strict=True) if s <= 0.5), None)
    return KaplanMeier(n=n, n_events=sum(n_ev), times=tuple(float(t) for t in times),
                       survival=tuple(survival), at_risk=tuple(at_risk), events=tuple(n_ev),
                       censored=tuple(n_cens), median=median)


@dataclass(frozen=True)
class RegimenSurvival:
    """Time to first relapse on one regimen: one subject per patient who had it."""

    regimen: str
    km: KaplanMeier

    @property
    def patients(self) -> int:
        return self.km.n

    @property
    def events(self) -> int:
        return self.km.n_events

    @property
    def median_days(self) -> float | None:
        """Median days to the first relapse; ``None`` if the curve stays above 0.5."""
        return self.km.median

    @property
    def survival_365(self) -> float | None:
        """Share free of relapse one year after the start; ``None`` if no patient was
        followed that long on the regimen (and the curve had not reached 0)."""
        return self.km.survival_at(ONE_YEAR_DAYS)


def relapse_dates(table: EventTable) -> dict[int, date]:
    """The onset date of every relapse, by the line it was read from.

    A period knows its relapses by line (:attr:`~.periods.Period.relapse_lines`); this
    gives their dates.
    """
    ev = table.events
    rel = ev[ev["kind"] == "relapse"]
    days = rel["start"].to_numpy(dtype="datetime64[D]").astype(object)
    return dict(zip(rel["line"].tolist(), days.tolist(), strict=True))


def time_to_first_relapse(
    patients: list[PatientPeriods], dates: Mapping[int, date], *, groups: Groups | None = None
) -> list[RegimenSurvival]:
    """One Kaplan-Meier curve of time to first relapse per regimen.

    Each patient who had a regimen contributes one subject: from the start of the
    patient's first period on it to the first relapse counted in that period (so
    ``--grace-days`` applies as for the relapse rates), or censored at the period's end
    (the next regimen's start, or the cut-off).  Later periods on the same regimen are not
    used: they are not independent of the first.  Regimens are in the order of the cohort
    table.

    Parameters
    ----------
    patients : list of PatientPeriods
        Every patient's periods.
    dates : mapping of int to date
        Relapse onset dates by line (:func:`relapse_dates`).
    groups : dict, optional
        ``by_regimen(patients)``, if the caller has it already.

    Returns
    -------
    list of RegimenSurvival

    Examples
    --------
    >>> from nmo_timeline import bundled_events_path, load_events
    >>> from nmo_timeline.analysis.periods import all_patient_periods
    >>> table = load_events(bundled_events_path())
    >>> curves = time_to_first_relapse(all_patient_periods(table), relapse_dates(table))
    >>> [(c.regimen, c.events, c.median_days) for c in curves][:2]
    [('untreated', 1, 0.0), ('Mitoxantrone', 1, 216.0)]
    """
    out = []
    for regimen, by_patient in (groups if groups is not None else by_regimen(patients)).items():
        durations: list[float] = []
        flags: list[bool] = []
        for periods in by_patient.values():
            first = periods[0]
            onsets = [dates[line] for line in first.relapse_lines]
            if onsets:
                durations.append(float((min(onsets) - first.start).days))
                flags.append(True)
            else:
                durations.append(float(first.days))
                flags.append(False)
        out.append(RegimenSurvival(regimen, kaplan_meier(durations, flags)))
    return out
