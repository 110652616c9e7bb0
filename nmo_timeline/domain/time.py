"""Units of time and the default lengths of the period rules (README, "How periods and relapse
rates are computed"): a year is 365.25 days."""

from __future__ import annotations

DAYS_PER_YEAR = 365.25
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": DAYS_PER_YEAR / 12, "years": DAYS_PER_YEAR}
MIN_PERIOD_DAYS = 30  # shorter periods report no ARR and stay out of the cohort statistics
MAX_GAP_DAYS = 30  # untreated gaps up to this long between two therapies are a switch
