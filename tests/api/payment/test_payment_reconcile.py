"""Abandoned payments reconciled with the development processor (R-PAY-4): past
``CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES`` a payment still in progress is asked of the
processor and canceled (or settled), by ``quotePay`` touching the quote again or by
``conex-gateway payments reconcile``; and a payment the processor confirms after it was
recorded FAILED pays the quote if it can, else is refunded once (R-PAY-2, R-PRICE-5)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Order, OutgoingMail, Payment, Quote
from gateway.actions.payment_reconcile import ABANDONED, NEVER_REACHED
from gateway.cli import main
from gateway.domain.enums import Currency, PaymentMethod, PaymentStatus, PrincipalKind
from gateway.integrations.payments import webhook_secret
from gateway.settings import Settings
from tests.api.client import ok, send, user_errors
from tests.api.payment.support import (
    FIELD,
    TIMEOUT,
    age,
    cli_environment,
    pay,
    payments_of,
    quote_to_pay,
    send_webhook,
    webhook,
)
from tests.api.world import World, audit_events, changes, gid, one, rows


async def insert_payment(engine: AsyncEngine, **values: Any) -> int:
    async with engine.begin() as conn:
        found = await conn.execute(insert(Payment).values(**values).returning(Payment.id))
        return int(found.scalar_one())


async def test_r_pay_4_an_abandoned_3ds_payment_is_canceled_when_the_quote_is_paid_again(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world)
    first = ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
    assert first["payment"]["status"] == "REQUIRES_ACTION"
    (abandoned,) = await payments_of(world, quote)
    await age(world.engine, abandoned.id)
    second = ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    assert second["payment"]["status"] == "SUCCEEDED" and second["order"] is not None
    old = await one(world.engine, Payment, abandoned.id)
    assert old.status == PaymentStatus.FAILED and old.failure_message == ABANDONED
    assert old.client_secret is None
    assert len(await rows(world.engine, Order)) == 1
    (event,) = await audit_events(world.engine, "paymentReconcile")
    assert changes(event)["status"] == ("REQUIRES_ACTION", "FAILED")


async def test_r_pay_4_before_the_timeout_the_payment_still_blocks_the_quote(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world)
    ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
    (waiting,) = await payments_of(world, quote)
    await age(world.engine, waiting.id, TIMEOUT - dt.timedelta(minutes=5))
    again = await pay(client, world.alice_token, quote, "pm_card_visa")
    assert user_errors(again, FIELD) == [(["input", "quoteId"], "PAYMENT_IN_PROGRESS")]
    assert (await one(world.engine, Payment, waiting.id)).status == PaymentStatus.REQUIRES_ACTION
    assert await audit_events(world.engine, "paymentReconcile") == []


async def test_r_pay_4_reconcile_cli_fails_a_crashed_attempt_and_the_quote_is_editable(
    client: Any,
    world: World,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A crash between recording the attempt (PROCESSING) and the processor's answer: the
    processor has no payment of it, so it is FAILED and the quote open for edits again."""
    quote = await quote_to_pay(world)
    now = dt.datetime.now(dt.UTC) - TIMEOUT - dt.timedelta(minutes=2)
    crashed = await insert_payment(
        world.engine,
        quote_id=quote,
        status=PaymentStatus.PROCESSING,
        method=PaymentMethod.CARD,
        amount=(await one(world.engine, Quote, quote)).total,
        currency=Currency.EUR,
        processor="dev",
        payer_kind=PrincipalKind.CUSTOMER,
        payer_account_id=world.alice,
        created_at=now,
        updated_at=now,
    )
    fresh = await quote_to_pay(world)
    ok(await pay(client, world.alice_token, fresh, "pm_card_authenticationRequired"), FIELD)
    edit = {"id": gid("Quote", quote), "poNumber": "PO-1", "expectedVersion": 1}
    blocked = await send(client, "SetQuotePoNumber", edit, world.alice_token)
    assert user_errors(blocked, "quoteSetPoNumber")[0][1] == "PAYMENT_IN_PROGRESS"
    cli_environment(monkeypatch, settings)
    assert await asyncio.to_thread(main, ["payments", "reconcile"]) == 0
    assert f"payment {crashed}: failed" in capsys.readouterr().out
    row = await one(world.engine, Payment, crashed)
    assert row.status == PaymentStatus.FAILED and row.failure_message == NEVER_REACHED
    (other,) = await payments_of(world, fresh)  # not stale: left alone
    assert other.status == PaymentStatus.REQUIRES_ACTION
    edited = await send(client, "SetQuotePoNumber", edit, world.alice_token)
    assert user_errors(edited, "quoteSetPoNumber") == []
    (event,) = await audit_events(world.engine, "paymentReconcile")
    assert event.principal_kind == "SYSTEM"


# --- A confirmation after FAILED (R-PAY-2) ---------------------------------------------------


async def declined(client: Any, world: World, quote: int) -> Any:
    body = await pay(client, world.alice_token, quote, "pm_card_chargeDeclined")
    assert user_errors(body, FIELD) == [(["input", "paymentToken"], "PAYMENT_DECLINED")]
    (payment,) = await payments_of(world, quote)
    return payment


async def test_r_pay_2_a_success_after_failed_issues_the_order_if_the_quote_is_payable(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    failed = await declined(client, world, quote)
    body, headers = webhook(failed, secret=webhook_secret(settings) or "")
    first = await send_webhook(client, body, headers)
    duplicate = await send_webhook(client, body, headers)
    assert (first.status_code, first.json()["outcome"]) == (200, "settled")
    assert duplicate.json()["outcome"] == "unchanged"
    paid = await one(world.engine, Payment, failed.id)
    assert paid.status == PaymentStatus.SUCCEEDED and paid.failure_message is None
    (order,) = await rows(world.engine, Order)
    assert paid.order_id == order.id and order.quote_id == quote
    assert len(await rows(world.engine, OutgoingMail)) == 2  # one per contact, once


async def test_r_pay_2_a_success_after_failed_on_a_quote_paid_otherwise_is_refunded_once(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    failed = await declined(client, world, quote)
    ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    body, headers = webhook(failed, secret=webhook_secret(settings) or "")
    first = await send_webhook(client, body, headers)
    duplicate = await send_webhook(client, body, headers)
    assert (first.status_code, first.json()["outcome"]) == (200, "refunded")
    assert duplicate.json()["outcome"] == "unchanged"
    refunded = await one(world.engine, Payment, failed.id)
    assert refunded.status == PaymentStatus.FAILED and refunded.order_id is None
    assert refunded.refund_id.startswith("re_dev_") and refunded.refunded_at is not None
    assert len(await rows(world.engine, Order)) == 1
    (event,) = await audit_events(world.engine, "paymentRefund")
    assert event.entity_type == "Payment" and event.entity_id == failed.id
    assert "is paid" in changes(event)["reason"][1]
    listed = await send(client, "RecentPayments", {}, world.staff_token)
    assert listed["data"]["payments"]["totalCount"] == 2
