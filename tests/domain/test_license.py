from __future__ import annotations

from datetime import date

import pytest

from gateway.domain.enums import TIER_ORDER, Deployment, LicenseStatus, LicenseType, Tier
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import (
    EVALUATION_DAYS,
    EVALUATION_TIER,
    backups_included,
    check_card_updatable,
    check_evaluation_deployment,
    customization_eligible,
    evaluation_ends_on,
    license_status,
    support_active,
    tiers_for,
)

PAID = (LicenseType.COMMERCIAL, LicenseType.ACADEMIC)
SERVER_LIKE = (Deployment.SERVER, Deployment.DATA_CENTER)


def _status(
    license_type: LicenseType,
    deployment: Deployment,
    today: date,
    *,
    evaluation_end: date | None = None,
    maintenance_end: date | None = None,
) -> LicenseStatus:
    return license_status(
        license_type=license_type,
        deployment=deployment,
        evaluation_ends_on=evaluation_end,
        maintenance_ends_on=maintenance_end,
        today=today,
    )


def test_r_eval_1_evaluation_lasts_ten_days() -> None:
    assert EVALUATION_DAYS == 10
    assert evaluation_ends_on(date(2025, 3, 1)) == date(2025, 3, 11)
    assert evaluation_ends_on(date(2024, 2, 25)) == date(2024, 3, 6)  # across 29 February
    assert evaluation_ends_on(date(2024, 12, 28)) == date(2025, 1, 7)


@pytest.mark.parametrize("deployment", [Deployment.SERVER, Deployment.CLOUD])
def test_r_eval_1_evaluation_status_until_the_end_day_exclusive(deployment: Deployment) -> None:
    start = date(2025, 3, 1)
    end = evaluation_ends_on(start)
    ev = LicenseType.EVALUATION
    assert _status(ev, deployment, start, evaluation_end=end) is LicenseStatus.EVALUATION
    assert _status(ev, deployment, date(2025, 3, 10), evaluation_end=end) is (
        LicenseStatus.EVALUATION
    )
    assert _status(ev, deployment, end, evaluation_end=end) is LicenseStatus.EVALUATION_EXPIRED
    assert _status(ev, deployment, date(2026, 1, 1), evaluation_end=end) is (
        LicenseStatus.EVALUATION_EXPIRED
    )


def test_r_eval_1_evaluation_ignores_maintenance_dates_and_needs_its_own_end() -> None:
    today = date(2025, 3, 5)
    far = date(2030, 1, 1)
    ev = LicenseType.EVALUATION
    assert _status(ev, Deployment.SERVER, today, maintenance_end=far) is (
        LicenseStatus.EVALUATION_EXPIRED
    )


def test_r_eval_2_evaluations_are_issued_at_the_highest_tier() -> None:
    assert EVALUATION_TIER is Tier.ENTERPRISE
    assert EVALUATION_TIER is TIER_ORDER[-1]


def test_r_eval_3_cloud_evaluations_have_no_backups_paid_cloud_has() -> None:
    assert backups_included(deployment=Deployment.CLOUD, license_type=LicenseType.EVALUATION) is (
        False
    )
    for license_type in PAID:
        assert backups_included(deployment=Deployment.CLOUD, license_type=license_type) is True


@pytest.mark.parametrize("deployment", SERVER_LIKE)
@pytest.mark.parametrize("license_type", list(LicenseType))
def test_r_eval_3_backups_do_not_apply_off_cloud(
    deployment: Deployment, license_type: LicenseType
) -> None:
    assert backups_included(deployment=deployment, license_type=license_type) is None


@pytest.mark.parametrize("deployment", SERVER_LIKE)
@pytest.mark.parametrize("license_type", PAID)
def test_r_lic_2_r_maint_7_server_license_is_perpetual_and_shows_maintenance_expired(
    deployment: Deployment, license_type: LicenseType
) -> None:
    end = date(2025, 6, 1)
    assert _status(license_type, deployment, date(2025, 5, 31), maintenance_end=end) is (
        LicenseStatus.ACTIVE
    )
    assert _status(license_type, deployment, end, maintenance_end=end) is (
        LicenseStatus.MAINTENANCE_EXPIRED
    )
    assert _status(license_type, deployment, date(2035, 1, 1), maintenance_end=end) is (
        LicenseStatus.MAINTENANCE_EXPIRED
    )


