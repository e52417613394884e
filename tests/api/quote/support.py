"""Helpers of the quote mutation tests: inputs as the clients send them, table snapshots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.models import Account, AuditEvent, Organization, OutgoingMail, Partner, Quote, QuoteLine
from gateway.domain.enums import Deployment
from tests.api.world import World, gid

# What a refused quote mutation must leave exactly as it was (R-QUOTE-7 "changes nothing").
WATCHED = (Quote, QuoteLine, Organization, Account, AuditEvent, OutgoingMail)


def line(
    world: World,
    deployment: Deployment = Deployment.SERVER,
    *,
    tier: str = "PROFESSIONAL",
    license_type: str = "COMMERCIAL",
    entity: str = "Central Library",
    quantity: int | None = 1,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "product": gid("Product", world.products[deployment]),
        "tier": tier,
        "licenseType": license_type,
        "deploymentEntity": entity,
    }
    if quantity is not None:
        value["quantity"] = quantity
    return value


def create_input(world: World, **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "currency": "EUR",
        "organization": {"name": "Bibliothèque de Lyon", "country": "FR", "academic": False},
        "billingContactEmail": "alice@example.com",
        "technicalContactEmail": "alice@example.com",
        "lines": [line(world)],
    }
    value.update(overrides)
    return value


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a quote mutation writes, in primary-key order."""
    tables = {}
    async with engine.connect() as conn:
        for model in WATCHED:
            table = Base.metadata.tables[model.__tablename__]
            rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [tuple(row) for row in rows]
    return tables


async def set_partner_discount(engine: AsyncEngine, partner_id: int, percent: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(Partner)
            .where(Partner.id == partner_id)
            .values(discount_percent=Decimal(percent))
        )


def amounts(lines: list[dict[str, Any]]) -> list[str]:
    return [ln["total"]["amount"] for ln in lines]
