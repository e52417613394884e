"""Calendar arithmetic for maintenance periods, subscriptions and version support.

Periods are half-open: an end date is the first day *without* the thing (the expiry date).
"""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the target month's last day.

    2024-01-31 + 1 → 2024-02-29; 2024-02-29 + 12 → 2025-02-28. ``months`` may be negative.
    Raises ``OverflowError`` only when the result falls outside years 1 to 9999.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    if not date.min.year <= year <= date.max.year:
        raise OverflowError(f"{day.isoformat()} + {months} months is out of range")
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))
