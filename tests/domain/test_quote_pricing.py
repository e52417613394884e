from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from gateway.domain.enums import Currency, Deployment, DiscountKind, LicenseType
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.quote_pricing import (
    BookPrice,
    FxRate,
    NewLine,
    PricingTerms,
    RenewalLine,
    UpgradeLine,
    discounts_record,
    price_quote,
    price_spec,
    pricing_terms,
    quote_fx,
)

D = Decimal
TODAY = date(2026, 11, 26)
RATE = FxRate(rate=D("146.35"), margin=D("0.03"))
PRO = BookPrice(eur=D("4800.00"), usd=D("5280.00"))
STARTER = BookPrice(eur=D("1200.00"), usd=D("1320.00"))
RENEWAL = BookPrice(eur=D("2400.00"), usd=D("2640.00"))
COMMERCIAL = LicenseType.COMMERCIAL
ACADEMIC = LicenseType.ACADEMIC


def _terms(
    currency: Currency = Currency.EUR, *, academic: bool = False, partner: str = "0"
) -> PricingTerms:
    return PricingTerms(
        currency=currency,
        fx=RATE if currency == Currency.DZD else None,
        academic_organization=academic,
        partner_percent=D(partner),
    )


def test_r_cur_1_list_currencies_as_listed() -> None:
    assert PRO.in_currency(Currency.EUR, None) == D("4800.00")
    assert PRO.in_currency(Currency.USD, None) == D("5280.00")


def test_r_cur_3_dzd_is_eur_times_rate_times_one_plus_margin() -> None:
    assert PRO.in_currency(Currency.DZD, RATE) == D("723554.40")  # 4800 × 146.35 × 1.03


def test_r_cur_2_dzd_refused_outside_algeria() -> None:
    with pytest.raises(DomainError) as refused:
        pricing_terms(
            currency=Currency.DZD,
            organization_country="FR",
            academic_organization=False,
            newest_rate=RATE,
            partner_percent=None,
        )
    assert refused.value.code is ErrorCode.CURRENCY_NOT_ALLOWED
    assert refused.value.field == ("currency",)


def test_r_cur_3_dzd_quote_stores_the_rate_and_eur_quote_none() -> None:
    terms = pricing_terms(
        currency=Currency.DZD,
        organization_country="dz",
        academic_organization=False,
        newest_rate=RATE,
        partner_percent=None,
    )
    assert terms.fx == RATE
    assert terms.partner_percent == 0
    assert quote_fx(Currency.EUR, RATE) is None
    with pytest.raises(DomainError) as no_rate:
        quote_fx(Currency.DZD, None)
    assert no_rate.value.field == ("currency",)


def test_r_price_1_promotional_on_new_lines() -> None:
    line = price_spec(NewLine(Deployment.SERVER, COMMERCIAL, 2, PRO), _terms(), today=TODAY)
    assert (line.subtotal, line.discount_total, line.total) == (
        D("9600.00"),
        D("1920.00"),
        D("7680.00"),
    )
    assert [d.kind for d in line.discounts] == [DiscountKind.PROMOTIONAL]


def test_r_price_2_academic_after_promotional_only_for_academic_licenses() -> None:
    academic = price_spec(
        NewLine(Deployment.SERVER, ACADEMIC, 1, PRO), _terms(academic=True), today=TODAY
    )
    assert [(d.kind, d.amount) for d in academic.discounts] == [
        (DiscountKind.PROMOTIONAL, D("960.00")),
        (DiscountKind.ACADEMIC, D("268.80")),  # 7% of 3840
    ]
    commercial = price_spec(
        NewLine(Deployment.SERVER, COMMERCIAL, 1, PRO), _terms(academic=True), today=TODAY
    )
    assert [d.kind for d in commercial.discounts] == [DiscountKind.PROMOTIONAL]


def test_r_price_3_partner_percent_last() -> None:
    line = price_spec(
        NewLine(Deployment.SERVER, COMMERCIAL, 1, PRO), _terms(partner="10"), today=TODAY
    )
    assert [(d.kind, d.amount) for d in line.discounts] == [
        (DiscountKind.PROMOTIONAL, D("960.00")),
        (DiscountKind.PARTNER, D("384.00")),
    ]


def test_r_price_1_cloud_renewal_at_normal_price_server_renewal_promoted() -> None:
    cloud = price_spec(RenewalLine(Deployment.CLOUD, COMMERCIAL, 1, RENEWAL), _terms(), today=TODAY)
    assert cloud.discounts == ()
    assert cloud.total == D("2400.00")
    server = price_spec(
        RenewalLine(Deployment.SERVER, COMMERCIAL, 3, RENEWAL), _terms(), today=TODAY
    )
    assert server.unit_price == D("7200.00")  # R-MAINT-1: three 12-month blocks
    assert server.total == D("5760.00")


def test_r_maint_1_renewal_years_checked() -> None:
    with pytest.raises(DomainError) as refused:
        price_spec(RenewalLine(Deployment.SERVER, COMMERCIAL, 4, RENEWAL), _terms(), today=TODAY)
    assert refused.value.field == ("years",)


def _upgrade(purchased_on: date, currency: Currency = Currency.EUR) -> UpgradeLine:
    return UpgradeLine(
        deployment=Deployment.SERVER,
        license_type=COMMERCIAL,
        current=STARTER,
        target=PRO,
        paid_amount=D("960.00"),
        paid_currency=currency,
        purchased_on=purchased_on,
    )


def test_r_upg_3_within_30_days_full_credit_then_discounts() -> None:
    line = price_spec(_upgrade(TODAY - timedelta(days=30)), _terms(), today=TODAY)
    assert line.unit_price == D("4800.00")
    assert [(d.kind, d.amount) for d in line.discounts] == [
        (DiscountKind.UPGRADE_CREDIT, D("960.00")),
        (DiscountKind.PROMOTIONAL, D("768.00")),
    ]
    assert line.total == D("3072.00")


def test_r_upg_3_after_30_days_difference_of_list_prices() -> None:
    line = price_spec(_upgrade(TODAY - timedelta(days=31)), _terms(), today=TODAY)
    assert line.unit_price == D("3600.00")
    assert [d.kind for d in line.discounts] == [DiscountKind.PROMOTIONAL]


def test_r_upg_3_credit_only_in_the_currency_paid() -> None:
    line = price_spec(_upgrade(TODAY, Currency.USD), _terms(Currency.EUR), today=TODAY)
    assert line.unit_price == D("3600.00")  # standard pricing: no comparable credit


def test_r_cur_4_and_r_price_4_quote_totals_sum_rounded_lines_tax_zero() -> None:
    priced = price_quote(
        [
            NewLine(Deployment.SERVER, ACADEMIC, 3, BookPrice(D("33.33"), D("36.66"))),
            NewLine(Deployment.CLOUD, ACADEMIC, 1, BookPrice(D("0.05"), D("0.06"))),
        ],
        _terms(academic=True),
        today=TODAY,
    )
    assert priced.totals.tax == D("0.00")
    assert priced.totals.total == sum((ln.total for ln in priced.lines), D(0))
    assert all(ln.total == ln.total.quantize(D("0.01")) for ln in priced.lines)


def test_discounts_record_is_strings_in_order() -> None:
    line = price_spec(_upgrade(TODAY), _terms(academic=True), today=TODAY)
    assert discounts_record(line) == [
        {"kind": "UPGRADE_CREDIT", "percent": None, "amount": "960.00"},
        {"kind": "PROMOTIONAL", "percent": "20", "amount": "768.00"},
    ]
