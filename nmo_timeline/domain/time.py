"""Units of time: a year is 365.25 days (README, "How periods and relapse rates are computed")."""

from __future__ import annotations

DAYS_PER_YEAR = 365.25
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": DAYS_PER_YEAR / 12, "years": DAYS_PER_YEAR}
