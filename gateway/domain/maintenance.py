"""Software maintenance periods: new, upgrade, renewal, the 3-year limit, co-terming (R-MAINT-*).

Periods are half-open (start, end): ``end`` is the first day without maintenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from gateway.domain.dates import add_months
from gateway.domain.enums import Deployment
from gateway.domain.errors import DomainError, ErrorCode

MAINTENANCE_BLOCK_MONTHS = 12  # R-MAINT-1
MAX_MAINTENANCE_YEARS_AHEAD = 3  # R-MAINT-5, server licenses
CLOUD_RENEWAL_YEARS = 1  # R-MAINT-5: Cloud renews 12 months at a time
MIN_RENEWAL_YEARS = 1
MAX_RENEWAL_YEARS = 3


def _blocks(start: date, years: int) -> tuple[date, date]:
    return start, add_months(start, MAINTENANCE_BLOCK_MONTHS * years)


def maintenance_for_new(paid_on: date) -> tuple[date, date]:
    """R-MAINT-2: a new license's 12 months start on the payment confirmation date."""
    return _blocks(paid_on, 1)


def maintenance_for_upgrade(paid_on: date) -> tuple[date, date]:
    """R-MAINT-3: 12 months from payment; replaces what was left, with no credit for it."""
    return _blocks(paid_on, 1)


def check_renewal_years(years: int) -> None:
    if not MIN_RENEWAL_YEARS <= years <= MAX_RENEWAL_YEARS:
        raise DomainError(
            ErrorCode.INVALID,
            f"A renewal is {MIN_RENEWAL_YEARS} to {MAX_RENEWAL_YEARS} years of maintenance",
            field=("years",),
        )


def maintenance_for_renewal(previous_end: date, years: int) -> tuple[date, date]:
    """R-MAINT-4: starts on the previous period's expiry date, whenever the renewal is bought.

    A lapsed license therefore renews from its old expiry date, not from the purchase date.
    """
    check_renewal_years(years)
    return _blocks(previous_end, years)


def maintenance_limit(today: date) -> date:
    """R-MAINT-5: the latest end a server license's maintenance may reach (3 years ahead)."""
    return add_months(today, MAINTENANCE_BLOCK_MONTHS * MAX_MAINTENANCE_YEARS_AHEAD)


def check_maintenance_limit(
    *, deployment: Deployment, new_end: date, today: date, years: int
) -> None:
    """R-MAINT-5: at most 3 years of maintenance beyond today (server); Cloud 12 months only."""
    if deployment == Deployment.CLOUD:
        if years != CLOUD_RENEWAL_YEARS:
            raise DomainError(
                ErrorCode.MAINTENANCE_LIMIT,
                "Cloud subscriptions renew 12 months at a time",
                field=("years",),
            )
        return
    limit = maintenance_limit(today)
    if new_end > limit:
        raise DomainError(
            ErrorCode.MAINTENANCE_LIMIT,
            f"A server license can hold at most {MAX_MAINTENANCE_YEARS_AHEAD} years of "
            f"maintenance beyond today; this renewal would end on {new_end.isoformat()}, "
            f"after {limit.isoformat()}",
            field=("years",),
        )


def renewal_years_allowed(
    *, deployment: Deployment, previous_end: date, today: date
) -> tuple[int, ...]:
    """The renewal lengths (in years) R-MAINT-4 and R-MAINT-5 allow today, shortest first."""
    if deployment == Deployment.CLOUD:
        return (CLOUD_RENEWAL_YEARS,)
    limit = maintenance_limit(today)
    return tuple(
        years
        for years in range(MIN_RENEWAL_YEARS, MAX_RENEWAL_YEARS + 1)
        if maintenance_for_renewal(previous_end, years)[1] <= limit
    )


def co_term_requires_sales_review(sync_with_sens: Sequence[str] | None) -> bool:
    """R-MAINT-6: a maintenance synchronisation request flags the quote for sales review."""
    return bool(sync_with_sens)


def maintenance_for_paid_renewal(
    *,
    deployment: Deployment,
    previous_end: date | None,
    years: int,
    paid_on: date,
    today: date,
) -> tuple[date, date]:
    """A renewal at payment time: R-MAINT-4 from the license's end *now* (another renewal may
    have been paid since the quote), R-MAINT-5 checked again. Without a previous period (never
    maintained) the renewal starts on the payment date."""
    start = previous_end if previous_end is not None else paid_on
    period = maintenance_for_renewal(start, years)
    check_maintenance_limit(deployment=deployment, new_end=period[1], today=today, years=years)
    return period


def start_after_renewal(current_start: date | None, renewal_start: date) -> date:
    """A renewal continues the maintenance the license holds (R-MAINT-4), so the license keeps
    showing when its current coverage began; only a license without one starts anew."""
    return current_start if current_start is not None else renewal_start


def cloud_term_after_late_charge(previous_end: date | None, today: date) -> tuple[date, date]:
    """R-ACC-6 with R-MAINT-4/5: charging a past-due subscription pays its next 12-month term,
    which starts where the unpaid one ended (today when no term is on record)."""
    return maintenance_for_renewal(previous_end or today, CLOUD_RENEWAL_YEARS)
