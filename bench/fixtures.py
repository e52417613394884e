"""The rows and tokens the benchmark needs, added to the demo dataset deterministically.

The demo dataset is random; the benchmark wants exact shapes, so it adds its own accounts
(idempotently, found again by email on a ``--skip-build`` run):

- ``bench.home@example.com``: 20 licenses, 10 open quotes of 10 lines each, 10 orders (each
  for a paid quote, issuing one of the 20 licenses). AccountHome, LicenseDetail, QuoteDetail.
- ``bench.fleet@example.com``: 60 licenses (MobileLicenses reads a full page of 50) and 256
  open quotes of one line that SetQuotePoNumber rewrites (each load connection owns some, so
  no two requests race for one quote's version).

Everything is resold through the first demo partner, as in the tests' world, so the
statement counts match those pinned in tests/benchmark.

Tokens: a customer access token for each account (a live session row plus a JWT signed with
the run's ``CONEX_SECRET_KEY``, as ``tests/factories.py`` does) and a staff API token.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from db.models import (
    Account,
    ApiToken,
    License,
    Order,
    Organization,
    Partner,
    Product,
    Quote,
    QuoteLine,
    RefreshToken,
    TaxId,
    order_licenses,
)
from gateway.auth.tokens import issue_access_token, new_opaque_token, token_hash
from gateway.demo_data import DEMO_PASSWORD
from gateway.domain.enums import (
    Currency,
    Deployment,
    LicenseType,
    QuoteLineKind,
    QuoteStatus,
    TaxIdKind,
    Tier,
    TokenKind,
)

# The run's fixed CONEX_SECRET_KEY (the gateway signs and checks access tokens with it).
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
HOME_EMAIL = "bench.home@example.com"
FLEET_EMAIL = "bench.fleet@example.com"
HOME_LICENSES = 20
HOME_QUOTES = 10
HOME_QUOTE_LINES = 10
HOME_ORDERS = 10
FLEET_LICENSES = 60
FLEET_QUOTES = 256
TIERS = (Tier.STARTER, Tier.EXPRESS, Tier.PROFESSIONAL, Tier.ENTERPRISE)
__all__ = ["DEMO_PASSWORD", "SECRET_KEY", "BenchRows", "ensure_rows", "issue_tokens"]
TOKEN_MINUTES = 60  # the longest access token the settings allow; a run takes minutes


@dataclass
class BenchRows:
    """Primary keys of the benchmark's rows and the tokens that read them."""

    home_account: int
    fleet_account: int
    home_licenses: list[int]
    home_quotes: list[int]
    home_orders: list[int]
    fleet_quotes: list[int]
    # A license of the home account that an order issued (LicenseDetail lists its orders).
    detail_license: int
    home_token: str = ""
    fleet_token: str = ""
    staff_token: str = ""
    login_emails: list[str] = field(default_factory=list)


async def ensure_rows(engine: AsyncEngine, *, today: dt.date) -> BenchRows:
    """Insert the benchmark's accounts once (one transaction); return their ids either way."""
    async with engine.begin() as conn:
        home = await _account_id(conn, HOME_EMAIL)
        if home is None:
            await _insert_rows(conn, today)
        return await _read_rows(conn)


async def issue_tokens(engine: AsyncEngine, rows: BenchRows, *, key: str) -> None:
    """A fresh session and access token per bench account, a staff token, log-in emails."""
    now = dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        rows.home_token = await _customer_token(conn, rows.home_account, key, now)
        rows.fleet_token = await _customer_token(conn, rows.fleet_account, key, now)
        staff = new_opaque_token(TokenKind.STAFF)
        await conn.execute(
            insert(ApiToken).values(
                kind=TokenKind.STAFF,
                name="bench",
                prefix=staff[:12],
                token_hash=token_hash(staff),
                scopes=[],
            )
        )
        rows.staff_token = staff
        # Demo customers share the demo password: log-in rotates over a few hundred of them.
        found = await conn.execute(
            select(Account.email)
            .where(Account.password_hash.is_not(None), Account.email.like("%@example.%"))
            .where(Account.email.not_in([HOME_EMAIL, FLEET_EMAIL]))
            .order_by(Account.id)
            .limit(512)
        )
        rows.login_emails = list(found.scalars())


