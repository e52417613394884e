"""The authorization matrix's world: every kind of principal, and data to reach for.

Customer A (alice) is a contact of "the world's data"; customer B (bob) is unrelated; carol
is the billing contact of the same licenses, quotes and orders whose technical contact is
alice (so each of them holds one role only). Partner Atlas resold that data (R-QUOTE-5) and
holds one token per PartnerScope, plus a revoked and an expired token. Alongside: a license
and a quote of alice's that no partner resold, and bob's own paid order.

The world is built once per test module and backend; its rows are kept as a snapshot, and a
test that changed anything puts the snapshot back (``restore``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.models import ApiToken, AuditEvent, NumberSequence, Order, PasswordResetToken, RefreshToken
from gateway.auth.tokens import issue_access_token, new_secret, token_hash
from gateway.domain.enums import (
    Deployment,
    PartnerScope,
    PrincipalKind,
    QuoteStatus,
    Tier,
    TokenKind,
)
from gateway.schema.relay import decode_id, encode_id
from tests import factories as f
from tests.api.account.world import PASSWORD, PASSWORD_HASH, SEQUENCE_START, dump

__all__ = ["PASSWORD", "MatrixWorld", "build_matrix_world", "full_dump", "restore"]

# The principals, in the order the table lists them.
ANONYMOUS = "anonymous"
ALICE = "alice"  # customer A: technical contact of the world's data
BOB = "bob"  # customer B: no role on anything of the others
CAROL = "carol_billing_only"  # billing contact of the world's data, technical is alice
PARTNER = {scope: f"partner_{scope.value.lower()}" for scope in PartnerScope}
P_QUOTES_READ = PARTNER[PartnerScope.QUOTES_READ]
P_QUOTES_WRITE = PARTNER[PartnerScope.QUOTES_WRITE]
P_ORDERS_READ = PARTNER[PartnerScope.ORDERS_READ]
P_LICENSES_READ = PARTNER[PartnerScope.LICENSES_READ]
P_LICENSES_WRITE = PARTNER[PartnerScope.LICENSES_WRITE]
P_CUSTOMERS_READ = PARTNER[PartnerScope.CUSTOMERS_READ]
P_REVOKED = "partner_revoked_token"
P_EXPIRED = "partner_expired_token"
STAFF = "staff"
PRINCIPALS = (
    ANONYMOUS,
    ALICE,
    BOB,
    CAROL,
    *PARTNER.values(),
    P_REVOKED,
    P_EXPIRED,
    STAFF,
)

EMAILS = {ALICE: "alice@example.com", BOB: "bob@example.com", CAROL: "carol@example.com"}
ACCESS_TOKEN_MINUTES = 180  # longer than any run of the matrix
# api_tokens.last_used_at is stamped by authentication itself, not by the operation.
STAMPED_BY_AUTHENTICATION = {"last_used_at"}


@dataclass
class MatrixWorld:
    """Ids (by label), tokens (by principal) and the snapshot of every row."""

    url: str
    key: str
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)  # label -> (type, pk)
    tokens: dict[str, str | None] = field(default_factory=dict)
    sens: dict[str, str] = field(default_factory=dict)
    refresh_token: str = ""
    reset_token: str = ""
    snapshot: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Set by a test that saw every row as in the snapshot after its request.
    untouched: bool = False

    def pk(self, label: str) -> int:
        return self.objects[label][1]

    def gid(self, label: str) -> str:
        type_name, pk = self.objects[label]
        return str(encode_id(type_name, pk))

    def label_of(self, global_id: str) -> str | None:
        """The label of a world object's global id; ``new <Type>`` for one made since."""
        decoded = decode_id(global_id)
        if decoded is None:
            return None
        for label, key in self.objects.items():
            if key == decoded:
                return label
        return f"new {decoded[0]}"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def _customer_token(engine: AsyncEngine, account_id: int, key: str) -> str:
    now = dt.datetime.now(dt.UTC)
    family = str(uuid.uuid4())
    async with engine.begin() as conn:
        await conn.execute(
            insert(RefreshToken).values(
                account_id=account_id,
                family=family,
                token_hash=token_hash(new_secret()),
                expires_at=now + dt.timedelta(days=30),
            )
        )
    token, _ = issue_access_token(
        account_id=account_id,
        session_family=family,
        key=key,
        now=now,
        minutes=ACCESS_TOKEN_MINUTES,
    )
    return token


