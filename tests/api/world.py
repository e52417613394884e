"""The world every API test starts from, built by one builder (``build_world``).

The **base world** (the ``world`` fixture, tests/api/conftest.py): the catalog
(tests/factories.py), customers Alice ("Alice Martin") and Bob, both with the password
``PASSWORD``, partner Atlas Solutions (EMEA, FR) and partner Bravo Books (AMER, US), the
organization Bibliothèque de Lyon (FR), staff, and tokens: a session of Alice's and of Bob's,
a staff token, an Atlas token of each PartnerScope and one of every scope ("ALL"). Number
sequences start far from the factories' own numbers. No licenses, quotes or orders: a test
builds the ones it is about (``world.license``, ``world.quote``, ``world.add_orders``, or
tests/factories.py).

The **shared objects** (``objects=True``, the ``world_kind`` "objects" of the authorization
matrix and the bad-input tests) add, on the same principals: Carol, the billing contact of the
data Atlas resold whose technical contact is Alice (LIC, CLOUD, Q_OPEN, Q_PAID, ORDER), a
license and a quote that are Alice's alone (LIC_DIRECT, Q_DIRECT), Bob's own paid quote and
order (Q_BOB, ORDER_BOB, organization ORG_BOB), an audit event, a session and a
password-reset link of Alice's, dead Atlas tokens (revoked, expired) and a spare one for staff
to revoke. Each has a label (``world.pk("LIC")``, ``world.gid("LIC")``).

The world is built once per xdist worker and backend, and each test gets a copy of it
(tests/api/snapshots.py), so it costs a file copy rather than a build.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.base import Base
from db.models import (
    Account,
    ApiToken,
    AuditEvent,
    License,
    NumberSequence,
    Order,
    OutgoingMail,
    PasswordResetToken,
    RefreshToken,
)
from gateway.auth.passwords import hash_password
from gateway.auth.tokens import new_secret, token_hash
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

PASSWORD = "Tulip-Harbour-1848"
PASSWORD_HASH = hash_password(PASSWORD)  # hashed once (cheap argon2 under test anyway)
#: Numbers the mutations draw start far from the factories' own SENs and numbers.
SEQUENCE_START = {"sen": 5_000_000, "order": 500_000, "invoice": 500_000, "quote": 500_000}
#: The world's customer sessions outlive any run of the suite (it is built once per worker).
ACCESS_TOKEN_MINUTES = 24 * 60
#: api_tokens.last_used_at is stamped by authentication itself, not by the operation.
STAMPED_BY_AUTHENTICATION = {"last_used_at"}

# The principals of the shared objects, in the order the matrix lists them.
ANONYMOUS = "anonymous"
ALICE = "alice"
BOB = "bob"
CAROL = "carol_billing_only"
STAFF = "staff"
PARTNER = {scope: f"partner_{scope.value.lower()}" for scope in PartnerScope}
P_REVOKED = "partner_revoked_token"
P_EXPIRED = "partner_expired_token"
P_QUOTES_READ = PARTNER[PartnerScope.QUOTES_READ]
P_QUOTES_WRITE = PARTNER[PartnerScope.QUOTES_WRITE]
P_ORDERS_READ = PARTNER[PartnerScope.ORDERS_READ]
P_LICENSES_READ = PARTNER[PartnerScope.LICENSES_READ]
P_LICENSES_WRITE = PARTNER[PartnerScope.LICENSES_WRITE]
P_CUSTOMERS_READ = PARTNER[PartnerScope.CUSTOMERS_READ]
P_WEBHOOKS_WRITE = PARTNER[PartnerScope.WEBHOOKS_WRITE]
#: Every principal of the shared objects (``world.tokens``), in the order the matrix lists them.
PRINCIPALS = (ANONYMOUS, ALICE, BOB, CAROL, *PARTNER.values(), P_REVOKED, P_EXPIRED, STAFF)
EMAILS = {ALICE: "alice@example.com", BOB: "bob@example.com", CAROL: "carol@example.com"}

Rows = dict[str, list[dict[str, Any]]]


def today() -> dt.date:
    """The gateway's clock (real UTC time), not the factories' fixed date."""
    return dt.datetime.now(dt.UTC).date()


def gid(type_name: str, pk: int) -> str:
    return str(encode_id(type_name, pk))


@dataclass
class World:
    """Ids and tokens of the world; ``engine`` is the test's own database."""

    engine: AsyncEngine
    key: str
    products: dict[Deployment, int]
    alice: int
    bob: int
    partner: int  # Atlas Solutions
    other_partner: int  # Bravo Books
    organization: int  # Bibliothèque de Lyon, Atlas's customer
    alice_token: str
    bob_token: str
    staff_token: str
    #: Atlas's tokens: one per PartnerScope value, and "ALL" with every scope.
    partner_tokens: dict[str, str] = field(default_factory=dict)
    #: Tokens by principal name (``ANONYMOUS`` … ``STAFF``, ``partner_<scope>``, "partner").
    tokens: dict[str, str | None] = field(default_factory=dict)
    #: The shared objects, by label: (GraphQL type, primary key).
    objects: dict[str, tuple[str, int]] = field(default_factory=dict)
    sens: dict[str, str] = field(default_factory=dict)  # SEN by license label
    refresh_token: str = ""  # a live session of Alice's (shared objects)
    reset_token: str = ""  # a live password-reset link of Alice's (shared objects)
    #: Every row as built (``dump``): what a refused operation leaves as it was.
    snapshot: Rows = field(default_factory=dict)
    #: Rows the test added with ``add_licenses`` / ``add_quotes`` / ``add_orders``.
    licenses: list[int] = field(default_factory=list)
    quotes: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)

    def bound(self, engine: AsyncEngine) -> World:
        """This world on another database holding the same rows (a test's copy)."""
        values = {
            f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "engine"
        }
        return World(engine=engine, **values)

    # --- the shared objects ---------------------------------------------------------------

    def pk(self, label: str) -> int:
        return self.objects[label][1]

    def gid(self, label: str) -> str:
        type_name, pk = self.objects[label]
        return gid(type_name, pk)

    def label_of(self, global_id: str) -> str | None:
        """The label of a world object's global id; ``new <Type>`` for one made since."""
        decoded = decode_id(global_id)
        if decoded is None:
            return None
        for label, key in self.objects.items():
            if key == decoded:
                return label
        return f"new {decoded[0]}"

    # --- rows a test adds -----------------------------------------------------------------

    def line(self, deployment: Deployment = Deployment.SERVER, **values: Any) -> dict[str, Any]:
        """A quote line for ``quote(lines=…)``: the product of ``deployment``."""
        return {"product_id": self.products[deployment], **values}

    async def license(self, deployment: Deployment = Deployment.SERVER, **values: Any) -> int:
        """A license of the organization, Alice its billing (and technical) contact."""
        values.setdefault("billing", self.alice)
        values.setdefault("organization_id", self.organization)
        return await f.license(self.engine, product_id=self.products[deployment], **values)

    async def quote(self, lines: list[dict[str, Any]] | None = None, **values: Any) -> int:
        """A quote of the organization, Alice its billing (and technical) contact."""
        values.setdefault("billing", self.alice)
        values.setdefault("organization_id", self.organization)
        return await f.quote(self.engine, lines=lines, **values)

    async def add_licenses(self, n: int, **values: Any) -> list[int]:
        """``n`` Server licenses of Alice's that Atlas resold (kept in ``licenses``)."""
        values.setdefault("partner_id", self.partner)
        ids = [await self.license(**values) for _ in range(n)]
        self.licenses += ids
        return ids

    async def add_quotes(self, n: int, lines: int = 1, **values: Any) -> list[int]:
        """``n`` quotes of Alice's, of ``lines`` Server lines, resold by Atlas."""
        values.setdefault("partner_id", self.partner)
        ids = [await self.quote(lines=[self.line()] * lines, **values) for _ in range(n)]
        self.quotes += ids
        return ids

    async def add_orders(self, n: int) -> list[int]:
        """``n`` orders of Alice's, each of a paid quote and with a license it issued."""
        ids = []
        for quote_id in await self.add_quotes(n, status=QuoteStatus.PAID):
            license_ids = await self.add_licenses(1)
            ids.append(
                await f.order(
                    self.engine,
                    quote_id=quote_id,
                    organization_id=self.organization,
                    billing=self.alice,
                    license_ids=license_ids,
                    partner_id=self.partner,
                )
            )
        self.orders += ids
        return ids


