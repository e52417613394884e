"""The demo dataset: deterministic, idempotent, and covering every status the UI can show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

import db.models  # noqa: F401  (fills the metadata)
from db.base import Base
from db.engine import create_engine
from db.migrate import upgrade
from gateway.auth.passwords import verify_password
from gateway.demo_data import (
    DEMO_PASSWORD,
    MIN_ACCOUNTS,
    DemoDataConflict,
    DemoSummary,
    build_dataset,
    load_demo_data,
)
from gateway.domain.enums import (
    AccountStatus,
    Currency,
    Deployment,
    LicenseStatus,
    LicenseType,
    QuoteLineKind,
    QuoteStatus,
)
from gateway.domain.license import license_status
from gateway.domain.quote import effective_quote_status
from tests import factories

TODAY = dt.date(2026, 11, 26)
ACCOUNTS = 60
T = Base.metadata.tables
MARKER = "demoDataLoad"  # the audit event of the load itself, stamped with the real time


async def _load(engine: AsyncEngine, *, seed: int = 1, today: dt.date = TODAY) -> DemoSummary:
    return await load_demo_data(engine, accounts=ACCOUNTS, seed=seed, today=today)


async def _rows(engine: AsyncEngine, table: str) -> Sequence[Row[Any]]:
    async with engine.connect() as conn:
        return (await conn.execute(select(T[table]).order_by(*T[table].primary_key))).all()


async def _dump(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as the typed columns read them back, but for what is not
    reproducible by design: argon2 salts every hash, and the load's own audit event is
    stamped with the time it ran."""
    dump = {}
    for name in sorted(T):
        dump[name] = [dict(row._mapping) for row in await _rows(engine, name)]
    for account in dump["accounts"]:
        account["password_hash"] = account["password_hash"] is not None
    for event in dump["audit_events"]:
        if event["action"] == MARKER:
            event["at"] = None
    return dump


@pytest.fixture
async def demo(engine: AsyncEngine) -> AsyncEngine:
    await _load(engine)
    return engine


async def test_same_seed_and_day_give_the_same_rows(engine: AsyncEngine, tmp_path: Path) -> None:
    other = create_engine(f"sqlite+aiosqlite:///{tmp_path}/other.sqlite3")
    try:
        await upgrade(other)
        await _load(engine)
        await _load(other)
        first, second = await _dump(engine), await _dump(other)
    finally:
        await other.dispose()
    assert first == second
    assert len(first["licenses"]) > ACCOUNTS  # about two per account


def test_a_dataset_needs_a_few_accounts() -> None:
    with pytest.raises(ValueError, match="at least"):
        build_dataset(accounts=MIN_ACCOUNTS - 1, seed=1, today=TODAY)
    assert len(build_dataset(accounts=MIN_ACCOUNTS, seed=1, today=TODAY).accounts) == MIN_ACCOUNTS


async def test_a_second_load_with_the_same_arguments_changes_nothing(engine: AsyncEngine) -> None:
    first = await _load(engine)
    before = await _dump(engine)
    again = await _load(engine, today=TODAY + dt.timedelta(days=3))  # a later day: still there
    assert first.created and not again.created
    assert again.counts == first.counts
    assert again.today == TODAY
    assert await _dump(engine) == before


async def test_a_load_with_other_arguments_is_refused(demo: AsyncEngine) -> None:
    before = await _dump(demo)
    with pytest.raises(DemoDataConflict):
        await _load(demo, seed=2)
    assert await _dump(demo) == before


async def test_an_existing_price_book_is_kept_and_prices_the_demo_quotes(
    engine: AsyncEngine,
) -> None:
    await factories.catalog(engine)  # other list prices than the demo's own
    book = await _rows(engine, "prices")
    await _load(engine)
    assert await _rows(engine, "prices") == book
    amounts = {(p.product_id, p.tier, p.currency, p.kind): p.amount for p in book}
    quotes = {q.id: q for q in await _rows(engine, "quotes")}
    checked = 0
    for line in await _rows(engine, "quote_lines"):
        currency = quotes[line.quote_id].currency
        if currency is Currency.DZD or line.kind is QuoteLineKind.UPGRADE:
            continue
        years = line.years if line.kind is QuoteLineKind.RENEWAL else 1
        assert line.unit_price == amounts[line.product_id, line.tier, currency, line.kind] * years
        checked += 1
    assert checked > ACCOUNTS


async def test_summary_lists_counts_and_demo_logins(engine: AsyncEngine) -> None:
    summary = await _load(engine)
    assert summary.counts["accounts"] == ACCOUNTS
    assert summary.counts["organizations"] == ACCOUNTS // 2
    assert summary.counts["products"] == 3
    assert summary.counts["prices"] == 2 * 2 * (4 + 1 + 4)  # EUR/USD, NEW/RENEWAL, tiers sold
    printed = str(summary)
    for email in ("alice@example.com", "bob@example.com", "billing.only@example.com"):
        assert email in printed
    assert DEMO_PASSWORD in printed