@pytest.mark.parametrize("license_type", PAID)
def test_r_lic_2_cloud_subscription_lapses_after_its_paid_term(license_type: LicenseType) -> None:
    end = date(2025, 6, 1)
    cloud = Deployment.CLOUD
    assert _status(license_type, cloud, date(2025, 5, 31), maintenance_end=end) is (
        LicenseStatus.ACTIVE
    )
    assert _status(license_type, cloud, end, maintenance_end=end) is LicenseStatus.LAPSED


def test_r_lic_2_paid_license_without_a_maintenance_end_counts_as_expired() -> None:
    today = date(2025, 1, 1)
    assert _status(LicenseType.COMMERCIAL, Deployment.SERVER, today) is (
        LicenseStatus.MAINTENANCE_EXPIRED
    )
    assert _status(LicenseType.COMMERCIAL, Deployment.CLOUD, today) is LicenseStatus.LAPSED


@pytest.mark.parametrize("license_type", PAID)
def test_r_lic_3_server_enterprise_holders_may_request_customization(
    license_type: LicenseType,
) -> None:
    assert customization_eligible(
        deployment=Deployment.SERVER, tier=Tier.ENTERPRISE, license_type=license_type
    )


@pytest.mark.parametrize("tier", list(Tier))
@pytest.mark.parametrize("license_type", list(LicenseType))
def test_r_lic_3_cloud_never_gets_customization(tier: Tier, license_type: LicenseType) -> None:
    assert not customization_eligible(
        deployment=Deployment.CLOUD, tier=tier, license_type=license_type
    )


def test_r_lic_3_lower_server_tiers_evaluations_and_data_center_are_not_eligible() -> None:
    for tier in (Tier.STARTER, Tier.EXPRESS, Tier.PROFESSIONAL):
        assert not customization_eligible(
            deployment=Deployment.SERVER, tier=tier, license_type=LicenseType.COMMERCIAL
        )
    assert not customization_eligible(
        deployment=Deployment.SERVER, tier=Tier.ENTERPRISE, license_type=LicenseType.EVALUATION
    )
    assert not customization_eligible(
        deployment=Deployment.DATA_CENTER, tier=Tier.ENTERPRISE, license_type=LicenseType.COMMERCIAL
    )


@pytest.mark.parametrize(
    ("status", "active"),
    [
        (LicenseStatus.ACTIVE, True),
        (LicenseStatus.EVALUATION, True),
        (LicenseStatus.MAINTENANCE_EXPIRED, False),
        (LicenseStatus.LAPSED, False),
        (LicenseStatus.EVALUATION_EXPIRED, False),
    ],
)
def test_r_sup_4_support_only_while_maintenance_is_active(
    status: LicenseStatus, active: bool
) -> None:
    assert support_active(status) is active


def test_data_center_is_sold_only_at_enterprise() -> None:
    assert tiers_for(Deployment.DATA_CENTER) == (Tier.ENTERPRISE,)
    assert tiers_for(Deployment.SERVER) == TIER_ORDER
    assert tiers_for(Deployment.CLOUD) == TIER_ORDER


@pytest.mark.parametrize("deployment", [Deployment.SERVER, Deployment.CLOUD])
def test_r_eval_1_server_and_cloud_can_be_evaluated(deployment: Deployment) -> None:
    check_evaluation_deployment(deployment)


def test_r_eval_1_data_center_is_not_evaluated_self_service() -> None:
    with pytest.raises(DomainError) as caught:
        check_evaluation_deployment(Deployment.DATA_CENTER)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("product",)


@pytest.mark.parametrize("license_type", PAID)
def test_r_acc_6_paid_cloud_subscription_has_a_card(license_type: LicenseType) -> None:
    check_card_updatable(deployment=Deployment.CLOUD, license_type=license_type)


@pytest.mark.parametrize("deployment", SERVER_LIKE)
def test_r_acc_6_server_licenses_have_no_card(deployment: Deployment) -> None:
    with pytest.raises(DomainError) as caught:
        check_card_updatable(deployment=deployment, license_type=LicenseType.COMMERCIAL)
    assert caught.value.code is ErrorCode.NOT_CLOUD
    assert caught.value.field == ("licenseId",)


def test_r_acc_6_cloud_evaluation_has_no_card() -> None:
    with pytest.raises(DomainError) as caught:
        check_card_updatable(deployment=Deployment.CLOUD, license_type=LicenseType.EVALUATION)
    assert caught.value.code is ErrorCode.INVALID