async def build_matrix_world(engine: AsyncEngine, *, url: str, key: str) -> MatrixWorld:
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    w = MatrixWorld(url=url, key=key)
    products = await f.catalog(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(NumberSequence),
            [dict(kind=kind, next_value=value) for kind, value in SEQUENCE_START.items()],
        )

    def put(label: str, type_name: str, pk: int) -> int:
        w.objects[label] = (type_name, pk)
        return pk

    put("SERVER", "Product", products[Deployment.SERVER])
    alice = put(
        "alice",
        "Account",
        await f.account(
            engine,
            EMAILS[ALICE],
            name="Alice Martin",
            phone="+33 1 23 45 67 89",
            password_hash=PASSWORD_HASH,
        ),
    )
    await f.tax_id(engine, alice, "VAT", "FR12345678901")
    bob = put(
        "bob",
        "Account",
        await f.account(engine, EMAILS[BOB], name="Bob Durand", password_hash=PASSWORD_HASH),
    )
    carol = put(
        "carol",
        "Account",
        await f.account(engine, EMAILS[CAROL], name="Carol Billing", password_hash=PASSWORD_HASH),
    )
    atlas = put(
        "Atlas",
        "Partner",
        await f.partner(engine, name="Atlas Solutions", region="EMEA", country="FR"),
    )
    put(
        "Bravo", "Partner", await f.partner(engine, name="Bravo Books", region="AMER", country="US")
    )
    org = put(
        "ORG",
        "Organization",
        await f.organization(engine, name="Bibliothèque de Lyon", country="FR", partner_id=atlas),
    )
    org_bob = put(
        "ORG_BOB", "Organization", await f.organization(engine, name="Bob's Library", country="FR")
    )

    dates: dict[str, Any] = dict(
        purchased_on=today - dt.timedelta(days=100),
        maintenance_starts_on=today - dt.timedelta(days=100),
        maintenance_ends_on=today + dt.timedelta(days=265),
    )
    server = products[Deployment.SERVER]
    lic = put(
        "LIC",
        "License",
        await f.license(
            engine,
            product_id=server,
            organization_id=org,
            billing=carol,
            technical=alice,
            partner_id=atlas,
            license_key="AAAB-SECRET-KEY-OF-LIC",
            **dates,
        ),
    )
    put(
        "CLOUD",
        "License",
        await f.license(
            engine,
            product_id=products[Deployment.CLOUD],
            organization_id=org,
            billing=carol,
            technical=alice,
            partner_id=atlas,
            deployment_entity="Cloud site",
            license_key="AAAB-SECRET-KEY-OF-CLOUD",
            card_brand="visa",
            card_last4="4242",
            card_token="tok_visa_4242",
            **dates,
        ),
    )
    put(
        "LIC_DIRECT",
        "License",
        await f.license(
            engine,
            product_id=server,
            organization_id=org,
            billing=alice,
            tier=Tier.EXPRESS,
            deployment_entity="Annex",
            license_key="AAAB-SECRET-KEY-OF-LIC-DIRECT",
            **dates,
        ),
    )
    async with engine.connect() as conn:
        for label in ("LIC", "CLOUD", "LIC_DIRECT"):
            w.sens[label] = (
                await conn.execute(
                    text("SELECT sen FROM licenses WHERE id = :id"), {"id": w.pk(label)}
                )
            ).scalar_one()

    line = [{"product_id": server}]
    open_quote: dict[str, Any] = dict(
        valid_until=today + dt.timedelta(days=20),
        created_at=now - dt.timedelta(days=10),
        updated_at=now - dt.timedelta(days=10),
    )
    put(
        "Q_OPEN",
        "Quote",
        await f.quote(
            engine,
            organization_id=org,
            billing=carol,
            technical=alice,
            partner_id=atlas,
            is_reseller=True,
            requires_sales_review=True,
            lines=line,
            **open_quote,
        ),
    )
    put(
        "Q_DIRECT",
        "Quote",
        await f.quote(
            engine,
            organization_id=org,
            billing=alice,
            requires_sales_review=True,
            lines=line,
            **open_quote,
        ),
    )
    paid: dict[str, Any] = dict(status=QuoteStatus.PAID, valid_until=today - dt.timedelta(days=1))
    q_paid = put(
        "Q_PAID",
        "Quote",
        await f.quote(
            engine,
            organization_id=org,
            billing=carol,
            technical=alice,
            partner_id=atlas,
            is_reseller=True,
            lines=line,
            **paid,
        ),
    )
    q_bob = put(
        "Q_BOB",
        "Quote",
        await f.quote(engine, organization_id=org_bob, billing=bob, lines=line, **paid),
    )
    order = put(
        "ORDER",
        "Order",
        await f.order(
            engine,
            quote_id=q_paid,
            organization_id=org,
            billing=carol,
            license_ids=[lic],
            partner_id=atlas,
            paid_at=now - dt.timedelta(days=5),
            billing_name="Carol Billing",
            billing_email=EMAILS[CAROL],
            technical_name="Alice Martin",
            technical_email=EMAILS[ALICE],
        ),
    )
    put(
        "ORDER_BOB",
        "Order",
        await f.order(
            engine,
            quote_id=q_bob,
            organization_id=org_bob,
            billing=bob,
            paid_at=now - dt.timedelta(days=3),
            billing_name="Bob Durand",
            billing_email=EMAILS[BOB],
            technical_name="Bob Durand",
            technical_email=EMAILS[BOB],
        ),
    )
    async with engine.begin() as conn:
        # The factory makes the billing contact the technical one too.
        await conn.execute(
            update(Order).where(Order.id == order).values(technical_account_id=alice)
        )
        event = await conn.execute(
            insert(AuditEvent)
            .values(
                at=now - dt.timedelta(days=2),
                principal_kind=PrincipalKind.STAFF,
                principal_id="1",
                principal_name="ops",
                action="quoteSetPoNumber",
                entity_type="Quote",
                entity_id=w.pk("Q_OPEN"),
                changes=[{"field": "poNumber", "before": None, "after": "PO-1"}],
            )
            .returning(AuditEvent.id)
        )
        put("EVENT", "AuditEvent", int(event.scalar_one()))
        # A session to refresh and a password-reset link, both alice's.
        w.refresh_token = new_secret()
        await conn.execute(
            insert(RefreshToken).values(
                account_id=alice,
                family=str(uuid.uuid4()),
                token_hash=token_hash(w.refresh_token),
                expires_at=now + dt.timedelta(days=30),
            )
        )
        w.reset_token = new_secret()
        await conn.execute(
            insert(PasswordResetToken).values(
                account_id=alice,
                token_hash=token_hash(w.reset_token),
                expires_at=now + dt.timedelta(hours=3),
            )
        )

    w.tokens[ANONYMOUS] = None
    w.tokens[ALICE] = await _customer_token(engine, alice, key)
    w.tokens[BOB] = await _customer_token(engine, bob, key)
    w.tokens[CAROL] = await _customer_token(engine, carol, key)
    for scope, principal in PARTNER.items():
        w.tokens[principal] = await f.api_token(
            engine, TokenKind.PARTNER, partner_id=atlas, scopes=[scope], name=principal
        )
    every = list(PartnerScope)
    w.tokens[P_REVOKED] = await f.api_token(
        engine,
        TokenKind.PARTNER,
        partner_id=atlas,
        scopes=every,
        name="revoked",
        revoked_at=now - dt.timedelta(days=1),
    )
    w.tokens[P_EXPIRED] = await f.api_token(
        engine,
        TokenKind.PARTNER,
        partner_id=atlas,
        scopes=every,
        name="expired",
        expires_at=now - dt.timedelta(days=1),
    )
    w.tokens[STAFF] = await f.api_token(engine, TokenKind.STAFF, name="ops")
    # A token nobody uses, for staff to revoke.
    await f.api_token(engine, TokenKind.PARTNER, partner_id=atlas, scopes=every, name="spare")
    async with engine.connect() as conn:
        spare = (
            await conn.execute(select(ApiToken.id).where(ApiToken.name == "spare"))
        ).scalar_one()
    put("SPARE_TOKEN", "PartnerToken", spare)
    w.snapshot = await full_dump(engine)
    return w


