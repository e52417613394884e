"""License status and entitlements: evaluations, perpetual server licenses, Cloud subscriptions."""

from __future__ import annotations

from datetime import date, timedelta

from gateway.domain.contact_sales import how_to_ask
from gateway.domain.enums import (
    TIER_ORDER,
    Deployment,
    LicenseStatus,
    LicenseType,
    SalesRequestKind,
    Tier,
)
from gateway.domain.errors import DomainError, ErrorCode

EVALUATION_DAYS = 10  # R-EVAL-1
EVALUATION_TIER = Tier.ENTERPRISE  # R-EVAL-2: evaluations are issued at the highest tier

# Product entry: Data Center is an Enterprise product, sold only at that tier.
DEPLOYMENT_TIERS: dict[Deployment, tuple[Tier, ...]] = {
    Deployment.SERVER: TIER_ORDER,
    Deployment.DATA_CENTER: (Tier.ENTERPRISE,),
    Deployment.CLOUD: TIER_ORDER,
}


def tiers_for(deployment: Deployment) -> tuple[Tier, ...]:
    """The tiers a deployment is sold in, lowest first."""
    return DEPLOYMENT_TIERS[deployment]


def evaluation_ends_on(started_on: date) -> date:
    """R-EVAL-1: first day without the evaluation, 10 days after its start (Server and Cloud)."""
    return started_on + timedelta(days=EVALUATION_DAYS)


def license_status(
    *,
    license_type: LicenseType,
    deployment: Deployment,
    evaluation_ends_on: date | None,
    maintenance_ends_on: date | None,
    today: date,
    converted: bool = False,
) -> LicenseStatus:
    """The status a license shows on ``today`` (a UTC date). End dates are exclusive.
    ``converted``: an evaluation a paid license replaced (R-EVAL-5), whatever its dates."""
    if license_type == LicenseType.EVALUATION:
        if converted:
            return LicenseStatus.EVALUATION_CONVERTED
        if evaluation_ends_on is not None and today < evaluation_ends_on:
            return LicenseStatus.EVALUATION
        return LicenseStatus.EVALUATION_EXPIRED
    active = maintenance_ends_on is not None and today < maintenance_ends_on
    if active:
        return LicenseStatus.ACTIVE
    if deployment == Deployment.CLOUD:
        # R-LIC-2: a Cloud subscription is annual; past its paid term it lapses.
        return LicenseStatus.LAPSED
    # R-LIC-2, R-MAINT-7: Server and Data Center are perpetual and keep working.
    return LicenseStatus.MAINTENANCE_EXPIRED


def backups_included(*, deployment: Deployment, license_type: LicenseType) -> bool | None:
    """R-EVAL-3: Cloud evaluations have no data backups, paid Cloud does; None off Cloud."""
    if deployment != Deployment.CLOUD:
        return None
    return license_type != LicenseType.EVALUATION


def customization_eligible(
    *, deployment: Deployment, tier: Tier, license_type: LicenseType
) -> bool:
    """R-LIC-3: only holders of a (paid) Server Enterprise license; Cloud never."""
    return (
        deployment == Deployment.SERVER
        and tier == Tier.ENTERPRISE
        and license_type != LicenseType.EVALUATION
    )


def support_active(status: LicenseStatus) -> bool:
    """R-SUP-4, R-MAINT-7: support only while maintenance (or an evaluation) is active."""
    return status in (LicenseStatus.ACTIVE, LicenseStatus.EVALUATION)


EVALUATION_DEPLOYMENTS = (Deployment.SERVER, Deployment.CLOUD)  # R-EVAL-1


def check_evaluation_deployment(
    deployment: Deployment, *, field: tuple[str, ...] = ("product",)
) -> None:
    """R-EVAL-1 names Server and Cloud evaluations; Data Center (an Enterprise product sold
    through sales, R-QUOTE-3) is not evaluated self-service."""
    if deployment not in EVALUATION_DEPLOYMENTS:
        raise DomainError(
            ErrorCode.INVALID,
            "Evaluations are available for Conex Books Server and Cloud; to evaluate "
            "Data Center, " + how_to_ask(SalesRequestKind.OTHER),
            field=field,
        )


def check_card_updatable(
    *,
    deployment: Deployment,
    license_type: LicenseType,
    field: tuple[str, ...] = ("licenseId",),
) -> None:
    """R-ACC-6: only a paid Cloud subscription has a payment card."""
    if deployment != Deployment.CLOUD:
        raise DomainError(
            ErrorCode.NOT_CLOUD, "Only Cloud subscriptions have a payment card", field=field
        )
    if license_type == LicenseType.EVALUATION:
        raise DomainError(
            ErrorCode.INVALID,
            "An evaluation has no subscription to bill; buy a subscription to keep using Cloud",
            field=field,
        )
