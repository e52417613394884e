"""Helpers of the conversion tests: an evaluation of Alice's, a quote converting it, paying."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gateway.domain.enums import Deployment, LicenseType, Tier
from tests.api.client import Answer, ok, send
from tests.api.world import World, gid, today

ENTITY = "Main Campus"


async def evaluation(
    world: World,
    deployment: Deployment = Deployment.SERVER,
    *,
    ends_in_days: int = 5,
    **values: Any,
) -> int:
    """An evaluation of Alice's for "Main Campus" of the world's organization (R-EVAL-1/2)."""
    values.setdefault("deployment_entity", ENTITY)
    return await world.license(
        deployment,
        tier=Tier.ENTERPRISE,
        license_type=LicenseType.EVALUATION,
        purchase_amount=None,
        purchased_on=None,
        purchase_currency=None,
        maintenance_starts_on=None,
        maintenance_ends_on=None,
        evaluation_ends_on=today() + dt.timedelta(days=ends_in_days),
        **values,
    )


def converting_line(
    world: World,
    evaluation_id: int | str | None,
    deployment: Deployment = Deployment.SERVER,
    *,
    entity: str = ENTITY,
    tier: str = "PROFESSIONAL",
    quantity: int = 1,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "product": gid("Product", world.products[deployment]),
        "tier": tier,
        "licenseType": "COMMERCIAL",
        "deploymentEntity": entity,
        "quantity": quantity,
    }
    if evaluation_id is not None:
        value["convertsEvaluation"] = (
            gid("License", evaluation_id) if isinstance(evaluation_id, int) else evaluation_id
        )
    return value


def quote_input(*lines: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "currency": "EUR",
        "organization": {"name": "Bibliothèque de Lyon", "country": "FR", "academic": False},
        "billingContactEmail": "alice@example.com",
        "technicalContactEmail": "alice@example.com",
        "lines": list(lines),
        **overrides,
    }


async def create(client: Any, token: str, *lines: dict[str, Any]) -> Answer:
    return await send(client, "CreateQuote", {"input": quote_input(*lines)}, token)


async def pay(client: Any, world: World, quote: dict[str, Any]) -> Answer:
    """quoteRecordPayment of the quote's total, by staff (the one order-issue path)."""
    variables = {
        "input": {
            "quoteId": quote["id"],
            "method": "BANK_TRANSFER",
            "amount": quote["total"]["amount"],
        }
    }
    return await send(client, "RecordPayment", variables, world.staff_token)


async def created_quote(client: Any, world: World, *lines: dict[str, Any]) -> dict[str, Any]:
    quote: dict[str, Any] = ok(await create(client, world.alice_token, *lines), "quoteCreate")[
        "quote"
    ]
    return quote