async def quote_versions(engine: AsyncEngine, quote_ids: list[int]) -> dict[int, int]:
    async with engine.connect() as conn:
        found = await conn.execute(select(Quote.id, Quote.version).where(Quote.id.in_(quote_ids)))
        return {row.id: row.version for row in found}


async def _customer_token(
    conn: AsyncConnection, account_id: int, key: str, now: dt.datetime
) -> str:
    family = str(uuid.uuid4())
    await conn.execute(
        insert(RefreshToken).values(
            account_id=account_id,
            family=family,
            token_hash=token_hash(uuid.uuid4().hex),
            expires_at=now + dt.timedelta(days=1),
        )
    )
    token, _ = issue_access_token(
        account_id=account_id, session_family=family, key=key, now=now, minutes=TOKEN_MINUTES
    )
    return token


async def _account_id(conn: AsyncConnection, email: str) -> int | None:
    found = await conn.scalar(select(Account.id).where(Account.email == email))
    return int(found) if found is not None else None


async def _insert(conn: AsyncConnection, model: Any, **values: Any) -> int:
    result = await conn.execute(insert(model).values(**values).returning(model.__table__.c.id))
    return int(result.scalar_one())


async def _insert_rows(conn: AsyncConnection, today: dt.date) -> None:
    server = await conn.scalar(select(Product.id).where(Product.deployment == Deployment.SERVER))
    if server is None:
        raise RuntimeError("no Server product: load the demo data first (demo-data)")
    # Resold through a partner, as the tests' world is (QuoteDetail then reads the partner).
    partner = await conn.scalar(select(func.min(Partner.id)))
    # Numbers of the demo data are Q-/O-/INV-/SEN- plus digits: the B prefixes never collide.
    home = await _insert(
        conn,
        Account,
        email=HOME_EMAIL,
        name="Bench Home",
        phone="+33 1 23 45 67 89",
        country="FR",
    )
    await _insert(conn, TaxId, account_id=home, kind=TaxIdKind.VAT, value="FR00123456789")
    fleet = await _insert(conn, Account, email=FLEET_EMAIL, name="Bench Fleet", country="DZ")
    home_org = await _insert(
        conn, Organization, name="Bibliothèque du Banc", country="FR", partner_id=partner
    )
    fleet_org = await _insert(
        conn, Organization, name="Réseau des Bancs", country="DZ", partner_id=partner
    )

    home_place = (home, home_org, partner)
    fleet_place = (fleet, fleet_org, partner)
    licenses = await _licenses(conn, "BH", home_place, server, HOME_LICENSES, today)
    await _licenses(conn, "BF", fleet_place, server, FLEET_LICENSES, today)
    for n in range(HOME_QUOTES):
        await _quote(conn, f"BHQ-{n:05d}", home_place, server, HOME_QUOTE_LINES, today)
    for n in range(FLEET_QUOTES):
        await _quote(conn, f"BFQ-{n:05d}", fleet_place, server, 1, today)
    for n in range(HOME_ORDERS):
        paid = await _quote(
            conn, f"BHP-{n:05d}", home_place, server, 1, today, status=QuoteStatus.PAID
        )
        order = await _insert(
            conn,
            Order,
            number=f"BHO-{n:05d}",
            invoice_number=f"BHI-{n:05d}",
            quote_id=paid,
            organization_id=home_org,
            partner_id=partner,
            paid_at=dt.datetime.combine(today, dt.time(9), dt.UTC) - dt.timedelta(days=30 + n),
            payment_method="CARD",
            po_number=f"PO-{n}",
            currency=Currency.EUR,
            total=Decimal("3840.00"),
            billing_account_id=home,
            technical_account_id=home,
            billing_name="Bench Home",
            billing_email=HOME_EMAIL,
            technical_name="Bench Home",
            technical_email=HOME_EMAIL,
        )
        await conn.execute(insert(order_licenses).values(order_id=order, license_id=licenses[n]))


