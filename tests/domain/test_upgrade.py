from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gateway.domain.enums import (
    TIER_ORDER,
    Deployment,
    DiscountKind,
    LicenseType,
    QuoteLineKind,
    Tier,
)
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import tiers_for
from gateway.domain.pricing import price_line
from gateway.domain.upgrade import (
    FULL_CREDIT_DAYS,
    check_upgrade,
    check_upgrade_upward,
    upgrade_targets,
    upgrade_unit_price,
)

D = Decimal
PAIRS = [(a, b) for a in TIER_ORDER for b in TIER_ORDER]
PURCHASED = date(2025, 1, 1)


@pytest.mark.parametrize(("current", "target"), [(a, b) for a, b in PAIRS if b.rank > a.rank])
def test_r_upg_1_upward_upgrades_are_allowed(current: Tier, target: Tier) -> None:
    check_upgrade_upward(current, target)


@pytest.mark.parametrize(("current", "target"), [(a, b) for a, b in PAIRS if b.rank <= a.rank])
def test_r_upg_1_downgrade_and_same_tier_are_refused(current: Tier, target: Tier) -> None:
    with pytest.raises(DomainError) as caught:
        check_upgrade_upward(current, target)
    assert caught.value.code is ErrorCode.UPGRADE_NOT_UPWARD
    assert caught.value.field == ("toTier",)


def test_r_upg_1_upgrade_targets_are_the_higher_tiers() -> None:
    server, cloud = Deployment.SERVER, Deployment.CLOUD
    assert upgrade_targets(server, Tier.STARTER) == (
        Tier.EXPRESS,
        Tier.PROFESSIONAL,
        Tier.ENTERPRISE,
    )
    assert upgrade_targets(cloud, Tier.PROFESSIONAL) == (Tier.ENTERPRISE,)
    assert upgrade_targets(server, Tier.ENTERPRISE) == ()
    assert upgrade_targets(Deployment.DATA_CENTER, Tier.ENTERPRISE) == ()


@pytest.mark.parametrize("deployment", list(Deployment))
@pytest.mark.parametrize("current", TIER_ORDER)
def test_r_upg_2_no_custom_tiers_only_catalog_tiers(deployment: Deployment, current: Tier) -> None:
    assert set(upgrade_targets(deployment, current)) <= set(tiers_for(deployment))


def test_r_upg_1_check_upgrade_refuses_evaluations_and_downgrades() -> None:
    with pytest.raises(DomainError) as caught:
        check_upgrade(
            deployment=Deployment.SERVER,
            license_type=LicenseType.EVALUATION,
            current=Tier.ENTERPRISE,
            target=Tier.ENTERPRISE,
        )
    assert caught.value.code is ErrorCode.NOT_UPGRADABLE
    with pytest.raises(DomainError) as caught:
        check_upgrade(
            deployment=Deployment.SERVER,
            license_type=LicenseType.COMMERCIAL,
            current=Tier.PROFESSIONAL,
            target=Tier.EXPRESS,
        )
    assert caught.value.code is ErrorCode.UPGRADE_NOT_UPWARD
    check_upgrade(
        deployment=Deployment.CLOUD,
        license_type=LicenseType.ACADEMIC,
        current=Tier.STARTER,
        target=Tier.PROFESSIONAL,
    )


def test_r_upg_3_full_credit_within_30_days() -> None:
    assert FULL_CREDIT_DAYS == 30
    unit, credit = upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("2000"),
        paid_amount=D("800"),
        purchased_on=PURCHASED,
        today=PURCHASED + timedelta(days=12),
    )
    assert (unit, credit) == (D("2000.00"), D("800.00"))


def test_r_upg_3_day_30_is_still_within_the_full_credit_window() -> None:
    unit, credit = upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("2000"),
        paid_amount=D("800"),
        purchased_on=PURCHASED,
        today=date(2025, 1, 31),  # purchase day + 30
    )
    assert (unit, credit) == (D("2000.00"), D("800.00"))


def test_r_upg_3_day_31_uses_the_list_price_difference() -> None:
    unit, credit = upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("2000"),
        paid_amount=D("800"),
        purchased_on=PURCHASED,
        today=date(2025, 2, 1),  # purchase day + 31
    )
    assert (unit, credit) == (D("1000.00"), D("0.00"))


def test_r_upg_3_without_the_paid_amount_or_date_standard_pricing_applies() -> None:
    for paid, purchased in [(None, PURCHASED), (D("800"), None)]:
        unit, credit = upgrade_unit_price(
            current_list=D("1000"),
            target_list=D("2000"),
            paid_amount=paid,
            purchased_on=purchased,
            today=PURCHASED + timedelta(days=1),
        )
        assert (unit, credit) == (D("1000.00"), D("0.00"))


def test_r_upg_3_credit_never_exceeds_the_new_price_and_difference_never_negative() -> None:
    assert upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("900"),
        paid_amount=D("1000"),
        purchased_on=PURCHASED,
        today=PURCHASED,
    ) == (D("900.00"), D("900.00"))
    assert upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("900"),
        paid_amount=D("1000"),
        purchased_on=PURCHASED,
        today=date(2026, 1, 1),
    ) == (D("0.00"), D("0.00"))


def test_r_upg_3_discounts_apply_to_the_upgrade_result() -> None:
    unit, credit = upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("2000"),
        paid_amount=D("800"),
        purchased_on=PURCHASED,
        today=PURCHASED + timedelta(days=30),
    )
    line = price_line(
        unit_price=unit,
        quantity=1,
        deployment=Deployment.SERVER,
        kind=QuoteLineKind.UPGRADE,
        academic=True,
        credit=credit,
    )
    # 2000 - 800 credit = 1200; -20% = 960; -7% academic = 892.80
    assert [d.kind for d in line.discounts] == [
        DiscountKind.UPGRADE_CREDIT,
        DiscountKind.PROMOTIONAL,
        DiscountKind.ACADEMIC,
    ]
    assert line.total == D("892.80")

    unit, credit = upgrade_unit_price(
        current_list=D("1000"),
        target_list=D("2000"),
        paid_amount=D("800"),
        purchased_on=PURCHASED,
        today=PURCHASED + timedelta(days=31),
    )
    line = price_line(
        unit_price=unit,
        quantity=1,
        deployment=Deployment.SERVER,
        kind=QuoteLineKind.UPGRADE,
        academic=False,
        credit=credit,
    )
    assert line.total == D("800.00")  # (2000 - 1000) - 20%
