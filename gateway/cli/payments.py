"""``conex-gateway dev-payment complete|fail PAYMENT``: the development processor's webhook.

A payment of the development processor that waits for the payer (REQUIRES_ACTION: 3-D
Secure with ``pm_card_authenticationRequired``, or PayPal's approval) is completed or
failed the way Stripe does it: by a webhook signed with the endpoint's secret, posted to the
running gateway's ``/webhooks/payments`` (``CONEX_PUBLIC_URL``, or ``--url``). The gateway
verifies it as it verifies Stripe's (R-PAY-3). Refused outside ``CONEX_ENV=dev``.

``conex-gateway payments reconcile``: every payment in progress with no news for
``CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES`` (abandoned 3-D Secure, a crash before the
processor's answer) is asked of the processor and settled, or canceled and failed, so that
its quote is open again (R-PAY-4, ``gateway.actions.payment_reconcile``). Any environment;
run it from cron or a timer every few minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from contextlib import AbstractAsyncContextManager

import httpx

from db.engine import create_session_factory
from db.queries.payment import payment_of_conn, quote_number
from gateway.actions.payment_reconcile import Reconciled, reconcile_stale
from gateway.actions.unit import UnitOfWork, unit_of_work
from gateway.auth.principal import Principal
from gateway.cli.base import CommandFailed, ConfigurationError, open_database
from gateway.domain.enums import PrincipalKind
from gateway.integrations.payment_webhooks import intent_object, signed_event
from gateway.integrations.payments import (
    PaymentProcessor,
    ProcessorUnavailable,
    processor_for,
    to_minor_units,
    webhook_secret,
)
from gateway.schema.relay import decode_id_of
from gateway.settings import Settings, load_settings

FAILED_MESSAGE = "The payment was not authenticated."
TIMEOUT_SECONDS = 10.0


def payment_pk(text: str) -> int:
    """A payment's global id (from quotePay's answer) or its number."""
    if text.isdigit():
        return int(text)
    pk = decode_id_of(text, "Payment")
    if pk is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a payment id")
    return pk


def dev_payment(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.env != "dev":
        raise ConfigurationError("dev-payment works only with CONEX_ENV=dev")
    secret = webhook_secret(settings)
    assert secret is not None  # dev always has one
    body, header = asyncio.run(_event(settings, args.payment, complete=args.action == "complete"))
    url = f"{(args.url or settings.public_url).rstrip('/')}/webhooks/payments"
    try:
        response = httpx.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            timeout=TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise CommandFailed(f"cannot post the webhook to {url}: {exc}") from None
    if response.status_code != 200:
        raise CommandFailed(f"{url} answered {response.status_code}: {response.text[:200]}")
    print(f"payment {args.payment}: webhook {response.json().get('outcome', '?')}")
    return 0


async def _event(settings: Settings, pk: int, *, complete: bool) -> tuple[bytes, str]:
    engine = await open_database(settings)
    try:
        async with engine.connect() as conn:
            payment = await payment_of_conn(conn, pk)
            number = await quote_number(conn, payment.quote_id) if payment else None
    finally:
        await engine.dispose()
    if payment is None or number is None:
        raise CommandFailed(f"no payment {pk}")
    if payment.processor != "dev":
        raise CommandFailed(
            f"payment {pk} went to {payment.processor}, which sends its own webhooks"
        )
    if not payment.in_progress or payment.processor_payment_id is None:
        verb = "complete" if complete else "fail"
        raise CommandFailed(f"payment {pk} is {payment.status.value}: nothing to {verb}")
    secret = webhook_secret(settings)
    assert secret is not None
    intent = intent_object(
        intent_id=payment.processor_payment_id,
        status="succeeded" if complete else "requires_payment_method",
        amount=to_minor_units(payment.amount, payment.currency),
        currency=payment.currency,
        payment_id=payment.id,
        quote_number=number,
        failure_message=None if complete else FAILED_MESSAGE,
    )
    kind = "payment_intent.succeeded" if complete else "payment_intent.payment_failed"
    return signed_event(secret=secret, event_type=kind, intent=intent)


RECONCILER = Principal(PrincipalKind.SYSTEM, name="payment reconciliation")


def payments_reconcile(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        processor = processor_for(settings)
    except ProcessorUnavailable as exc:
        raise ConfigurationError(str(exc)) from None
    minutes = args.older_than or settings.payment_action_timeout_minutes
    done = asyncio.run(_reconcile(settings, processor, dt.timedelta(minutes=minutes)))
    for item in done:
        print(f"payment {item.payment_id}: {item.outcome}")
    print(f"{len(done)} payment(s) in progress for over {minutes} minutes")
    if any(item.outcome == "unavailable" for item in done):
        raise CommandFailed("the payment processor did not answer; run it again later")
    return 0


async def _reconcile(
    settings: Settings, processor: PaymentProcessor, stale_after: dt.timedelta
) -> list[Reconciled]:
    engine = await open_database(settings)
    sessions = create_session_factory(engine)

    def units() -> AbstractAsyncContextManager[UnitOfWork]:
        return unit_of_work(
            session_factory=sessions,
            principal=RECONCILER,
            now=dt.datetime.now(dt.UTC),
            web_url=settings.web_base_url,
        )

    try:
        now = dt.datetime.now(dt.UTC)
        return await reconcile_stale(
            units=units, processor=processor, now=now, stale_after=stale_after
        )
    finally:
        await engine.dispose()
