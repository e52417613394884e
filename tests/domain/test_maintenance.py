from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.dates import add_months
from gateway.domain.enums import Deployment, LicenseStatus, LicenseType
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import license_status
from gateway.domain.maintenance import (
    MAINTENANCE_BLOCK_MONTHS,
    MAX_MAINTENANCE_YEARS_AHEAD,
    check_maintenance_limit,
    cloud_term_after_late_charge,
    co_term_requires_sales_review,
    maintenance_for_new,
    maintenance_for_paid_renewal,
    maintenance_for_renewal,
    maintenance_for_upgrade,
    renewal_years_allowed,
    start_after_renewal,
)

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31))
YEARS = st.integers(min_value=1, max_value=3)
SERVER_LIKE = (Deployment.SERVER, Deployment.DATA_CENTER)


def test_r_maint_1_maintenance_comes_in_12_month_blocks() -> None:
    assert MAINTENANCE_BLOCK_MONTHS == 12
    assert maintenance_for_renewal(date(2025, 3, 1), 2) == (date(2025, 3, 1), date(2027, 3, 1))


def test_r_maint_2_new_license_starts_on_payment_confirmation() -> None:
    assert maintenance_for_new(date(2024, 5, 10)) == (date(2024, 5, 10), date(2025, 5, 10))


def test_r_maint_2_new_license_paid_on_29_february_ends_28_february() -> None:
    assert maintenance_for_new(date(2024, 2, 29)) == (date(2024, 2, 29), date(2025, 2, 28))


def test_r_maint_3_upgrade_starts_on_payment_and_drops_the_remainder() -> None:
    # The upgraded license still had maintenance until 2025-01-01: no credit for it.
    start, end = maintenance_for_upgrade(date(2024, 5, 10))
    assert (start, end) == (date(2024, 5, 10), date(2025, 5, 10))


def test_r_maint_4_renewal_starts_at_previous_expiry() -> None:
    assert maintenance_for_renewal(date(2025, 3, 1), 1) == (date(2025, 3, 1), date(2026, 3, 1))


def test_r_maint_4_renewal_bought_two_months_early_starts_at_previous_expiry() -> None:
    previous_end = date(2025, 3, 1)
    today = previous_end - timedelta(days=59)  # 2025-01-01
    start, end = maintenance_for_renewal(previous_end, 1)
    assert (start, end) == (date(2025, 3, 1), date(2026, 3, 1))
    check_maintenance_limit(deployment=Deployment.SERVER, new_end=end, today=today, years=1)


def test_r_maint_4_renewal_bought_six_months_late_starts_at_previous_expiry() -> None:
    previous_end = date(2025, 3, 1)
    today = add_months(previous_end, 6)  # 2025-09-01: bought late, no free gap
    start, end = maintenance_for_renewal(previous_end, 1)
    assert (start, end) == (date(2025, 3, 1), date(2026, 3, 1))
    check_maintenance_limit(deployment=Deployment.SERVER, new_end=end, today=today, years=1)


def test_r_maint_4_lapsed_license_renews_from_its_old_expiry_not_from_today() -> None:
    # Maintenance ended years ago: the renewal still starts at the old expiry, so a 1-year
    # renewal bought today can end in the past and leave the license MAINTENANCE_EXPIRED.
    previous_end = date(2019, 6, 30)
    today = date(2025, 1, 15)
    start, end = maintenance_for_renewal(previous_end, 1)
    assert (start, end) == (date(2019, 6, 30), date(2020, 6, 30))
    check_maintenance_limit(deployment=Deployment.SERVER, new_end=end, today=today, years=1)
    status = license_status(
        license_type=LicenseType.COMMERCIAL,
        deployment=Deployment.SERVER,
        evaluation_ends_on=None,
        maintenance_ends_on=end,
        today=today,
    )
    assert status is LicenseStatus.MAINTENANCE_EXPIRED