# --- before and after -----------------------------------------------------------------------


async def full_dump(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as dicts, api_tokens included (without the time of last use):
    what a refused operation must leave as it was, and what ``restore`` puts back."""
    tables: dict[str, list[dict[str, Any]]] = {}
    compared = await dump(engine)  # the account tests' dump: every table but api_tokens
    for table in Base.metadata.sorted_tables:
        if table.name in compared:
            names = [c.name for c in table.columns]
            tables[table.name] = [
                dict(zip(names, row, strict=True)) for row in compared[table.name]
            ]
    async with engine.connect() as conn:
        result = await conn.execute(select(ApiToken.__table__).order_by(ApiToken.id))
        tables["api_tokens"] = [
            {k: v for k, v in row._mapping.items() if k not in STAMPED_BY_AUTHENTICATION}
            for row in result
        ]
    return tables


async def restore(engine: AsyncEngine, snapshot: dict[str, list[dict[str, Any]]]) -> None:
    """Put every table back as the snapshot holds it (children emptied first)."""
    tables = Base.metadata.sorted_tables
    async with engine.begin() as conn:
        for table in reversed(tables):
            await conn.execute(delete(table))
        for table in tables:
            rows = snapshot[table.name]
            if rows:
                await conn.execute(insert(table), rows)
