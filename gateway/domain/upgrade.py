"""Tier upgrades: upward only, and what an upgrade costs (R-UPG-*)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from gateway.domain.enums import Deployment, LicenseType, Tier
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import tiers_for
from gateway.domain.money import round_money

FULL_CREDIT_DAYS = 30  # R-UPG-3


def check_upgrade_upward(current: Tier, target: Tier) -> None:
    """R-UPG-1: Starter < Express < Professional < Enterprise; same or lower is refused."""
    if target.rank <= current.rank:
        raise DomainError(
            ErrorCode.UPGRADE_NOT_UPWARD,
            f"Upgrades go upward only: {target.value} is not above {current.value}",
            field=("toTier",),
        )


def upgrade_targets(deployment: Deployment, current: Tier) -> tuple[Tier, ...]:
    """The tiers a license may be upgraded to, lowest first (none for Data Center)."""
    return tuple(tier for tier in tiers_for(deployment) if tier.rank > current.rank)


def check_upgrade(
    *, deployment: Deployment, license_type: LicenseType, current: Tier, target: Tier
) -> None:
    """Everything that refuses an upgrade request, in the order a customer would fix it.

    Evaluations are converted by a purchase (R-EVAL-4), not upgraded; R-UPG-2: only the
    tiers of the product exist, no custom tier.
    """
    if license_type == LicenseType.EVALUATION:
        raise DomainError(
            ErrorCode.NOT_UPGRADABLE,
            "An evaluation is converted by buying a license (a new quote line whose "
            "convertsEvaluation names it), not upgraded",
            field=("sen",),
        )
    check_upgrade_upward(current, target)
    if target not in tiers_for(deployment):
        raise DomainError(
            ErrorCode.NOT_UPGRADABLE,
            f"{deployment.value} is not sold in the {target.value} tier",
            field=("toTier",),
        )


def full_credit_applies(*, purchased_on: date | None, today: date) -> bool:
    """R-UPG-3: within 30 days of purchase, the purchase day + 30 included."""
    return purchased_on is not None and today <= purchased_on + timedelta(days=FULL_CREDIT_DAYS)


def upgrade_unit_price(
    *,
    current_list: Decimal,
    target_list: Decimal,
    paid_amount: Decimal | None,
    purchased_on: date | None,
    today: date,
) -> tuple[Decimal, Decimal]:
    """R-UPG-3: (unit_price, credit) of an upgrade line, before R-PRICE-* discounts.

    Within 30 days of purchase, with what was paid known: the new tier's list price, with what
    was paid as a credit (shown as an UPGRADE_CREDIT discount, never more than the price).
    Otherwise: the difference between the two tiers' current list prices, no credit.
    """
    if paid_amount is not None and full_credit_applies(purchased_on=purchased_on, today=today):
        credit = min(max(paid_amount, Decimal(0)), target_list)
        return round_money(target_list), round_money(credit)
    return round_money(max(target_list - current_list, Decimal(0))), round_money(Decimal(0))