async def _licenses(
    conn: AsyncConnection,
    prefix: str,
    place: tuple[int, int, int | None],
    product: int,
    n: int,
    today: dt.date,
) -> list[int]:
    account, organization, partner = place
    ids = []
    for i in range(n):
        start = today - dt.timedelta(days=30 + 7 * i)
        ids.append(
            await _insert(
                conn,
                License,
                sen=f"SEN-{prefix}{i:06d}",
                product_id=product,
                tier=TIERS[i % len(TIERS)],
                license_type=LicenseType.COMMERCIAL,
                organization_id=organization,
                deployment_entity=f"Branch {i + 1}",
                billing_account_id=account,
                technical_account_id=account,
                partner_id=partner,
                license_key=f"BENCH-KEY-{prefix}-{i}",
                purchased_on=start,
                purchase_amount=Decimal("3840.00"),
                purchase_currency=Currency.EUR,
                maintenance_starts_on=start,
                maintenance_ends_on=start + dt.timedelta(days=365),
            )
        )
    return ids


async def _quote(
    conn: AsyncConnection,
    number: str,
    place: tuple[int, int, int | None],
    product: int,
    lines: int,
    today: dt.date,
    *,
    status: QuoteStatus = QuoteStatus.OPEN,
) -> int:
    account, organization, partner = place
    created = dt.datetime.combine(today, dt.time(9), dt.UTC) - dt.timedelta(days=5)
    total = Decimal("3840.00") * lines
    quote = await _insert(
        conn,
        Quote,
        number=number,
        status=status,
        currency=Currency.EUR,
        organization_id=organization,
        billing_account_id=account,
        technical_account_id=account,
        partner_id=partner,
        valid_until=today + dt.timedelta(days=25),
        subtotal=Decimal("4800.00") * lines,
        discount_total=Decimal("960.00") * lines,
        tax=Decimal("0.00"),
        total=total,
        created_at=created,
        updated_at=created,
    )
    await conn.execute(
        insert(QuoteLine),
        [
            dict(
                quote_id=quote,
                position=position,
                kind=QuoteLineKind.NEW,
                product_id=product,
                tier=Tier.PROFESSIONAL,
                license_type=LicenseType.COMMERCIAL,
                deployment_entity=f"Reading room {position + 1}",
                quantity=1,
                unit_price=Decimal("4800.00"),
                subtotal=Decimal("4800.00"),
                discount_total=Decimal("960.00"),
                total=Decimal("3840.00"),
                discounts=[{"kind": "PROMOTIONAL", "percent": "20", "amount": "960.00"}],
            )
            for position in range(lines)
        ],
    )
    return quote


async def _read_rows(conn: AsyncConnection) -> BenchRows:
    home = await _account_id(conn, HOME_EMAIL)
    fleet = await _account_id(conn, FLEET_EMAIL)
    assert home is not None and fleet is not None

    async def ids(query: Any) -> list[int]:
        return [int(pk) for pk in (await conn.scalars(query))]

    home_licenses = await ids(
        select(License.id).where(License.billing_account_id == home).order_by(License.id)
    )
    home_quotes = await ids(
        select(Quote.id)
        .where(Quote.billing_account_id == home, Quote.number.like("BHQ-%"))
        .order_by(Quote.id)
    )
    home_orders = await ids(
        select(Order.id).where(Order.billing_account_id == home).order_by(Order.id)
    )
    fleet_quotes = await ids(
        select(Quote.id)
        .where(Quote.billing_account_id == fleet, Quote.number.like("BFQ-%"))
        .order_by(Quote.id)
    )
    detail = await conn.scalar(
        select(func.min(order_licenses.c.license_id)).where(
            order_licenses.c.order_id.in_(home_orders)
        )
    )
    return BenchRows(
        home_account=home,
        fleet_account=fleet,
        home_licenses=home_licenses,
        home_quotes=home_quotes,
        home_orders=home_orders,
        fleet_quotes=fleet_quotes,
        detail_license=int(detail),
    )