@pytest.mark.parametrize(
    ("years", "end"),
    [(1, date(2026, 3, 1)), (2, date(2027, 3, 1)), (3, date(2028, 3, 1))],
)
def test_r_maint_4_renewal_for_one_to_three_years(years: int, end: date) -> None:
    assert maintenance_for_renewal(date(2025, 3, 1), years) == (date(2025, 3, 1), end)


@pytest.mark.parametrize("years", [-1, 0, 4, 10])
def test_r_maint_4_renewal_years_outside_1_to_3_are_invalid(years: int) -> None:
    with pytest.raises(DomainError) as caught:
        maintenance_for_renewal(date(2025, 3, 1), years)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("years",)


def test_r_maint_4_renewal_from_a_month_end_clamps() -> None:
    assert maintenance_for_renewal(date(2024, 2, 29), 1)[1] == date(2025, 2, 28)
    assert maintenance_for_renewal(date(2024, 2, 29), 3)[1] == date(2027, 2, 28)
    assert maintenance_for_renewal(date(2024, 8, 31), 1)[1] == date(2025, 8, 31)


def test_r_maint_5_at_most_three_years_beyond_today() -> None:
    assert MAX_MAINTENANCE_YEARS_AHEAD == 3
    today = date(2025, 1, 10)
    end_2 = maintenance_for_renewal(date(2025, 3, 1), 2)[1]
    end_3 = maintenance_for_renewal(date(2025, 3, 1), 3)[1]
    check_maintenance_limit(deployment=Deployment.SERVER, new_end=end_2, today=today, years=2)
    with pytest.raises(DomainError) as caught:
        check_maintenance_limit(deployment=Deployment.SERVER, new_end=end_3, today=today, years=3)
    assert caught.value.code is ErrorCode.MAINTENANCE_LIMIT
    assert caught.value.field == ("years",)


@pytest.mark.parametrize("deployment", SERVER_LIKE)
def test_r_maint_5_three_year_limit_exactly_on_the_boundary(deployment: Deployment) -> None:
    today = date(2025, 1, 10)
    on_boundary = maintenance_for_renewal(today, 3)[1]
    assert on_boundary == add_months(today, 36)
    check_maintenance_limit(deployment=deployment, new_end=on_boundary, today=today, years=3)
    one_day_over = maintenance_for_renewal(today + timedelta(days=1), 3)[1]
    with pytest.raises(DomainError) as caught:
        check_maintenance_limit(deployment=deployment, new_end=one_day_over, today=today, years=3)
    assert caught.value.code is ErrorCode.MAINTENANCE_LIMIT


def test_r_maint_5_limit_from_29_february() -> None:
    today = date(2024, 2, 29)
    check_maintenance_limit(
        deployment=Deployment.SERVER, new_end=date(2027, 2, 28), today=today, years=3
    )
    with pytest.raises(DomainError):
        check_maintenance_limit(
            deployment=Deployment.SERVER, new_end=date(2027, 3, 1), today=today, years=3
        )


def test_r_maint_5_cloud_renewal_of_two_years_is_refused() -> None:
    start, end = date(2025, 3, 1), date(2027, 3, 1)
    with pytest.raises(DomainError) as caught:
        check_maintenance_limit(
            deployment=Deployment.CLOUD, new_end=end, today=start - timedelta(days=10), years=2
        )
    assert caught.value.code is ErrorCode.MAINTENANCE_LIMIT
    assert caught.value.field == ("years",)


def test_r_maint_5_cloud_renews_twelve_months() -> None:
    end = maintenance_for_renewal(date(2025, 3, 1), 1)[1]
    check_maintenance_limit(
        deployment=Deployment.CLOUD, new_end=end, today=date(2025, 2, 1), years=1
    )


def test_r_maint_5_renewal_years_allowed() -> None:
    previous_end = date(2025, 3, 1)
    server = Deployment.SERVER
    assert renewal_years_allowed(
        deployment=server, previous_end=previous_end, today=date(2025, 3, 1)
    ) == (1, 2, 3)
    assert renewal_years_allowed(
        deployment=server, previous_end=previous_end, today=date(2025, 1, 1)
    ) == (1, 2)
    assert (
        renewal_years_allowed(
            deployment=server, previous_end=date(2027, 6, 1), today=date(2025, 1, 1)
        )
        == ()
    )
    assert renewal_years_allowed(
        deployment=Deployment.CLOUD, previous_end=previous_end, today=date(2025, 3, 1)
    ) == (1,)


