"""quotePay with the development processor (R-PAY-1..4): Stripe's test tokens, no network."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from types import SimpleNamespace
from typing import Any

import pytest

from db.models import AuditEvent, Order, OutgoingMail, Payment, Quote
from gateway.domain.enums import Currency, PaymentStatus, QuoteStatus
from gateway.integrations.payments import webhook_secret
from gateway.settings import Settings
from tests.api.client import ok, request_error, send, user_errors
from tests.api.payment.support import (
    FIELD,
    PAYMENT_STATUS,
    RECENT_PAYMENTS,
    line,
    pay,
    payments_of,
    post,
    quote_to_pay,
    send_webhook,
    webhook,
)
from tests.api.world import World, dump, gid, mail_to, one, rows
from tests.helpers import ClientWith


async def test_r_pay_1_a_contact_pays_with_pm_card_visa_and_gets_order_licenses_and_mail(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world, line(world, quantity=2, total="7680.00"))
    result = ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    payment = result["payment"]
    assert payment["status"] == "SUCCEEDED"
    assert payment["amount"] == {"amount": "7680.00", "currency": "EUR"}
    assert payment["clientSecret"] is None and payment["failureMessage"] is None
    order = result["order"]
    assert order["number"] == "O-500000"
    assert len(order["licenses"]) == 2
    assert all(lic["licenseKey"] for lic in order["licenses"])  # R-PRICE-5: keys only now
    assert result["quote"]["status"] == "PAID"
    (stored,) = await payments_of(world, quote)
    assert (stored.card_brand, stored.card_last4, stored.processor) == ("visa", "4242", "dev")
    assert stored.processor_payment_id.startswith("pi_dev_")
    assert stored.order_id is not None and stored.client_secret is None
    (paid,) = await rows(world.engine, Order, Order.quote_id == quote)
    assert (paid.payment_method, paid.payment_reference) == ("CARD", stored.processor_payment_id)
    # R-PAY-2: the billing and the technical contact, once each.
    for address in ("alice@example.com", "bob@example.com"):
        (mail,) = await mail_to(world.engine, address)
        assert mail.template == "payment_received" and "O-500000" in mail.body


async def test_r_pay_1_the_token_is_never_in_the_audit_or_the_logs(
    client: Any, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    quote = await quote_to_pay(world)
    caplog.set_level(logging.DEBUG)
    ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)
    events = await rows(world.engine, AuditEvent, AuditEvent.action == "quotePay")
    kinds = {event.entity_type for event in events}
    assert {"Payment", "Order", "Quote", "License"} <= kinds
    (payment_event,) = [e for e in events if e.entity_type == "Payment"]
    changes = {c["field"]: c["after"] for c in payment_event.changes}
    assert changes["card"] == "visa ending 4242"
    assert changes["status"] == "SUCCEEDED"
    assert "pm_card_visa" not in json.dumps([e.changes for e in events])
    assert "pm_card_visa" not in caplog.text


async def test_r_pay_1_a_partner_with_quotes_write_pays_the_quote_it_resold(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world, partner_id=world.partner, is_reseller=True)
    read_only = world.partner_tokens["QUOTES_READ"]
    assert user_errors(await pay(client, read_only, quote), FIELD) == [
        (["input", "quoteId"], "NOT_FOUND")
    ]
    result = ok(await pay(client, world.partner_tokens["ALL"], quote), FIELD)
    assert result["payment"]["status"] == "SUCCEEDED"
    # R-SEC-3: a partner sees no license key, even of what it paid for.
    assert all(lic["licenseKey"] is None for lic in result["order"]["licenses"])


async def test_r_pay_1_strangers_staff_and_anonymous_cannot_pay(client: Any, world: World) -> None:
    quote = await quote_to_pay(world, technical=world.alice)
    before = await dump(world.engine)
    assert user_errors(await pay(client, world.bob_token, quote), FIELD) == [
        (["input", "quoteId"], "NOT_FOUND")
    ]
    assert request_error(await pay(client, world.staff_token, quote)) == "FORBIDDEN"
    assert request_error(await pay(client, None, quote)) == "UNAUTHENTICATED"
    assert await dump(world.engine) == before


@pytest.mark.parametrize(
    ("values", "variables", "expected"),
    [
        ({"status": QuoteStatus.PAID}, {}, (["input", "quoteId"], "QUOTE_NOT_OPEN")),
        ({"valid_until": "past"}, {}, (["input", "quoteId"], "QUOTE_NOT_OPEN")),
        ({}, {"version": 2}, (["input", "expectedVersion"], "STALE_VERSION")),
        ({}, {"method": "BANK_TRANSFER"}, (["input", "method"], "INVALID")),
        ({"currency": "DZD"}, {"method": "PAYPAL"}, (["input", "method"], "CURRENCY_NOT_ALLOWED")),
        ({}, {"payment_token": "4242424242424242"}, (["input", "paymentToken"], "INVALID")),
        ({}, {"payment_token": "  "}, (["input", "paymentToken"], "REQUIRED")),
    ],
)
async def test_r_pay_1_refusals_write_nothing(
    client: Any, world: World, values: dict[str, Any], variables: dict[str, Any], expected: Any
) -> None:
    if values.get("valid_until") == "past":
        values["valid_until"] = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    if "currency" in values:
        values["currency"] = Currency(values["currency"])
    quote = await quote_to_pay(world, **values)
    before = await dump(world.engine)
    body = await pay(client, world.alice_token, quote, **variables)
    assert user_errors(body, FIELD) == [expected]
    assert "4242424242424242" not in json.dumps([body.body, dict(body.headers)])
    assert await dump(world.engine) == before


async def test_r_pay_1_dzd_is_paid_by_card_for_its_total(client: Any, world: World) -> None:
    quote = await quote_to_pay(world, line(world, total="576000.00"), currency=Currency.DZD)
    result = ok(await pay(client, world.alice_token, quote), FIELD)
    assert result["payment"]["amount"] == {"amount": "576000.00", "currency": "DZD"}


async def test_r_pay_2_a_decline_records_a_failed_attempt_and_the_quote_stays_open(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world)
    body = await pay(client, world.alice_token, quote, "pm_card_chargeDeclined")
    result = body["data"][FIELD]
    assert [(e["field"], e["code"], e["message"]) for e in result["userErrors"]] == [
        (["input", "paymentToken"], "PAYMENT_DECLINED", "Your card was declined.")
    ]
    assert result["payment"]["status"] == "FAILED"
    assert result["payment"]["failureMessage"] == "Your card was declined."
    assert result["order"] is None and result["quote"]["status"] == "OPEN"
    assert await rows(world.engine, Order) == []
    assert await rows(world.engine, OutgoingMail) == []
    # R-PAY-4: a quote whose payment failed is open again: paid now, with another card.
    again = ok(await pay(client, world.alice_token, quote, "pm_card_mastercard"), FIELD)
    assert again["payment"]["status"] == "SUCCEEDED"
    statuses = [p.status for p in await payments_of(world, quote)]
    assert statuses == [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]


async def test_r_pay_4_in_progress_the_quote_is_neither_edited_nor_paid_again(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    result = ok(
        await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD
    )
    payment = result["payment"]
    assert payment["status"] == "REQUIRES_ACTION"
    assert payment["clientSecret"].startswith("pi_dev_")
    assert result["order"] is None and result["quote"] == {
        "id": gid("Quote", quote),
        "status": "OPEN",
        "version": 1,
    }
    refused = [
        await pay(client, world.alice_token, quote, "pm_card_visa"),
        await send(
            client,
            "SetQuotePoNumber",
            {"id": gid("Quote", quote), "poNumber": "PO-1", "expectedVersion": 1},
            world.alice_token,
        ),
        await send(client, "DeleteQuote", {"id": gid("Quote", quote)}, world.alice_token),
        await send(
            client,
            "RecordPayment",
            {"input": {"quoteId": gid("Quote", quote), "method": "CARD", "amount": "3840.00"}},
            world.staff_token,
        ),
    ]
    fields = [FIELD, "quoteSetPoNumber", "quoteDelete", "quoteRecordPayment"]
    for body, name in zip(refused, fields, strict=True):
        assert [code for _, code in user_errors(body, name)] == ["PAYMENT_IN_PROGRESS"], name
    # The payer authenticates; the processor's webhook completes the payment (R-PAY-2).
    (stored,) = await payments_of(world, quote)
    secret = webhook_secret(settings)
    assert secret is not None
    event, headers = webhook(stored, secret=secret)
    response = await send_webhook(client, event, headers)
    assert (response.status_code, response.json()["outcome"]) == (200, "settled")
    # The same event again (the processor resends until it hears 200): nothing more.
    again = await send_webhook(client, event, headers)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    assert len(await rows(world.engine, Order, Order.quote_id == quote)) == 1
    assert len(await rows(world.engine, OutgoingMail)) == 2
    (paid,) = await rows(world.engine, Quote, Quote.id == quote)
    assert paid.status == QuoteStatus.PAID
    (settled,) = await payments_of(world, quote)
    assert (settled.status, settled.client_secret) == (PaymentStatus.SUCCEEDED, None)


async def test_r_pay_4_a_failed_authentication_opens_the_quote_again(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
    (stored,) = await payments_of(world, quote)
    body, headers = webhook(
        stored,
        secret=webhook_secret(settings) or "",
        status="requires_payment_method",
        event_type="payment_intent.payment_failed",
        failure="The payment was not authenticated.",
    )
    assert (await send_webhook(client, body, headers)).json()["outcome"] == "settled"
    (failed,) = await payments_of(world, quote)
    assert failed.status == PaymentStatus.FAILED
    assert failed.failure_message == "The payment was not authenticated."
    edit = await send(
        client,
        "SetQuotePoNumber",
        {"id": gid("Quote", quote), "poNumber": "PO-2", "expectedVersion": 1},
        world.alice_token,
    )
    assert user_errors(edit, "quoteSetPoNumber") == []


async def test_r_pay_3_bad_signature_and_stale_timestamp_are_refused(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
    (stored,) = await payments_of(world, quote)
    before = await dump(world.engine)
    secret = webhook_secret(settings) or ""
    forged, headers = webhook(stored, secret="whsec_someone_else")
    stale, stale_headers = webhook(stored, secret=secret, timestamp=int(time.time()) - 301)
    good, good_headers = webhook(stored, secret=secret)
    tampered = good.replace(b'"succeeded"', b'"succeeded" ')
    for body, sent in (
        (forged, headers),
        (stale, stale_headers),
        (tampered, good_headers),
        (good, {"Content-Type": "application/json"}),
    ):
        response = await send_webhook(client, body, sent)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    assert await dump(world.engine) == before


async def test_r_pay_1_payment_status_and_the_client_secret_only_to_the_payer(
    client: Any, world: World
) -> None:
    quote = await quote_to_pay(world)
    result = ok(
        await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD
    )
    payment_id = result["payment"]["id"]
    status = await post(client, PAYMENT_STATUS, {"id": payment_id}, world.bob_token)
    node = status["data"]["node"]
    assert node["status"] == "REQUIRES_ACTION" and node["method"] == "CARD"
    assert node["quote"]["number"] and node["order"] is None
    secret_query = "query($id: ID!) { node(id: $id) { ... on Payment { clientSecret } } }"
    payer = await post(client, secret_query, {"id": payment_id}, world.alice_token)
    contact = await post(client, secret_query, {"id": payment_id}, world.bob_token)
    staff = await post(client, secret_query, {"id": payment_id}, world.staff_token)
    assert payer["data"]["node"]["clientSecret"].startswith("pi_dev_")
    assert contact["data"]["node"]["clientSecret"] is None
    assert staff["data"]["node"]["clientSecret"] is None


async def test_r_pay_1_recent_payments_staff_see_all_others_their_own(
    client: Any, world: World
) -> None:
    mine = await quote_to_pay(world, technical=world.alice)
    resold = await quote_to_pay(world, partner_id=world.partner, technical=world.alice)
    await pay(client, world.alice_token, mine, "pm_card_chargeDeclined")
    ok(await pay(client, world.alice_token, resold), FIELD)

    async def listed(token: str) -> list[str | None]:
        body = await post(client, RECENT_PAYMENTS, {}, token)
        assert "errors" not in body, body
        edges = body["data"]["payments"]["edges"]
        assert body["data"]["payments"]["totalCount"] == len(edges)
        return [e["node"]["status"] for e in edges]

    assert await listed(world.staff_token) == ["SUCCEEDED", "FAILED"]  # newest first
    assert await listed(world.alice_token) == ["SUCCEEDED", "FAILED"]
    assert await listed(world.bob_token) == []
    assert await listed(world.partner_tokens["QUOTES_WRITE"]) == ["SUCCEEDED"]
    assert await listed(world.partner_tokens["QUOTES_READ"]) == []
    hidden = (await rows(world.engine, Payment, Payment.quote_id == mine))[0]
    node = await post(client, PAYMENT_STATUS, {"id": gid("Payment", hidden.id)}, world.bob_token)
    assert node["data"]["node"] is None  # unseen is not found


async def test_r_pay_1_in_prod_without_the_processor_nothing_is_written(
    world: World, client_with: ClientWith
) -> None:
    quote = await quote_to_pay(world)
    before = await dump(world.engine)
    async with client_with(
        env="prod", public_url="https://api.example", web_url="https://my.example"
    ) as prod:
        body = await pay(prod, world.alice_token, quote)
    assert user_errors(body, FIELD) == [(["input", "method"], "PAYMENT_UNAVAILABLE")]
    assert await dump(world.engine) == before


async def test_r_pay_3_webhooks_are_refused_in_prod_without_their_secret(
    world: World, client_with: ClientWith
) -> None:
    async with client_with(
        env="prod", public_url="https://api.example", web_url="https://my.example"
    ) as prod:
        response = await prod.post("/webhooks/payments", content=b"{}")
    assert response.status_code == 503


async def test_r_pay_2_a_webhook_of_an_unknown_payment_is_acknowledged(
    client: Any, world: World, settings: Settings
) -> None:
    quote = await quote_to_pay(world)
    ok(await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD)
    (stored,) = await payments_of(world, quote)
    other = SimpleNamespace(**stored._asdict())
    other.processor_payment_id, other.id = "pi_unknown", 999
    body, headers = webhook(other, secret=webhook_secret(settings) or "")
    response = await send_webhook(client, body, headers)
    assert (response.status_code, response.json()["outcome"]) == (200, "unknown")
    assert (await one(world.engine, Payment, stored.id)).status == PaymentStatus.REQUIRES_ACTION