async def test_demo_logins_share_one_password_and_invited_accounts_have_none(
    demo: AsyncEngine,
) -> None:
    accounts = await _rows(demo, "accounts")
    active = [a for a in accounts if a.status is AccountStatus.ACTIVE]
    invited = [a for a in accounts if a.status is AccountStatus.INVITED]
    assert invited and all(a.password_hash is None for a in invited)
    assert len({a.password_hash for a in active}) == 1  # hashed once
    assert verify_password(active[0].password_hash, DEMO_PASSWORD)
    assert all(a.email == a.email.lower() for a in accounts)
    assert len({a.email for a in accounts}) == len(accounts)


async def test_licenses_cover_every_status(demo: AsyncEngine) -> None:
    licenses = await _rows(demo, "licenses")
    products = {p.id: p.deployment for p in await _rows(demo, "products")}

    def status(row: Row[Any]) -> LicenseStatus:
        return license_status(
            license_type=row.license_type,
            deployment=products[row.product_id],
            evaluation_ends_on=row.evaluation_ends_on,
            maintenance_ends_on=row.maintenance_ends_on,
            today=TODAY,
            converted=row.converted_to_id is not None,
        )

    statuses = Counter(status(row) for row in licenses)
    assert set(statuses) == set(LicenseStatus)
    active = [row for row in licenses if status(row) is LicenseStatus.ACTIVE]
    assert any((row.maintenance_ends_on - TODAY).days <= 60 for row in active)  # expiring soon
    active_cloud = [row for row in active if products[row.product_id] is Deployment.CLOUD]
    assert active_cloud and all(row.card_token and len(row.card_last4) == 4 for row in active_cloud)
    assert any(row.past_due for row in active_cloud)
    lapsed = [row for row in licenses if status(row) is LicenseStatus.LAPSED]
    assert all(products[row.product_id] is Deployment.CLOUD for row in lapsed)


async def test_r_price_5_only_paid_licenses_have_a_key_and_a_price(demo: AsyncEngine) -> None:
    for row in await _rows(demo, "licenses"):
        paid = row.license_type is not LicenseType.EVALUATION
        assert (row.license_key is not None) is paid
        assert (row.purchase_amount is not None) is paid
        assert (row.purchased_on is not None) is paid
        assert row.sen.startswith("SEN-L") and len(row.sen) == 12


async def test_alice_has_licenses_quotes_and_orders(demo: AsyncEngine) -> None:
    alice = next(a for a in await _rows(demo, "accounts") if a.email == "alice@example.com")
    mine = [
        row
        for row in await _rows(demo, "licenses")
        if alice.id in (row.billing_account_id, row.technical_account_id)
    ]
    quotes = [q for q in await _rows(demo, "quotes") if q.billing_account_id == alice.id]
    assert len(mine) >= 15
    assert {q.status for q in quotes} == set(QuoteStatus)
    assert any(q.currency is Currency.DZD for q in quotes)


async def test_billing_only_is_only_a_billing_contact_of_two_licenses(demo: AsyncEngine) -> None:
    account = next(
        a for a in await _rows(demo, "accounts") if a.email == "billing.only@example.com"
    )
    licenses = await _rows(demo, "licenses")
    assert sum(row.billing_account_id == account.id for row in licenses) == 2
    assert all(row.technical_account_id != account.id for row in licenses)
    for table in ("quotes", "orders"):
        for row in await _rows(demo, table):
            assert account.id not in (row.billing_account_id, row.technical_account_id)


async def test_quotes_cover_every_state_and_line_kind(demo: AsyncEngine) -> None:
    quotes = await _rows(demo, "quotes")
    assert {q.status for q in quotes} == set(QuoteStatus)
    # R-QUOTE-1: stored OPEN past validUntil reads as EXPIRED; open ones are recent.
    open_quotes = [q for q in quotes if q.status is QuoteStatus.OPEN]
    effective = Counter(effective_quote_status(q.status, q.valid_until, TODAY) for q in open_quotes)
    assert effective[QuoteStatus.OPEN] and effective[QuoteStatus.EXPIRED]
    for q in quotes:
        assert q.valid_until == q.created_at.date() + dt.timedelta(days=30)
        assert (q.deleted_at is not None) is (q.status is QuoteStatus.DELETED)
        assert q.created_at <= q.updated_at < dt.datetime.combine(TODAY, dt.time(), dt.UTC)
        assert 1 <= q.version <= 3
    lines = await _rows(demo, "quote_lines")
    assert {line.kind for line in lines} == set(QuoteLineKind)
    for line in lines:
        assert (line.license_id is not None) is (line.kind is not QuoteLineKind.NEW)
        if line.kind is QuoteLineKind.RENEWAL:
            assert 1 <= line.years <= 3 and line.maintenance_starts_on is not None


