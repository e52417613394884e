from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.dates import add_months

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31))
MONTHS = st.integers(min_value=-1200, max_value=1200)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # into a leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # 29 February, one year on
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),  # across the year end
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 8, 31), 36, date(2027, 8, 31)),
    ],
)
def test_r_maint_1_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_add_months_outside_the_calendar_raises_overflow() -> None:
    with pytest.raises(OverflowError):
        add_months(date(9999, 12, 31), 1)
    with pytest.raises(OverflowError):
        add_months(date(1, 1, 1), -1)


@given(DAYS, MONTHS)
def test_r_maint_1_add_months_never_overshoots_the_target_month(day: date, months: int) -> None:
    result = add_months(day, months)  # never raises inside the calendar
    target = day.year * 12 + day.month - 1 + months
    assert (result.year, result.month - 1) == divmod(target, 12)
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last_day)


@given(DAYS, MONTHS)
def test_add_months_round_trips_when_no_clamping_happened(day: date, months: int) -> None:
    result = add_months(day, months)
    if result.day == day.day:
        assert add_months(result, -months) == day


@given(DAYS, DAYS, st.integers(min_value=0, max_value=120))
def test_add_months_is_monotone(a: date, b: date, months: int) -> None:
    early, late = sorted((a, b))
    assert add_months(early, months) <= add_months(late, months)
