"""The Stripe adapter through the real ``stripe`` library, against a loopback stand-in that
answers in Stripe's wire format (``stripe_fake``): R-PAY-1..3."""

from __future__ import annotations

import socket
import time
from decimal import Decimal
from typing import Any

import pytest

from db.models import Order, OutgoingMail, Payment
from gateway.domain.enums import Currency, PaymentStatus
from gateway.integrations.payments import CardInfo, PaymentDeclined, ProcessorUnavailable
from gateway.integrations.payments_stripe import StripeProcessor
from gateway.settings import Settings
from tests.api.client import ok, user_errors
from tests.api.payment.stripe_fake import WEBHOOK_SECRET, FakeStripe, stripe_settings
from tests.api.payment.support import (
    FIELD,
    line,
    pay,
    payments_of,
    quote_to_pay,
    send_webhook,
    webhook,
)
from tests.api.world import World, dump, rows
from tests.helpers import ClientWith


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_r_pay_1_stripe_success_sends_the_total_in_cents_and_keeps_brand_and_last4(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world, line(world, quantity=3, total="11520.00"))
    async with stripe_client() as client:
        result = ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    assert result["payment"]["status"] == "SUCCEEDED"
    assert len(result["order"]["licenses"]) == 3
    (sent,) = fake.intents()
    (stored,) = await payments_of(world, quote)
    assert sent.form["amount"] == "1152000" and sent.form["currency"] == "eur"
    assert sent.form["payment_method"] == "pm_card_visa"
    assert sent.form["payment_method_types[0]"] == "card"
    assert sent.form["confirm"] == "true"
    assert sent.form["metadata[conex_payment_id]"] == str(stored.id)
    assert sent.headers["idempotency-key"].startswith("conex-")
    assert "pm_card_visa" not in sent.headers["idempotency-key"]
    assert (stored.processor, stored.processor_payment_id) == ("stripe", "pi_fake_1")
    assert (stored.card_brand, stored.card_last4) == ("visa", "4242")
    assert len(await rows(world.engine, OutgoingMail)) == 2


async def test_r_pay_1_stripe_dzd_counts_two_decimals(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world, line(world, total="576000.50"), currency=Currency.DZD)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote), FIELD)
    (sent,) = fake.intents()
    assert (sent.form["amount"], sent.form["currency"]) == ("57600050", "dzd")


async def test_r_pay_2_stripe_decline_is_a_failed_attempt_with_stripes_message(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        body = await pay(client, world.alice_token, quote, "pm_card_chargeDeclined")
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_DECLINED")]
    assert body["data"][FIELD]["payment"]["failureMessage"] == "Your card was declined."
    (stored,) = await payments_of(world, quote)
    assert (stored.status, stored.processor_payment_id) == (PaymentStatus.FAILED, "pi_fake_1")
    assert await rows(world.engine, Order) == []


async def test_r_pay_2_stripe_unknown_payment_method_is_a_failed_attempt(
    world: World, stripe_client: Any
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        body = await pay(client, world.alice_token, quote, "pm_nobody_knows")
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_DECLINED")]
    assert "pm_nobody_knows" not in body["data"][FIELD]["payment"]["failureMessage"]


async def test_r_pay_2_stripe_requires_action_then_the_webhook_completes_it_once(
    world: World, stripe_client: Any
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        result = ok(
            await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD
        )
        assert result["payment"]["status"] == "REQUIRES_ACTION"
        assert result["payment"]["clientSecret"] == "pi_fake_1_secret_fake"
        (stored,) = await payments_of(world, quote)
        body, headers = webhook(stored, secret=WEBHOOK_SECRET)
        first = await send_webhook(client, body, headers)
        duplicate = await send_webhook(client, body, headers)
    assert (first.status_code, first.json()["outcome"]) == (200, "settled")
    assert (duplicate.status_code, duplicate.json()["outcome"]) == (200, "unchanged")
    assert len(await rows(world.engine, Order)) == 1
    assert len(await rows(world.engine, OutgoingMail)) == 2
    (settled,) = await payments_of(world, quote)
    assert settled.status == PaymentStatus.SUCCEEDED and settled.order_id is not None


async def test_r_pay_3_stripe_webhook_bad_signature_and_stale_timestamp_change_nothing(
    world: World, stripe_client: Any
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
        (stored,) = await payments_of(world, quote)
        before = await dump(world.engine)
        forged = webhook(stored, secret="whsec_not_ours")
        stale = webhook(stored, secret=WEBHOOK_SECRET, timestamp=int(time.time()) - 6 * 60)
        answers = [await send_webhook(client, *forged), await send_webhook(client, *stale)]
    assert [a.status_code for a in answers] == [400, 400]
    assert await dump(world.engine) == before


async def test_r_pay_1_stripe_down_is_payment_unavailable_and_nothing_is_written(
    world: World, client_with: ClientWith
) -> None:
    quote = await quote_to_pay(world)
    before = await dump(world.engine)
    async with client_with(**stripe_settings(f"http://127.0.0.1:{closed_port()}")) as client:
        body = await pay(client, world.alice_token, quote)
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_UNAVAILABLE")]
    assert await dump(world.engine) == before


async def test_r_pay_1_stripe_server_error_is_payment_unavailable_and_nothing_is_written(
    world: World, stripe_client: Any, fake: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_with = 500
    quote = await quote_to_pay(world)
    before = await dump(world.engine)
    async with stripe_client() as client:
        body = await pay(client, world.alice_token, quote, "pm_card_visa")
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_UNAVAILABLE")]
    assert await dump(world.engine) == before
    assert "pm_card_visa" not in caplog.text
    # A retry of the same attempt carries the same idempotency key (charged once at most).
    keys = {r.headers["idempotency-key"] for r in fake.intents()}
    assert len(keys) == 1


async def test_r_pay_1_stripe_paypal_goes_through_the_same_processor(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        result = ok(
            await pay(client, world.alice_token, quote, "pm_paypal", method="PAYPAL"), FIELD
        )
    assert result["payment"]["status"] == "REQUIRES_ACTION"
    (sent,) = fake.intents()
    assert sent.form["payment_method_types[0]"] == "paypal"
    assert sent.form["return_url"].endswith("/payments/return")
    (stored,) = await rows(world.engine, Payment)
    assert (stored.method, stored.card_brand) == ("PAYPAL", "paypal")


async def test_r_acc_6_stripe_describes_and_charges_a_card(fake: FakeStripe) -> None:
    processor = StripeProcessor(Settings(**stripe_settings(fake.url)))
    assert await processor.describe("pm_card_mastercard") == CardInfo("mastercard", "4444")
    await processor.charge("pm_card_visa", Decimal("12.00"), Currency.USD)
    with pytest.raises(PaymentDeclined):
        await processor.charge("pm_card_chargeDeclined", Decimal("12.00"), Currency.USD)
    with pytest.raises(PaymentDeclined):
        await processor.describe("pm_unknown")
    fake.fail_with = 503
    with pytest.raises(ProcessorUnavailable):
        await processor.describe("pm_card_visa")
