"""gateway.integrations.payments: the processor port and its development processor (R-ACC-6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.domain.enums import Currency
from gateway.integrations.payments import (
    CardInfo,
    PaymentDeclined,
    ProcessorUnavailable,
    processor_for,
)
from gateway.integrations.payments_dev import DevProcessor
from gateway.settings import Settings


@pytest.mark.parametrize(
    ("token", "card"),
    [
        ("tok_visa_4242", CardInfo("visa", "4242")),
        ("tok_mastercard_4444", CardInfo("mastercard", "4444")),
        ("tok_amex_0005", CardInfo("amex", "0005")),
    ],
)
async def test_r_acc_6_dev_processor_reads_brand_and_last4(token: str, card: CardInfo) -> None:
    assert await DevProcessor().describe(token) == card


@pytest.mark.parametrize(
    "token",
    ["", "tok_visa", "tok_visa_424", "tok_visa_42424", "TOK_VISA_4242", "tok_jcb_1234", "x" * 9999],
)
async def test_r_acc_6_dev_processor_declines_other_tokens(token: str) -> None:
    with pytest.raises(PaymentDeclined):
        await DevProcessor().describe(token)


async def test_r_acc_6_dev_processor_charges_and_declines_the_0002_card() -> None:
    processor = DevProcessor()
    await processor.charge("tok_visa_4242", Decimal("1200.00"), Currency.EUR)
    with pytest.raises(PaymentDeclined):
        await processor.charge("tok_visa_0002", Decimal("1200.00"), Currency.EUR)


def test_processor_for_dev_is_the_dev_processor() -> None:
    assert isinstance(processor_for(Settings(env="dev")), DevProcessor)


def test_processor_for_prod_refuses_fake_cards() -> None:
    settings = Settings(env="prod", secret_key="s" * 40)
    with pytest.raises(ProcessorUnavailable):
        processor_for(settings)
