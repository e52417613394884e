"""Calendar helpers for the demo: whole months between dates, instants on a given day."""

from __future__ import annotations

import datetime as dt
import random

from gateway.domain.dates import add_months


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole months from ``earlier`` to ``later`` (0 when ``later`` comes first)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if add_months(earlier, months) > later:
        months -= 1
    return max(months, 0)


def office_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    """An aware UTC instant during the working day of ``day``."""
    seconds = rng.randrange(7 * 3600, 18 * 3600)
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(seconds=seconds)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def weekday_on_or_before(day: dt.date) -> dt.date:
    """Releases ship on working days."""
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day
