from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.domain.currency import check_currency_allowed, dzd_amount, list_price_in
from gateway.domain.enums import Currency
from gateway.domain.errors import DomainError, ErrorCode

D = Decimal


@pytest.mark.parametrize("country", ["FR", "US", "MA", "TN", ""])
def test_r_cur_2_dzd_refused_outside_algeria(country: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_currency_allowed(Currency.DZD, country)
    assert caught.value.code is ErrorCode.CURRENCY_NOT_ALLOWED
    assert caught.value.field == ("currency",)


@pytest.mark.parametrize("country", ["DZ", "dz", " DZ "])
def test_r_cur_2_dzd_allowed_in_algeria(country: str) -> None:
    check_currency_allowed(Currency.DZD, country)


@pytest.mark.parametrize("currency", [Currency.USD, Currency.EUR])
@pytest.mark.parametrize("country", ["DZ", "FR", "US"])
def test_r_cur_1_usd_and_eur_allowed_everywhere(currency: Currency, country: str) -> None:
    check_currency_allowed(currency, country)


def test_r_cur_3_dzd_is_eur_times_rate_times_one_plus_margin() -> None:
    # 100 * 150.5 * 1.05
    assert dzd_amount(D("100"), rate=D("150.5"), margin=D("0.05")) == D("15802.50")
    assert dzd_amount(D("1200.00"), rate=D("146.123456"), margin=D("0")) == D("175348.15")


def test_r_cur_4_dzd_rounds_half_up_to_cents() -> None:
    assert dzd_amount(D("0.005"), rate=D("1"), margin=D("0")) == D("0.01")
    assert dzd_amount(D("0.025"), rate=D("1"), margin=D("0")) == D("0.03")
    # 10 * 0.1234 * 1.0125 = 1.2494250 → 1.25
    assert dzd_amount(D("10"), rate=D("0.1234"), margin=D("0.0125")) == D("1.25")


def test_r_cur_3_rate_must_be_positive_and_margin_not_negative() -> None:
    for rate, margin in [(D("0"), D("0")), (D("-1"), D("0")), (D("150"), D("-0.01"))]:
        with pytest.raises(DomainError) as caught:
            dzd_amount(D("10"), rate=rate, margin=margin)
        assert caught.value.code is ErrorCode.INVALID


def test_r_cur_1_list_price_in_each_currency() -> None:
    prices = {"eur": D("1000"), "usd": D("1100"), "rate": D("150"), "margin": D("0.05")}
    assert list_price_in(Currency.EUR, **prices) == D("1000.00")
    assert list_price_in(Currency.USD, **prices) == D("1100.00")
    assert list_price_in(Currency.DZD, **prices) == D("157500.00")


def test_r_cur_3_list_price_in_dzd_without_a_rate_is_invalid() -> None:
    with pytest.raises(DomainError) as caught:
        list_price_in(Currency.DZD, eur=D("1000"), usd=D("1100"), rate=None, margin=D("0.05"))
    assert caught.value.code is ErrorCode.INVALID


def test_r_cur_3_missing_margin_counts_as_none() -> None:
    price = list_price_in(Currency.DZD, eur=D("10"), usd=D("11"), rate=D("150"), margin=None)
    assert price == D("1500.00")


def test_r_cur_1_usd_and_eur_need_no_rate() -> None:
    assert list_price_in(Currency.EUR, eur=D("5"), usd=D("6"), rate=None, margin=None) == D("5")


@given(
    st.decimals(min_value=D("0"), max_value=D("1000000"), places=2),
    st.decimals(min_value=D("0.000001"), max_value=D("1000"), places=6),
    st.decimals(min_value=D("0"), max_value=D("0.5"), places=4),
)
def test_r_cur_3_r_cur_4_dzd_amount_is_cents_within_half_a_cent_of_exact(
    eur: Decimal, rate: Decimal, margin: Decimal
) -> None:
    amount = dzd_amount(eur, rate=rate, margin=margin)
    assert amount.as_tuple().exponent == -2
    assert abs(amount - eur * rate * (1 + margin)) <= D("0.005")
