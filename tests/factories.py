"""Small, explicit row factories for API tests (the demo dataset is for humans)."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import (
    Account,
    ApiToken,
    ExchangeRate,
    License,
    Order,
    Organization,
    Partner,
    Price,
    Product,
    ProductRelease,
    Quote,
    QuoteLine,
    RefreshToken,
    TaxId,
    order_licenses,
)
from gateway.auth.tokens import issue_access_token, new_opaque_token, token_hash
from gateway.domain.enums import (
    Currency,
    Deployment,
    LicenseType,
    PartnerScope,
    PriceKind,
    QuoteLineKind,
    QuoteStatus,
    Tier,
    TokenKind,
)

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
_seq = itertools.count(1)

SERVER_EUR = {
    Tier.STARTER: "1200",
    Tier.EXPRESS: "2400",
    Tier.PROFESSIONAL: "4800",
    Tier.ENTERPRISE: "9600",
}


async def _insert(engine: AsyncEngine, model: Any, **values: Any) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(insert(model).values(**values).returning(model.id))
        return int(result.scalar_one())


async def catalog(engine: AsyncEngine) -> dict[Deployment, int]:
    """Products, prices (EUR/USD, new/renewal), a DZD rate and releases 1.0–2.1."""
    async with engine.connect() as conn:
        existing = (await conn.execute(select(Product.id, Product.deployment))).all()
    if existing:
        return {Deployment(row.deployment): row.id for row in existing}
    ids = {}
    for deployment, code, name in (
        (Deployment.SERVER, "server", "Conex Books Server"),
        (Deployment.DATA_CENTER, "data-center", "Conex Books Data Center"),
        (Deployment.CLOUD, "cloud", "Conex Books Cloud"),
    ):
        ids[deployment] = await _insert(
            engine, Product, code=code, name=name, deployment=deployment
        )
    rows = []
    for deployment, product_id in ids.items():
        tiers = [Tier.ENTERPRISE] if deployment is Deployment.DATA_CENTER else list(SERVER_EUR)
        for tier in tiers:
            eur = Decimal(SERVER_EUR[tier]) * (
                Decimal(3) if deployment is Deployment.DATA_CENTER else 1
            )
            if deployment is Deployment.CLOUD:
                eur = eur / 2
            for currency, amount in ((Currency.EUR, eur), (Currency.USD, eur * Decimal("1.1"))):
                for kind, share in ((PriceKind.NEW, 1), (PriceKind.RENEWAL, Decimal("0.5"))):
                    rows.append(
                        dict(
                            product_id=product_id,
                            tier=tier,
                            currency=currency,
                            kind=kind,
                            amount=(amount * share).quantize(Decimal("0.01")),
                        )
                    )
    async with engine.begin() as conn:
        await conn.execute(insert(Price), rows)
        await conn.execute(
            insert(ExchangeRate).values(
                base=Currency.EUR,
                target=Currency.DZD,
                rate=Decimal("146.35"),
                margin=Decimal("0.03"),
                effective_at=NOW - dt.timedelta(days=30),
            )
        )
        await conn.execute(
            insert(ProductRelease),
            [
                dict(major=1, minor=0, released_on=dt.date(2023, 3, 1)),
                dict(major=1, minor=4, released_on=dt.date(2024, 1, 15)),
                dict(major=2, minor=0, released_on=dt.date(2025, 6, 1)),
                dict(major=2, minor=1, released_on=dt.date(2025, 12, 1)),
            ],
        )
    return ids


async def account(engine: AsyncEngine, email: str | None = None, **values: Any) -> int:
    n = next(_seq)
    return await _insert(
        engine,
        Account,
        email=email or f"user{n}@example.com",
        name=values.pop("name", f"User {n}"),
        country=values.pop("country", "FR"),
        **values,
    )


async def tax_id(engine: AsyncEngine, account_id: int, kind: str, value: str) -> int:
    return await _insert(engine, TaxId, account_id=account_id, kind=kind, value=value)


async def partner(engine: AsyncEngine, **values: Any) -> int:
    n = next(_seq)
    defaults = dict(name=f"Partner {n}", region="EMEA", country="FR", website="https://p.example")
    return await _insert(engine, Partner, **{**defaults, **values})


async def organization(engine: AsyncEngine, **values: Any) -> int:
    n = next(_seq)
    return await _insert(
        engine, Organization, **{"name": f"Library {n}", "country": "FR", **values}
    )


async def license(
    engine: AsyncEngine,
    *,
    product_id: int,
    organization_id: int,
    billing: int,
    technical: int | None = None,
    **values: Any,
) -> int:
    n = next(_seq)
    defaults: dict[str, Any] = dict(
        sen=f"SEN-L{n:07d}",
        tier=Tier.PROFESSIONAL,
        license_type=LicenseType.COMMERCIAL,
        deployment_entity="Central Library",
        license_key=f"KEY-{n}",
        purchased_on=TODAY - dt.timedelta(days=100),
        purchase_amount=Decimal("3840.00"),
        purchase_currency=Currency.EUR,
        maintenance_starts_on=TODAY - dt.timedelta(days=100),
        maintenance_ends_on=TODAY + dt.timedelta(days=265),
    )
    return await _insert(
        engine,
        License,
        product_id=product_id,
        organization_id=organization_id,
        billing_account_id=billing,
        technical_account_id=technical or billing,
        **{**defaults, **values},
    )


async def quote(
    engine: AsyncEngine,
    *,
    organization_id: int,
    billing: int,
    technical: int | None = None,
    lines: list[dict[str, Any]] | None = None,
    **values: Any,
) -> int:
    n = next(_seq)
    defaults: dict[str, Any] = dict(
        number=f"Q-{n:06d}",
        status=QuoteStatus.OPEN,
        currency=Currency.EUR,
        valid_until=TODAY + dt.timedelta(days=20),
        subtotal=Decimal("4800.00"),
        discount_total=Decimal("960.00"),
        tax=Decimal("0.00"),
        total=Decimal("3840.00"),
        created_at=NOW - dt.timedelta(days=10),
        updated_at=NOW - dt.timedelta(days=10),
    )
    quote_id = await _insert(
        engine,
        Quote,
        organization_id=organization_id,
        billing_account_id=billing,
        technical_account_id=technical or billing,
        **{**defaults, **values},
    )
    for position, line in enumerate(lines or []):
        await _insert(engine, QuoteLine, quote_id=quote_id, position=position, **{**LINE, **line})
    return quote_id


LINE: dict[str, Any] = dict(
    kind=QuoteLineKind.NEW,
    tier=Tier.PROFESSIONAL,
    license_type=LicenseType.COMMERCIAL,
    deployment_entity="Central Library",
    quantity=1,
    unit_price=Decimal("4800.00"),
    subtotal=Decimal("4800.00"),
    discount_total=Decimal("960.00"),
    total=Decimal("3840.00"),
    discounts=[{"kind": "PROMOTIONAL", "percent": "20", "amount": "960.00"}],
)


async def order(
    engine: AsyncEngine,
    *,
    quote_id: int,
    organization_id: int,
    billing: int,
    license_ids: Sequence[int] = (),
    **values: Any,
) -> int:
    n = next(_seq)
    defaults: dict[str, Any] = dict(
        number=f"O-{n:06d}",
        invoice_number=f"INV-{n:06d}",
        paid_at=NOW - dt.timedelta(days=5),
        payment_method="CARD",
        currency=Currency.EUR,
        total=Decimal("3840.00"),
        billing_name="B",
        billing_email="b@example.com",
        technical_name="T",
        technical_email="t@example.com",
    )
    order_id = await _insert(
        engine,
        Order,
        quote_id=quote_id,
        organization_id=organization_id,
        billing_account_id=billing,
        technical_account_id=billing,
        **{**defaults, **values},
    )
    if license_ids:
        async with engine.begin() as conn:
            await conn.execute(
                insert(order_licenses), [dict(order_id=order_id, license_id=i) for i in license_ids]
            )
    return order_id


async def customer_token(
    engine: AsyncEngine, account_id: int, secret_key: str, *, minutes: int = 15
) -> str:
    """A live session for the account and its access token (valid ``minutes``)."""
    family = str(uuid.uuid4())
    await _insert(
        engine,
        RefreshToken,
        account_id=account_id,
        family=family,
        token_hash=token_hash(uuid.uuid4().hex),
        expires_at=NOW + dt.timedelta(days=3650),
    )
    token, _ = issue_access_token(
        account_id=account_id,
        session_family=family,
        key=secret_key,
        now=dt.datetime.now(dt.UTC),
        minutes=minutes,
    )
    return token


async def api_token(
    engine: AsyncEngine,
    kind: TokenKind,
    *,
    partner_id: int | None = None,
    scopes: list[PartnerScope] = (),  # type: ignore[assignment]
    **values: Any,
) -> str:
    token = new_opaque_token(kind)
    await _insert(
        engine,
        ApiToken,
        kind=kind,
        name=values.pop("name", "test token"),
        prefix=token[:12],
        token_hash=token_hash(token),
        partner_id=partner_id,
        scopes=[str(s) for s in scopes],
        **values,
    )
    return token
