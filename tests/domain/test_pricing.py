from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.enums import Deployment, DiscountKind, QuoteLineKind
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.pricing import (
    ACADEMIC_CLOUD_PERCENT,
    ACADEMIC_SERVER_PERCENT,
    PROMOTIONAL_PERCENT,
    AppliedDiscount,
    PricedLine,
    price_line,
    quote_totals,
)

D = Decimal
NEW = QuoteLineKind.NEW
RENEWAL = QuoteLineKind.RENEWAL
UPGRADE = QuoteLineKind.UPGRADE


def _line(
    unit_price: str,
    *,
    deployment: Deployment = Deployment.SERVER,
    kind: QuoteLineKind = NEW,
    academic: bool = False,
    quantity: int = 1,
    partner_percent: str = "0",
    credit: str = "0",
) -> PricedLine:
    return price_line(
        unit_price=D(unit_price),
        quantity=quantity,
        deployment=deployment,
        kind=kind,
        academic=academic,
        partner_percent=D(partner_percent),
        credit=D(credit),
    )


def _kinds(line: PricedLine) -> list[DiscountKind]:
    return [d.kind for d in line.discounts]


def test_r_price_1_promotional_20_percent_on_all_plans() -> None:
    assert D(20) == PROMOTIONAL_PERCENT
    for deployment in Deployment:
        for kind in (NEW, UPGRADE):
            line = _line("1000", deployment=deployment, kind=kind)
            assert line.discounts == (
                AppliedDiscount(DiscountKind.PROMOTIONAL, D(20), D("200.00")),
            )
            assert line.total == D("800.00")


@pytest.mark.parametrize("deployment", [Deployment.SERVER, Deployment.DATA_CENTER])
def test_r_price_1_server_renewals_get_the_promotion(deployment: Deployment) -> None:
    line = _line("500", deployment=deployment, kind=RENEWAL)
    assert _kinds(line) == [DiscountKind.PROMOTIONAL]
    assert line.total == D("400.00")


def test_r_price_1_cloud_renewal_is_at_normal_price() -> None:
    line = _line("1000", deployment=Deployment.CLOUD, kind=RENEWAL)
    assert line.discounts == ()
    assert line.discount_total == D("0.00")
    assert line.total == D("1000.00")


def test_r_price_2_academic_7_percent_on_server_after_promotion() -> None:
    assert D(7) == ACADEMIC_SERVER_PERCENT
    line = _line("1000", deployment=Deployment.SERVER, academic=True)
    assert line.discounts == (
        AppliedDiscount(DiscountKind.PROMOTIONAL, D(20), D("200.00")),
        AppliedDiscount(DiscountKind.ACADEMIC, D(7), D("56.00")),  # 7% of 800, not of 1000
    )
    assert line.discount_total == D("256.00")
    assert line.total == D("744.00")


def test_r_price_2_academic_7_percent_on_data_center() -> None:
    line = _line("10000", deployment=Deployment.DATA_CENTER, academic=True)
    assert line.discounts[-1] == AppliedDiscount(DiscountKind.ACADEMIC, D(7), D("560.00"))
    assert line.total == D("7440.00")


def test_r_price_2_academic_5_percent_on_cloud_after_promotion() -> None:
    assert D(5) == ACADEMIC_CLOUD_PERCENT
    line = _line("1000", deployment=Deployment.CLOUD, academic=True)
    assert line.discounts == (
        AppliedDiscount(DiscountKind.PROMOTIONAL, D(20), D("200.00")),
        AppliedDiscount(DiscountKind.ACADEMIC, D(5), D("40.00")),
    )
    assert line.total == D("760.00")


def test_r_price_2_cloud_academic_renewal_gets_academic_but_no_promotion() -> None:
    line = _line("1000", deployment=Deployment.CLOUD, kind=RENEWAL, academic=True)
    assert line.discounts == (AppliedDiscount(DiscountKind.ACADEMIC, D(5), D("50.00")),)
    assert line.total == D("950.00")


def test_r_price_2_no_academic_discount_unless_academic() -> None:
    assert DiscountKind.ACADEMIC not in _kinds(_line("1000", academic=False))


def test_r_price_3_partner_discount_applies_last_and_zero_is_omitted() -> None:
    line = _line("1000", academic=True, partner_percent="10")
    assert _kinds(line) == [DiscountKind.PROMOTIONAL, DiscountKind.ACADEMIC, DiscountKind.PARTNER]
    assert line.discounts[-1] == AppliedDiscount(DiscountKind.PARTNER, D(10), D("74.40"))
    assert line.total == D("669.60")
    assert DiscountKind.PARTNER not in _kinds(_line("1000", partner_percent="0"))


@pytest.mark.parametrize("percent", ["-1", "100.01"])
def test_r_price_3_partner_percent_must_be_a_percentage(percent: str) -> None:
    with pytest.raises(DomainError) as caught:
        _line("1000", partner_percent=percent)
    assert caught.value.code is ErrorCode.INVALID


