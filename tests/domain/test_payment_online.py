"""Paying online, the pure rules (R-PAY-1, R-PAY-4) and the processor's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.domain import payment
from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.integrations.payments import from_minor_units, to_minor_units


def code(check: object) -> ErrorCode:
    with pytest.raises(DomainError) as refused:
        check()  # type: ignore[operator]
    return refused.value.code


@pytest.mark.parametrize("token", ["pm_card_visa", "pm_1PqR2s3T4u5V6w7X", "tok_visa_4242"])
def test_r_pay_1_processor_tokens_are_accepted(token: str) -> None:
    assert payment.check_payment_token(f" {token} ") == token


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", ErrorCode.REQUIRED),
        ("   ", ErrorCode.REQUIRED),
        ("4242424242424242", ErrorCode.INVALID),  # a card number is never a token
        ("4242 4242 4242 4242", ErrorCode.INVALID),
        ("pm_" + "x" * 300, ErrorCode.INVALID),
        ("pm_card_visa;drop", ErrorCode.INVALID),
    ],
)
def test_r_pay_1_anything_else_is_refused_without_repeating_it(
    token: str, expected: ErrorCode
) -> None:
    with pytest.raises(DomainError) as refused:
        payment.check_payment_token(token)
    assert refused.value.code is expected
    assert token.strip() == "" or token not in refused.value.message


def test_r_pay_1_online_is_card_or_paypal_and_paypal_not_in_dzd() -> None:
    payment.check_online_method(PaymentMethod.CARD, Currency.DZD)
    payment.check_online_method(PaymentMethod.PAYPAL, Currency.EUR)
    payment.check_online_method(PaymentMethod.PAYPAL, Currency.USD)
    assert (
        code(lambda: payment.check_online_method(PaymentMethod.PAYPAL, Currency.DZD))
        is ErrorCode.CURRENCY_NOT_ALLOWED
    )
    for offline in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CHECK):
        assert (
            code(lambda m=offline: payment.check_online_method(m, Currency.EUR))
            is ErrorCode.INVALID
        )


def test_r_pay_1_only_an_open_quote_with_something_to_pay() -> None:
    payment.check_payable_online(QuoteStatus.OPEN, Decimal("0.01"), number="Q-1")
    for status in (QuoteStatus.PAID, QuoteStatus.EXPIRED, QuoteStatus.DELETED):
        assert (
            code(lambda s=status: payment.check_payable_online(s, Decimal("10"), number="Q-1"))
            is ErrorCode.QUOTE_NOT_OPEN
        )
    assert (
        code(lambda: payment.check_payable_online(QuoteStatus.OPEN, Decimal("0.00"), number="Q-1"))
        is ErrorCode.INVALID
    )


def test_r_pay_4_in_progress_blocks_failed_and_none_do_not() -> None:
    for status in (PaymentStatus.PROCESSING, PaymentStatus.REQUIRES_ACTION):
        assert (
            code(lambda s=status: payment.check_not_paying(s, field=("id",)))
            is ErrorCode.PAYMENT_IN_PROGRESS
        )
    payment.check_not_paying(None, field=("id",))
    payment.check_not_paying(PaymentStatus.FAILED, field=("id",))


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("3840.00", Currency.EUR, 384000),
        ("0.50", Currency.USD, 50),
        ("576000.50", Currency.DZD, 57600050),  # Stripe counts DZD in 2 decimals
        ("12", Currency.DZD, 1200),
    ],
)
def test_r_pay_1_amounts_go_to_the_processor_in_minor_units(
    amount: str, currency: Currency, minor: int
) -> None:
    assert to_minor_units(Decimal(amount), currency) == minor
    assert from_minor_units(minor, currency) == Decimal(amount)


def test_r_pay_1_an_amount_finer_than_a_cent_is_refused() -> None:
    with pytest.raises(ValueError):
        to_minor_units(Decimal("1.005"), Currency.EUR)