async def build_world(engine: AsyncEngine, key: str, *, objects: bool = False) -> World:
    """The base world in an empty, migrated database (and the shared objects if asked)."""
    products = await f.catalog(engine)
    async with engine.begin() as conn:
        await conn.execute(
            insert(NumberSequence),
            [dict(kind=kind, next_value=value) for kind, value in SEQUENCE_START.items()],
        )
    alice = await f.account(engine, EMAILS[ALICE], name="Alice Martin", password_hash=PASSWORD_HASH)
    bob = await f.account(engine, EMAILS[BOB], name="Bob", password_hash=PASSWORD_HASH)
    partner = await f.partner(engine, name="Atlas Solutions", region="EMEA", country="FR")
    other_partner = await f.partner(engine, name="Bravo Books", region="AMER", country="US")
    organization = await f.organization(
        engine, name="Bibliothèque de Lyon", country="FR", partner_id=partner
    )

    async def session(account_id: int) -> str:
        return await f.customer_token(engine, account_id, key, minutes=ACCESS_TOKEN_MINUTES)

    world = World(
        engine=engine,
        key=key,
        products=products,
        alice=alice,
        bob=bob,
        partner=partner,
        other_partner=other_partner,
        organization=organization,
        alice_token=await session(alice),
        bob_token=await session(bob),
        staff_token=await f.api_token(engine, TokenKind.STAFF, name="ops"),
    )
    for scope in PartnerScope:
        world.partner_tokens[scope.value] = await f.api_token(
            engine, TokenKind.PARTNER, partner_id=partner, scopes=[scope], name=PARTNER[scope]
        )
    world.partner_tokens["ALL"] = await f.api_token(
        engine, TokenKind.PARTNER, partner_id=partner, scopes=list(PartnerScope), name="all"
    )
    world.tokens = {
        ANONYMOUS: None,
        ALICE: world.alice_token,
        BOB: world.bob_token,
        **{PARTNER[scope]: world.partner_tokens[scope.value] for scope in PartnerScope},
        "partner": world.partner_tokens["ALL"],
        STAFF: world.staff_token,
    }
    put = world.objects.__setitem__
    put("SERVER", ("Product", products[Deployment.SERVER]))
    put("alice", ("Account", alice))
    put("bob", ("Account", bob))
    put("Atlas", ("Partner", partner))
    put("Bravo", ("Partner", other_partner))
    put("ORG", ("Organization", organization))
    if objects:
        await _add_shared_objects(world, session)
    world.snapshot = await dump(engine)
    return world