def test_r_upg_3_upgrade_credit_applies_first_then_promotion() -> None:
    line = _line("2000", kind=UPGRADE, credit="800")
    assert line.discounts == (
        AppliedDiscount(DiscountKind.UPGRADE_CREDIT, None, D("800.00")),
        AppliedDiscount(DiscountKind.PROMOTIONAL, D(20), D("240.00")),
    )
    assert line.total == D("960.00")


def test_r_upg_3_upgrade_credit_never_makes_the_line_negative() -> None:
    line = _line("500", kind=UPGRADE, credit="900")
    assert line.discounts == (AppliedDiscount(DiscountKind.UPGRADE_CREDIT, None, D("500.00")),)
    assert line.total == D("0.00")


def test_r_cur_4_each_discount_rounds_half_up_on_the_running_amount() -> None:
    line = _line("33.33", academic=True, partner_percent="2.5")
    # promo 6.666 → 6.67; 26.66 * 7% = 1.8662 → 1.87; 24.79 * 2.5% = 0.61975 → 0.62
    assert [d.amount for d in line.discounts] == [D("6.67"), D("1.87"), D("0.62")]
    assert line.total == D("24.17")
    assert all(d.amount.as_tuple().exponent == -2 for d in line.discounts)


def test_r_cur_4_half_cent_discount_rounds_up() -> None:
    line = _line("0.05", kind=UPGRADE, deployment=Deployment.CLOUD, academic=True)
    # promo 0.01 exactly; 0.04 * 5% = 0.002 → 0.00, omitted
    assert line.discounts == (AppliedDiscount(DiscountKind.PROMOTIONAL, D(20), D("0.01")),)
    line = _line("0.10", deployment=Deployment.CLOUD, kind=RENEWAL, academic=True)
    # 0.10 * 5% = 0.005 → 0.01 (half-up)
    assert line.discounts == (AppliedDiscount(DiscountKind.ACADEMIC, D(5), D("0.01")),)


def test_subtotal_is_unit_price_times_quantity() -> None:
    line = _line("199.99", quantity=3)
    assert line.unit_price == D("199.99")
    assert line.quantity == 3
    assert line.subtotal == D("599.97")
    assert line.total == D("479.98")  # 599.97 - 119.99 (119.994 → 119.99)


@pytest.mark.parametrize("quantity", [0, -1, 1001])
def test_quantity_outside_1_to_1000_is_invalid(quantity: int) -> None:
    with pytest.raises(DomainError) as caught:
        _line("10", quantity=quantity)
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.field == ("quantity",)


@pytest.mark.parametrize("quantity", [1, 1000])
def test_quantity_bounds_are_allowed(quantity: int) -> None:
    assert _line("10", quantity=quantity).quantity == quantity


def test_negative_unit_price_or_credit_is_invalid() -> None:
    with pytest.raises(DomainError):
        _line("-1")
    with pytest.raises(DomainError):
        _line("10", credit="-1")


def test_free_line_has_no_discounts() -> None:
    line = _line("0", academic=True, partner_percent="10")
    assert line.discounts == ()
    assert line.total == D("0.00")


def test_r_price_4_quote_totals_sum_lines_and_tax_is_zero() -> None:
    lines = [
        _line("1000", academic=True),
        _line("1000", deployment=Deployment.CLOUD, kind=RENEWAL),
    ]
    totals = quote_totals(lines)
    assert totals.subtotal == D("2000.00")
    assert totals.discount_total == D("256.00")
    assert totals.tax == D("0.00")
    assert totals.total == D("1744.00")


def test_r_price_4_empty_quote_totals_are_zero() -> None:
    totals = quote_totals([])
    assert (totals.subtotal, totals.discount_total, totals.tax, totals.total) == (D(0),) * 4


@given(
    unit_price=st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
    quantity=st.integers(min_value=1, max_value=1000),
    deployment=st.sampled_from(Deployment),
    kind=st.sampled_from(QuoteLineKind),
    academic=st.booleans(),
    partner_percent=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    credit=st.decimals(min_value=D("0"), max_value=D("2000000"), places=2),
)
def test_r_cur_4_line_total_plus_discounts_is_the_subtotal_and_never_negative(
    unit_price: Decimal,
    quantity: int,
    deployment: Deployment,
    kind: QuoteLineKind,
    academic: bool,
    partner_percent: Decimal,
    credit: Decimal,
) -> None:
    line = price_line(
        unit_price=unit_price,
        quantity=quantity,
        deployment=deployment,
        kind=kind,
        academic=academic,
        partner_percent=partner_percent,
        credit=credit,
    )
    assert line.total + line.discount_total == line.subtotal
    assert line.total >= 0
    assert line.subtotal == unit_price * quantity
    assert line.discount_total == sum((d.amount for d in line.discounts), D(0))
    assert all(d.amount > 0 and d.amount.as_tuple().exponent == -2 for d in line.discounts)
    order = list(DiscountKind)  # PROMOTIONAL, ACADEMIC, PARTNER, UPGRADE_CREDIT
    applied = _kinds(line)
    expected_order = [DiscountKind.UPGRADE_CREDIT, *order[:3]]
    assert applied == [k for k in expected_order if k in applied]
    if deployment is Deployment.CLOUD and kind is RENEWAL:
        assert DiscountKind.PROMOTIONAL not in applied