def test_r_maint_6_sync_request_flags_the_quote_for_sales_review() -> None:
    assert co_term_requires_sales_review(["SEN-L1234567"])
    assert not co_term_requires_sales_review([])
    assert not co_term_requires_sales_review(None)


@given(DAYS, YEARS)
def test_r_maint_4_renewal_always_starts_at_previous_end_and_lasts_whole_years(
    previous_end: date, years: int
) -> None:
    start, end = maintenance_for_renewal(previous_end, years)
    assert start == previous_end
    assert 365 * years <= (end - start).days <= 366 * years


@given(DAYS)
def test_r_maint_2_r_maint_3_new_and_upgrade_last_one_year(paid_on: date) -> None:
    for start, end in (maintenance_for_new(paid_on), maintenance_for_upgrade(paid_on)):
        assert start == paid_on
        assert 365 <= (end - start).days <= 366


@given(DAYS, st.integers(min_value=0, max_value=4000), YEARS)
def test_r_maint_5_renewing_an_expired_server_license_never_hits_the_limit(
    previous_end: date, days_late: int, years: int
) -> None:
    today = previous_end + timedelta(days=days_late)
    end = maintenance_for_renewal(previous_end, years)[1]
    check_maintenance_limit(deployment=Deployment.SERVER, new_end=end, today=today, years=years)


def test_r_maint_4_paid_renewal_starts_at_the_end_held_at_payment() -> None:
    today = date(2026, 11, 26)
    early = maintenance_for_paid_renewal(
        deployment=Deployment.SERVER,
        previous_end=date(2027, 3, 1),
        years=1,
        paid_on=today,
        today=today,
    )
    late = maintenance_for_paid_renewal(
        deployment=Deployment.SERVER,
        previous_end=date(2026, 6, 1),
        years=2,
        paid_on=today,
        today=today,
    )
    assert early == (date(2027, 3, 1), date(2028, 3, 1))
    assert late == (date(2026, 6, 1), date(2028, 6, 1))


def test_r_maint_4_paid_renewal_without_previous_period_starts_on_payment() -> None:
    paid = date(2026, 11, 20)
    assert maintenance_for_paid_renewal(
        deployment=Deployment.SERVER,
        previous_end=None,
        years=1,
        paid_on=paid,
        today=date(2026, 11, 26),
    ) == (paid, date(2027, 11, 20))


def test_r_maint_5_paid_renewal_checks_the_limit_again() -> None:
    today = date(2026, 11, 26)
    with pytest.raises(DomainError) as caught:
        maintenance_for_paid_renewal(
            deployment=Deployment.SERVER,
            previous_end=date(2028, 1, 1),
            years=2,
            paid_on=today,
            today=today,
        )
    assert caught.value.code is ErrorCode.MAINTENANCE_LIMIT
    with pytest.raises(DomainError) as caught:
        maintenance_for_paid_renewal(
            deployment=Deployment.CLOUD, previous_end=today, years=2, paid_on=today, today=today
        )
    assert caught.value.code is ErrorCode.MAINTENANCE_LIMIT


def test_r_maint_4_renewal_keeps_the_start_of_continuous_coverage() -> None:
    assert start_after_renewal(date(2025, 1, 1), date(2026, 1, 1)) == date(2025, 1, 1)
    assert start_after_renewal(None, date(2026, 1, 1)) == date(2026, 1, 1)


def test_r_acc_6_late_cloud_charge_pays_the_term_from_the_unpaid_end() -> None:
    assert cloud_term_after_late_charge(date(2026, 11, 1), date(2026, 11, 26)) == (
        date(2026, 11, 1),
        date(2027, 11, 1),
    )
    assert cloud_term_after_late_charge(None, date(2026, 11, 26)) == (
        date(2026, 11, 26),
        date(2027, 11, 26),
    )