async def _add_shared_objects(world: World, session: Any) -> None:
    """The shared objects (module docstring) on the base world's principals."""
    engine, now = world.engine, dt.datetime.now(dt.UTC)
    today = now.date()

    def put(label: str, type_name: str, pk: int) -> int:
        world.objects[label] = (type_name, pk)
        return pk

    alice, bob, atlas, org = world.alice, world.bob, world.partner, world.organization
    carol = put(
        "carol",
        "Account",
        await f.account(engine, EMAILS[CAROL], name="Carol Billing", password_hash=PASSWORD_HASH),
    )
    await f.tax_id(engine, alice, "VAT", "FR12345678901")
    async with engine.begin() as conn:
        await conn.execute(
            update(Account).where(Account.id == alice).values(phone="+33 1 23 45 67 89")
        )
    org_bob = put(
        "ORG_BOB", "Organization", await f.organization(engine, name="Bob's Library", country="FR")
    )
    dates: dict[str, Any] = dict(
        purchased_on=today - dt.timedelta(days=100),
        maintenance_starts_on=today - dt.timedelta(days=100),
        maintenance_ends_on=today + dt.timedelta(days=265),
    )
    server = world.products[Deployment.SERVER]
    resold: dict[str, Any] = dict(
        organization_id=org, billing=carol, technical=alice, partner_id=atlas
    )
    lic = put(
        "LIC",
        "License",
        await f.license(
            engine, product_id=server, license_key="AAAB-SECRET-KEY-OF-LIC", **resold, **dates
        ),
    )
    put(
        "CLOUD",
        "License",
        await f.license(
            engine,
            product_id=world.products[Deployment.CLOUD],
            deployment_entity="Cloud site",
            license_key="AAAB-SECRET-KEY-OF-CLOUD",
            card_brand="visa",
            card_last4="4242",
            card_token="tok_visa_4242",
            **resold,
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
            sen = await conn.scalar(select(License.sen).where(License.id == world.pk(label)))
            world.sens[label] = str(sen)

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
            is_reseller=True,
            requires_sales_review=True,
            lines=line,
            **resold,
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
        await f.quote(engine, is_reseller=True, lines=line, **resold, **paid),
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
            billing_name="Bob",
            billing_email=EMAILS[BOB],
            technical_name="Bob",
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
                entity_id=world.pk("Q_OPEN"),
                changes=[{"field": "poNumber", "before": None, "after": "PO-1"}],
            )
            .returning(AuditEvent.id)
        )
        put("EVENT", "AuditEvent", int(event.scalar_one()))
        world.refresh_token = new_secret()
        await conn.execute(
            insert(RefreshToken).values(
                account_id=alice,
                family=str(uuid.uuid4()),
                token_hash=token_hash(world.refresh_token),
                expires_at=now + dt.timedelta(days=30),
            )
        )
        world.reset_token = new_secret()
        await conn.execute(
            insert(PasswordResetToken).values(
                account_id=alice,
                token_hash=token_hash(world.reset_token),
                expires_at=now + dt.timedelta(hours=3),
            )
        )
    world.tokens[CAROL] = await session(carol)
    every = list(PartnerScope)
    for principal, dead in (
        (P_REVOKED, dict(name="revoked", revoked_at=now - dt.timedelta(days=1))),
        (P_EXPIRED, dict(name="expired", expires_at=now - dt.timedelta(days=1))),
    ):
        world.tokens[principal] = await f.api_token(
            engine, TokenKind.PARTNER, partner_id=atlas, scopes=every, **dead
        )
    await f.api_token(engine, TokenKind.PARTNER, partner_id=atlas, scopes=every, name="spare")
    async with engine.connect() as conn:
        spare = await conn.scalar(select(ApiToken.id).where(ApiToken.name == "spare"))
    put("SPARE_TOKEN", "PartnerToken", int(spare or 0))


