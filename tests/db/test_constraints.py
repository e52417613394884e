"""The database itself refuses bad rows, whatever code wrote them (both backends).

Each test first writes a good row (so the failure below is the constraint under test, not
a missing column) and then the bad one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import (
    Account,
    License,
    Order,
    Organization,
    Price,
    Product,
    Quote,
    QuoteLine,
)
from gateway.domain.enums import (
    AccountStatus,
    Currency,
    Deployment,
    LicenseType,
    PaymentMethod,
    PriceKind,
    QuoteLineKind,
    QuoteStatus,
    Tier,
)

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


async def add(engine: AsyncEngine, model: Any, **values: Any) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(insert(model).values(**values).returning(model.id))
        return int(result.scalar_one())


@dataclass
class Rows:
    engine: AsyncEngine
    product: int
    organization: int
    account: int

    async def account_row(self, email: str, **values: Any) -> int:
        return await add(self.engine, Account, email=email, name="A", country="FR", **values)

    async def license(self, sen: str, **values: Any) -> int:
        defaults: dict[str, Any] = dict(
            sen=sen,
            product_id=self.product,
            tier=Tier.PROFESSIONAL,
            license_type=LicenseType.COMMERCIAL,
            organization_id=self.organization,
            deployment_entity="Central Library",
            billing_account_id=self.account,
            technical_account_id=self.account,
        )
        return await add(self.engine, License, **{**defaults, **values})

    async def quote(self, number: str, **values: Any) -> int:
        defaults: dict[str, Any] = dict(
            number=number,
            status=QuoteStatus.OPEN,
            currency=Currency.EUR,
            organization_id=self.organization,
            billing_account_id=self.account,
            technical_account_id=self.account,
            valid_until=TODAY + dt.timedelta(days=30),
            subtotal=Decimal("100.00"),
            discount_total=Decimal("0.00"),
            tax=Decimal("0.00"),
            total=Decimal("100.00"),
        )
        return await add(self.engine, Quote, **{**defaults, **values})

    async def quote_line(self, quote_id: int, **values: Any) -> int:
        defaults: dict[str, Any] = dict(
            quote_id=quote_id,
            position=0,
            kind=QuoteLineKind.NEW,
            product_id=self.product,
            tier=Tier.PROFESSIONAL,
            license_type=LicenseType.COMMERCIAL,
            deployment_entity="Central Library",
            quantity=1,
            unit_price=Decimal("100.00"),
            subtotal=Decimal("100.00"),
            discount_total=Decimal("0.00"),
            total=Decimal("100.00"),
        )
        return await add(self.engine, QuoteLine, **{**defaults, **values})

    async def order(self, quote_id: int, number: str, invoice_number: str, **values: Any) -> int:
        defaults: dict[str, Any] = dict(
            number=number,
            invoice_number=invoice_number,
            quote_id=quote_id,
            organization_id=self.organization,
            paid_at=NOW,
            payment_method=PaymentMethod.CARD,
            currency=Currency.EUR,
            total=Decimal("100.00"),
            billing_account_id=self.account,
            technical_account_id=self.account,
            billing_name="A",
            billing_email="a@example.com",
            technical_name="A",
            technical_email="a@example.com",
        )
        return await add(self.engine, Order, **{**defaults, **values})


@pytest.fixture
async def rows(engine: AsyncEngine) -> Rows:
    product = await add(
        engine, Product, code="server", name="Conex Books Server", deployment=Deployment.SERVER
    )
    organization = await add(engine, Organization, name="Library", country="FR")
    account = await add(engine, Account, email="owner@example.com", name="Owner", country="FR")
    return Rows(engine, product, organization, account)


# --- accounts (R-ACC-1, R-ACC-4) -------------------------------------------------------------


async def test_r_acc_1_one_live_account_per_email(rows: Rows) -> None:
    await rows.account_row("alice@example.com")
    with pytest.raises(IntegrityError, match=r"uq_accounts_email_live|accounts\.email"):
        await rows.account_row("alice@example.com")


async def test_r_acc_1_an_invited_account_holds_its_email_too(rows: Rows) -> None:
    await rows.account_row("alice@example.com", status=AccountStatus.INVITED)
    with pytest.raises(IntegrityError, match=r"uq_accounts_email_live|accounts\.email"):
        await rows.account_row("alice@example.com")


async def test_r_acc_1_emails_are_stored_lower_case(rows: Rows) -> None:
    await rows.account_row("bob@example.com")
    with pytest.raises(IntegrityError, match="ck_accounts_email_lower_case"):
        await rows.account_row("Alice@Example.com")


async def test_r_acc_4_a_closed_accounts_email_can_sign_up_again(rows: Rows) -> None:
    closed = dict(status=AccountStatus.CLOSED, closed_at=NOW)
    await rows.account_row("alice@example.com", **closed)
    await rows.account_row("alice@example.com", **closed)
    await rows.account_row("alice@example.com")  # the new, live account


# --- unique numbers ----------------------------------------------------------------------------


async def test_sen_is_unique(rows: Rows) -> None:
    await rows.license("SEN-L0000001")
    with pytest.raises(IntegrityError, match=r"uq_licenses_sen|licenses\.sen"):
        await rows.license("SEN-L0000001")


async def test_quote_number_is_unique(rows: Rows) -> None:
    await rows.quote("Q-000001")
    with pytest.raises(IntegrityError, match=r"uq_quotes_number|quotes\.number"):
        await rows.quote("Q-000001")


async def test_order_number_is_unique(rows: Rows) -> None:
    first, second = await rows.quote("Q-000001"), await rows.quote("Q-000002")
    await rows.order(first, "O-000001", "INV-000001")
    with pytest.raises(IntegrityError, match=r"uq_orders_number|orders\.number"):
        await rows.order(second, "O-000001", "INV-000002")


async def test_invoice_number_is_unique(rows: Rows) -> None:
    first, second = await rows.quote("Q-000001"), await rows.quote("Q-000002")
    await rows.order(first, "O-000001", "INV-000001")
    with pytest.raises(IntegrityError, match=r"uq_orders_invoice_number|orders\.invoice_number"):
        await rows.order(second, "O-000002", "INV-000001")


async def test_one_order_per_quote(rows: Rows) -> None:
    quote = await rows.quote("Q-000001")
    await rows.order(quote, "O-000001", "INV-000001")
    with pytest.raises(IntegrityError, match=r"uq_orders_quote_id|orders\.quote_id"):
        await rows.order(quote, "O-000002", "INV-000002")


# --- money (R-CUR-4) ---------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["subtotal", "discount_total", "tax", "total"])
async def test_quote_money_is_never_negative(rows: Rows, column: str) -> None:
    await rows.quote("Q-000001")
    with pytest.raises(IntegrityError, match=f"ck_quotes_{column}_non_negative"):
        await rows.quote("Q-000002", **{column: Decimal("-0.01")})


@pytest.mark.parametrize("column", ["unit_price", "subtotal", "discount_total", "total"])
async def test_quote_line_money_is_never_negative(rows: Rows, column: str) -> None:
    quote = await rows.quote("Q-000001")
    await rows.quote_line(quote)
    with pytest.raises(IntegrityError, match=f"ck_quote_lines_{column}_non_negative"):
        await rows.quote_line(quote, position=1, **{column: Decimal("-5.00")})


async def test_order_total_is_never_negative(rows: Rows) -> None:
    quote = await rows.quote("Q-000001")
    with pytest.raises(IntegrityError, match="ck_orders_total_non_negative"):
        await rows.order(quote, "O-000001", "INV-000001", total=Decimal("-1.00"))


async def test_list_price_is_never_negative(rows: Rows) -> None:
    price = dict(product_id=rows.product, tier=Tier.STARTER, currency=Currency.EUR)
    await add(rows.engine, Price, kind=PriceKind.NEW, amount=Decimal("1200.00"), **price)
    with pytest.raises(IntegrityError, match="ck_prices_amount_non_negative"):
        await add(rows.engine, Price, kind=PriceKind.RENEWAL, amount=Decimal("-1.00"), **price)


async def test_license_purchase_amount_is_never_negative(rows: Rows) -> None:
    await rows.license("SEN-L0000001", purchase_amount=Decimal("0.00"))
    with pytest.raises(IntegrityError, match="ck_licenses_purchase_non_negative"):
        await rows.license("SEN-L0000002", purchase_amount=Decimal("-100.00"))


# --- enums, contacts, lines ----------------------------------------------------------------


async def test_an_unknown_enum_value_is_refused(rows: Rows) -> None:
    # Raw SQL: the model's Enum type would refuse the value before the database sees it.
    insert_account = text(
        "INSERT INTO accounts (email, name, country, publicity_opt_out, status, created_at) "
        "VALUES (:email, 'A', 'FR', false, :status, CURRENT_TIMESTAMP)"
    )
    async with rows.engine.begin() as conn:
        await conn.execute(insert_account, {"email": "good@example.com", "status": "ACTIVE"})
    with pytest.raises(IntegrityError, match="account_status"):
        async with rows.engine.begin() as conn:
            await conn.execute(insert_account, {"email": "bad@example.com", "status": "DORMANT"})


async def test_a_license_needs_a_billing_contact(rows: Rows) -> None:
    await rows.license("SEN-L0000001")
    with pytest.raises(IntegrityError, match="billing_account_id"):
        await rows.license("SEN-L0000002", billing_account_id=None)


async def test_a_license_contact_must_be_an_account(rows: Rows) -> None:
    with pytest.raises(IntegrityError, match=r"FOREIGN KEY|fk_licenses_billing_account_id"):
        await rows.license("SEN-L0000001", billing_account_id=rows.account + 1000)


@pytest.mark.parametrize("kind", [QuoteLineKind.RENEWAL, QuoteLineKind.UPGRADE])
async def test_a_renewal_or_upgrade_line_names_its_license(rows: Rows, kind: QuoteLineKind) -> None:
    quote = await rows.quote("Q-000001")
    license_id = await rows.license("SEN-L0000001")
    await rows.quote_line(quote, kind=kind, license_id=license_id)
    with pytest.raises(IntegrityError, match="ck_quote_lines_license_for_existing"):
        await rows.quote_line(quote, position=1, kind=kind, license_id=None)


async def test_first_numbers_of_a_kind_are_unique_and_gap_free(engine: AsyncEngine) -> None:
    """Concurrent first uses of a counter do not fail; numbers start at 1 without gaps."""
    import asyncio

    from db.engine import create_session_factory
    from db.queries.numbers import next_number

    factory = create_session_factory(engine)

    async def take() -> str:
        async with factory() as session, session.begin():
            return await next_number(session, "order")

    numbers = await asyncio.gather(*(take() for _ in range(5)))
    assert sorted(numbers) == [f"O-{n:06d}" for n in range(1, 6)]
