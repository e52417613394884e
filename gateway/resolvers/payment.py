"""quotePay: decode the input, run the payment's steps, map the outcome to the payload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.actions import payment as actions
from gateway.domain.enums import PaymentMethod, PrincipalKind
from gateway.resolvers.mutate import Units, mutate_in_steps, require_id, user_error
from gateway.schema import payloads as p
from gateway.schema.info import Info, require
from gateway.schema.mutation_inputs import QuotePayInput
from gateway.schema.order import Order
from gateway.schema.payment import Payment
from gateway.schema.quote import Quote


async def quote_pay(info: Info, input: QuotePayInput) -> p.QuotePayPayload:
    """R-PAY-1..4 (see actions.payment.pay_quote): a quote's contacts, or its partner with
    quotes:write; staff record payments with quoteRecordPayment."""
    principal = require(info, PrincipalKind.CUSTOMER, PrincipalKind.PARTNER)
    services = info.context.services

    async def work(units: Units) -> dict[str, Any]:
        command = actions.PayQuote(
            quote_id=require_id(input.quote_id, "Quote", "quoteId"),
            expected_version=input.expected_version,
            token=input.payment_token,
            method=input.method or PaymentMethod.CARD,
        )
        result = await actions.pay_quote(
            units=units,
            principal=principal,
            command=command,
            processor=services.payments,
            return_url=f"{services.settings.web_base_url}/payments/return",
            stale_after=dt.timedelta(minutes=services.settings.payment_action_timeout_minutes),
        )
        refusals = [result.refusal] if result.refusal is not None else []
        return {
            "payment": Payment.from_row(result.payment),
            "order": Order.from_row(result.order) if result.order is not None else None,
            "quote": Quote.from_row(result.quote) if result.quote is not None else None,
            "user_errors": [user_error(r, ("input",)) for r in refusals],
        }

    return await mutate_in_steps(info, p.QuotePayPayload, work, field_prefix=("input",))