# --- reading the database ---------------------------------------------------------------------


async def dump(engine: AsyncEngine) -> Rows:
    """Every row of every table as dicts, in primary-key order (api_tokens without the time of
    last use): what a refused operation must leave as it was."""
    tables: Rows = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            stmt = select(table).order_by(*table.primary_key.columns)
            tables[table.name] = [
                {k: v for k, v in row._mapping.items() if k not in STAMPED_BY_AUTHENTICATION}
                if table.name == ApiToken.__tablename__
                else dict(row._mapping)
                for row in await conn.execute(stmt)
            ]
    return tables


async def rows(engine: AsyncEngine, model: Any, *where: Any) -> list[Any]:
    """The rows of ``model``'s table (that match ``where``), by id."""
    async with engine.connect() as conn:
        stmt = select(*model.__table__.c).where(*where).order_by(model.__table__.c.id)
        return list((await conn.execute(stmt)).all())


async def one(engine: AsyncEngine, model: Any, pk: int) -> Any:
    (row,) = await rows(engine, model, model.__table__.c.id == pk)
    return row


async def audit_events(engine: AsyncEngine, action: str) -> list[Any]:
    return await rows(engine, AuditEvent, AuditEvent.action == action)


async def mail_to(engine: AsyncEngine, address: str) -> list[Any]:
    return await rows(engine, OutgoingMail, OutgoingMail.to_address == address)


def changes(event: Any) -> dict[str, tuple[Any, Any]]:
    """An audit event's changes: {field: (before, after)}."""
    return {c["field"]: (c["before"], c["after"]) for c in event.changes}