async def test_r_maint_6_co_terming_requests_need_sales_review(demo: AsyncEngine) -> None:
    quotes = await _rows(demo, "quotes")
    sens = {row.sen for row in await _rows(demo, "licenses")}
    review = [q for q in quotes if q.requires_sales_review]
    assert review
    assert all(q.sync_with_sens and set(q.sync_with_sens) <= sens for q in review)
    assert all(not q.sync_with_sens for q in quotes if not q.requires_sales_review)


async def test_r_quote_5_resold_quotes_name_their_partner(demo: AsyncEngine) -> None:
    quotes = await _rows(demo, "quotes")
    assert any(q.is_reseller for q in quotes)
    assert all((q.partner_id is not None) is q.is_reseller for q in quotes)


async def test_r_cur_2_dzd_quotes_only_for_algerian_organizations(demo: AsyncEngine) -> None:
    countries = {o.id: o.country for o in await _rows(demo, "organizations")}
    quotes = await _rows(demo, "quotes")
    dzd = [q for q in quotes if q.currency is Currency.DZD]
    assert dzd
    for q in dzd:
        assert countries[q.organization_id] == "DZ"
        assert q.fx_rate > 0 and q.fx_margin >= 0  # R-CUR-3: the quote keeps its rate
    assert all(q.fx_rate is None for q in quotes if q.currency is not Currency.DZD)


async def test_every_paid_quote_has_exactly_one_order(demo: AsyncEngine) -> None:
    quotes = {q.id: q for q in await _rows(demo, "quotes")}
    orders = await _rows(demo, "orders")
    paid = {q.id for q in quotes.values() if q.status is QuoteStatus.PAID}
    assert Counter(o.quote_id for o in orders) == Counter(paid)
    issued = Counter(row.order_id for row in await _rows(demo, "order_licenses"))
    for order in orders:
        quote = quotes[order.quote_id]
        assert (order.total, order.currency) == (quote.total, quote.currency)
        assert quote.created_at <= order.paid_at
        assert order.paid_at.date() <= quote.valid_until
        assert issued[order.id] >= 1


async def test_r_price_4_quote_totals_are_the_sums_of_their_lines(demo: AsyncEngine) -> None:
    lines: dict[int, list[Row[Any]]] = {}
    for line in await _rows(demo, "quote_lines"):
        lines.setdefault(line.quote_id, []).append(line)
    for q in await _rows(demo, "quotes"):
        mine = lines[q.id]
        assert q.subtotal == sum(line.subtotal for line in mine)
        assert q.discount_total == sum(line.discount_total for line in mine)
        assert q.tax == 0
        assert q.total == q.subtotal - q.discount_total
        for line in mine:
            assert line.subtotal == line.unit_price * line.quantity
            assert line.discount_total == sum(Decimal(d["amount"]) for d in line.discounts)
            assert line.total == line.subtotal - line.discount_total


async def test_r_cur_4_money_is_stored_with_two_decimal_places(demo: AsyncEngine) -> None:
    columns = {
        "prices": ("amount",),
        "licenses": ("purchase_amount",),
        "quotes": ("subtotal", "discount_total", "tax", "total"),
        "quote_lines": ("unit_price", "subtotal", "discount_total", "total"),
        "orders": ("total",),
    }
    amounts: list[str] = []
    async with demo.connect() as conn:
        for table, names in columns.items():
            for name in names:
                raw = await conn.scalars(text(f"SELECT {name} FROM {table}"))  # as stored
                amounts += [str(value) for value in raw if value is not None]
    for line in await _rows(demo, "quote_lines"):
        amounts += [d["amount"] for d in line.discounts]
    assert amounts
    assert all(Decimal(amount).as_tuple().exponent == -2 for amount in amounts), amounts[:5]


async def test_number_sequences_continue_after_the_demo_numbers(demo: AsyncEngine) -> None:
    sequences = {row.kind: row.next_value for row in await _rows(demo, "number_sequences")}
    numbers = {
        "quote": [q.number for q in await _rows(demo, "quotes")],
        "order": [o.number for o in await _rows(demo, "orders")],
        "invoice": [o.invoice_number for o in await _rows(demo, "orders")],
        "sen": [x.sen for x in await _rows(demo, "licenses")],
    }
    for kind, used in numbers.items():
        values = sorted(int(number.rsplit("-", 1)[-1].lstrip("L")) for number in used)
        assert values == list(range(values[0], values[0] + len(values)))  # gap-free
        assert sequences[kind] == values[-1] + 1
    assert min(numbers["quote"]) == "Q-000001"


async def test_audit_trail_has_the_demo_changes(demo: AsyncEngine) -> None:
    actions = Counter(event.action for event in await _rows(demo, "audit_events"))
    assert actions["quoteSetPoNumber"] >= 1 and actions[MARKER] == 1
