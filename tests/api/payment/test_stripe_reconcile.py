"""Abandoned payments and late confirmations through the Stripe adapter, the real ``stripe``
library against the loopback stand-in (R-PAY-4, R-PAY-2, R-PRICE-5): retrieve, search by
metadata, cancel and refund as Stripe answers them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update

from db.models import Order, Payment
from gateway.actions.payment_reconcile import ABANDONED
from gateway.cli import main
from gateway.domain.enums import PaymentStatus
from gateway.settings import Settings
from tests.api.client import ok, user_errors
from tests.api.payment.stripe_fake import SECRET_KEY, WEBHOOK_SECRET, FakeStripe
from tests.api.payment.support import (
    FIELD,
    age,
    cli_environment,
    pay,
    payments_of,
    quote_to_pay,
    send_webhook,
    webhook,
)
from tests.api.world import World, audit_events, one, rows

AUTH = "pm_card_authenticationRequired"


async def test_r_pay_4_stripe_an_abandoned_intent_is_canceled_then_the_quote_is_paid(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote, AUTH), FIELD)
        (abandoned,) = await payments_of(world, quote)
        await age(world.engine, abandoned.id)
        second = ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    assert second["payment"]["status"] == "SUCCEEDED"
    (cancel,) = fake.seen("POST", "/v1/payment_intents/pi_fake_1/cancel")
    assert cancel.form["cancellation_reason"] == "abandoned"
    assert fake.stored["pi_fake_1"]["status"] == "canceled"
    old = await one(world.engine, Payment, abandoned.id)
    assert (old.status, old.failure_message) == (PaymentStatus.FAILED, ABANDONED)
    assert len(await rows(world.engine, Order)) == 1


async def test_r_pay_4_stripe_an_intent_that_succeeded_without_its_webhook_is_settled(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    """The payer finished 3-D Secure but the webhook never came: reconciling retrieves the
    intent, finds it succeeded and issues the order as the webhook would; nothing canceled."""
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote, AUTH), FIELD)
        (waiting,) = await payments_of(world, quote)
        fake.stored["pi_fake_1"]["status"] = "succeeded"
        await age(world.engine, waiting.id)
        again = await pay(client, world.alice_token, quote, "pm_card_visa")
    assert user_errors(again, FIELD) == [(["input", "quoteId"], "QUOTE_NOT_OPEN")]
    assert fake.seen("GET", "/v1/payment_intents/pi_fake_1")
    assert not fake.seen("POST", "/v1/payment_intents/pi_fake_1/cancel")
    assert len(fake.intents()) == 1  # the second token was never charged
    paid = await one(world.engine, Payment, waiting.id)
    (order,) = await rows(world.engine, Order)
    assert paid.status == PaymentStatus.SUCCEEDED and paid.order_id == order.id


async def test_r_pay_4_stripe_reconcile_cli_finds_a_crashed_attempt_by_its_metadata(
    world: World,
    stripe_client: Any,
    fake: FakeStripe,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The processor's answer was never recorded (a crash): the intent is found by our
    payment id in its metadata, canceled, and the attempt FAILED with its reference."""
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote, AUTH), FIELD)
    (crashed,) = await payments_of(world, quote)
    async with world.engine.begin() as conn:
        await conn.execute(
            update(Payment)
            .where(Payment.id == crashed.id)
            .values(status=PaymentStatus.PROCESSING, processor_payment_id=None, client_secret=None)
        )
    await age(world.engine, crashed.id)
    cli_environment(
        monkeypatch,
        settings,
        stripe_secret_key=SECRET_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=fake.url,
    )
    assert await asyncio.to_thread(main, ["payments", "reconcile"]) == 0
    (search,) = fake.seen("GET", "/v1/payment_intents/search")
    assert search.form["query"] == f"metadata['conex_payment_id']:'{crashed.id}'"
    assert fake.stored["pi_fake_1"]["status"] == "canceled"
    row = await one(world.engine, Payment, crashed.id)
    assert (row.status, row.processor_payment_id) == (PaymentStatus.FAILED, "pi_fake_1")


async def test_r_pay_2_stripe_a_success_after_failed_on_a_paid_quote_is_refunded_once(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        ok(await pay(client, world.alice_token, quote, AUTH), FIELD)
        (abandoned,) = await payments_of(world, quote)
        await age(world.engine, abandoned.id)
        ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)  # cancels it
        canceled = await one(world.engine, Payment, abandoned.id)
        body, headers = webhook(canceled, secret=WEBHOOK_SECRET)  # the payer finished after all
        first = await send_webhook(client, body, headers)
        duplicate = await send_webhook(client, body, headers)
    assert (first.status_code, first.json()["outcome"]) == (200, "refunded")
    assert (duplicate.status_code, duplicate.json()["outcome"]) == (200, "unchanged")
    (refund,) = fake.seen("POST", "/v1/refunds")
    assert refund.form["payment_intent"] == "pi_fake_1"
    assert refund.headers["idempotency-key"] == "conex-refund-pi_fake_1"
    (re_id,) = fake.refunds
    row = await one(world.engine, Payment, abandoned.id)
    assert (row.status, row.refund_id) == (PaymentStatus.FAILED, re_id)
    assert len(await rows(world.engine, Order)) == 1
    assert len(await audit_events(world.engine, "paymentRefund")) == 1


async def test_r_pay_2_stripe_a_refund_stripe_does_not_answer_is_sent_again_later(
    world: World, stripe_client: Any, fake: FakeStripe
) -> None:
    quote = await quote_to_pay(world)
    async with stripe_client() as client:
        body = await pay(client, world.alice_token, quote, "pm_card_chargeDeclined")
        assert user_errors(body, FIELD)[0][1] == "PAYMENT_DECLINED"
        ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
        (failed, _) = sorted(await payments_of(world, quote), key=lambda p: p.id)
        event = webhook(failed, secret=WEBHOOK_SECRET)
        fake.fail_with = 500
        refused = await send_webhook(client, *event)
        assert refused.status_code == 503  # the processor sends it again
        assert (await one(world.engine, Payment, failed.id)).refund_id is None
        fake.fail_with = None
        resent = await send_webhook(client, *event)
    assert resent.json()["outcome"] == "refunded"
    assert (await one(world.engine, Payment, failed.id)).refund_id is not None
