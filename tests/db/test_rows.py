"""The typed rows of ``db.rows``: each row class has exactly the columns, in order, of every
statement decoded into it, and what the database hands back decodes into plain values
(``Decimal`` money, aware UTC times, the domain's enums) on every backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeAlias

import pytest
from sqlalchemy import Select, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import (
    Account,
    AuditEvent,
    BillingAddress,
    License,
    Order,
    Organization,
    Partner,
    Payment,
    Quote,
    QuoteLine,
    SalesRequest,
    TaxId,
)
from db.queries import (
    account,
    audit,
    auth,
    conversion,
    lists,
    order,
    partner,
    quote,
    sales_request,
)
from db.queries import license as license_queries
from db.queries import payment as payment_queries
from db.queries.api_token import PUBLIC_TOKEN_COLUMNS
from db.queries.batch import Children
from db.queries.filters import LicenseFilter
from db.queries.pages import PageRequest, bound_pages_statement
from db.rows import (
    AccountRow,
    ApiTokenRow,
    AuditEventRow,
    BillingAddressRow,
    EvaluationRow,
    LicenseRow,
    LicenseSubject,
    OrderRow,
    OrganizationRow,
    PartnerRow,
    PasswordResetTokenRow,
    PaymentRow,
    QuoteLineInQuote,
    QuoteLineRow,
    QuoteRow,
    QuoteSubject,
    RefreshTokenRow,
    Requester,
    SalesRequestRow,
    TaxIdRow,
)
from gateway.auth import principal as principals
from gateway.domain.enums import (
    Currency,
    Deployment,
    LicenseType,
    QuoteLineKind,
    QuoteStatus,
    Tier,
)
from gateway.loaders import Loaders
from gateway.loaders.license import LICENSES_OF_ACCOUNT
from tests import factories

ANYONE = true()
ENUMS = {"gateway.domain.enums"}
AnySelect: TypeAlias = Select[*tuple[Any, ...]]

# Every column of a table, in order: what ``select(*Model.__table__.c)`` reads.
TABLES: list[tuple[Any, type[Any]]] = [
    (Account, AccountRow),
    (AuditEvent, AuditEventRow),
    (BillingAddress, BillingAddressRow),
    (License, LicenseRow),
    (Order, OrderRow),
    (Organization, OrganizationRow),
    (Partner, PartnerRow),
    (Payment, PaymentRow),
    (Quote, QuoteRow),
    (QuoteLine, QuoteLineRow),
    (SalesRequest, SalesRequestRow),
    (TaxId, TaxIdRow),
]

# (what, statement, row class, the columns after the row's: a batch's parent key, …)
STATEMENTS: list[tuple[str, AnySelect, type[Any], tuple[str, ...]]] = [
    ("license by id", license_queries.license_by_id_statement(visible=ANYONE), LicenseRow, ()),
    ("license by SEN", license_queries.license_by_sen_statement(visible=ANYONE), LicenseRow, ()),
    (
        "licenses of orders",
        license_queries.licenses_of_orders_statement(visible=ANYONE),
        LicenseRow,
        ("parent_key",),
    ),
    ("quote by id", quote.quote_by_id_statement(visible=ANYONE), QuoteRow, ()),
    (
        "quote line by id",
        quote.quote_line_by_id_statement(visible=ANYONE),
        QuoteLineRow,
        ("quote_currency",),
    ),
    ("lines of quotes", quote.LINES_OF_QUOTES, QuoteLineRow, ("parent_key",)),
    ("order by id", order.order_by_id_statement(visible=ANYONE), OrderRow, ()),
    (
        "orders of licenses",
        order.orders_of_licenses_statement(visible=ANYONE),
        OrderRow,
        ("parent_key",),
    ),
    ("account by id", account.account_by_id_statement(visible=ANYONE), AccountRow, ()),
    (
        "organization by id",
        account.organization_by_id_statement(visible=ANYONE),
        OrganizationRow,
        (),
    ),
    ("tax ids of accounts", account.TAX_IDS_OF_ACCOUNTS, TaxIdRow, ("parent_key",)),
    ("audit event by id", audit.audit_event_by_id_statement(visible=ANYONE), AuditEventRow, ()),
    ("partner by id", partner.PARTNER_BY_ID, PartnerRow, ()),
    ("payment by id", payment_queries.payment_by_id_statement(visible=ANYONE), PaymentRow, ()),
    (
        "partner token by id",
        partner.partner_token_by_id_statement(visible=ANYONE),
        ApiTokenRow,
        (),
    ),
    ("a token's public columns", select(*PUBLIC_TOKEN_COLUMNS), ApiTokenRow, ()),
    ("usable reset token", auth.USABLE_PASSWORD_RESET_TOKEN, PasswordResetTokenRow, ()),
    ("refresh token", auth.REFRESH_TOKEN, RefreshTokenRow, ()),
    (
        "sales request by id",
        sales_request.sales_request_by_id_statement(visible=ANYONE),
        SalesRequestRow,
        (),
    ),
    # Partial reads: a row class of some of a table's columns (R-EVAL-5, R-REQ-1).
    ("evaluation to convert", conversion.EVALUATION, EvaluationRow, ()),
    ("license a request is about", sales_request.LICENSE_SUBJECT, LicenseSubject, ()),
    ("quote a request is about", sales_request.QUOTE_SUBJECT, QuoteSubject, ()),
    ("requester", sales_request.REQUESTER, Requester, ()),
]


def _row_class(decode: Callable[[Sequence[Any]], Any]) -> type[Any]:
    """The row class of a ``decode`` (``LicenseRow._make``)."""
    owner = getattr(decode, "__self__", None)
    assert isinstance(owner, type) and issubclass(owner, tuple), f"{decode} is no row class's"
    return owner


def _relations() -> list[tuple[str, Children[Any]]]:
    """Every paged relation ``db.queries`` defines, found by type (a new one is covered)."""
    found = []
    for module in (account, audit, license_queries, order, partner, quote, sales_request):
        for name, value in vars(module).items():
            if isinstance(value, Children):
                found.append((f"{module.__name__}.{name}", value))
    return found


def _root_lists() -> list[tuple[str, lists.RootList[Any]]]:
    return [(n, v) for n, v in vars(lists).items() if isinstance(v, lists.RootList)]


@pytest.mark.parametrize(("model", "row"), TABLES, ids=[m.__tablename__ for m, _ in TABLES])
def test_a_table_row_has_every_column_of_its_table_in_order(model: Any, row: type[Any]) -> None:
    assert row._fields == tuple(model.__table__.c.keys())
    assert row.__mro__[1] is tuple and row.__slots__ == ()  # no __dict__ a row


@pytest.mark.parametrize(
    ("stmt", "row", "after"), [s[1:] for s in STATEMENTS], ids=[s[0] for s in STATEMENTS]
)
def test_a_row_class_has_the_columns_of_its_statements(
    stmt: AnySelect, row: type[Any], after: tuple[str, ...]
) -> None:
    assert tuple(stmt.selected_columns.keys()) == (*row._fields, *after)


def test_every_paged_relation_decodes_the_columns_it_pages() -> None:
    relations = _relations()
    assert len(relations) >= 6  # licenses, quotes, orders of accounts; of organizations, …
    for name, children in relations:
        source, parent = children.join()
        stmt = bound_pages_statement(
            columns=children.columns,
            source=source,
            parent=parent,
            where=[],
            id_col=children.id_col,
            after=False,
            before=False,
            backwards=False,
        )
        fields = _row_class(children.decode)._fields
        columns = tuple(stmt.selected_columns.keys())
        assert columns == (*fields, "parent_key", "page_rank"), name


def test_every_root_list_decodes_its_tables_columns() -> None:
    roots = _root_lists()
    assert {name for name, _ in roots} >= {
        "LICENSES",
        "QUOTES",
        "ACCOUNTS",
        "AUDIT_EVENTS",
        "PAYMENTS",
    }
    for name, root in roots:
        fields = _row_class(root.decode)._fields
        assert fields == tuple(root.model.__table__.c.keys()), name


def test_a_row_of_the_wrong_length_is_refused_not_truncated() -> None:
    values = tuple(range(len(TaxIdRow._fields)))
    assert tuple(TaxIdRow._make(values)) == values
    with pytest.raises(TypeError):
        TaxIdRow._make((*values, "one column too many"))
    with pytest.raises(TypeError):
        TaxIdRow._make(values[:-1])


async def test_the_loaders_decode_typed_plain_values(engine: AsyncEngine) -> None:
    server = (await factories.catalog(engine))[Deployment.SERVER]
    billing = await factories.account(engine)
    organization_id = await factories.organization(engine)
    license_id = await factories.license(
        engine, product_id=server, organization_id=organization_id, billing=billing
    )
    quote_id = await factories.quote(
        engine,
        organization_id=organization_id,
        billing=billing,
        lines=[{"product_id": server}],
        currency=Currency.USD,
    )
    await factories.order(
        engine,
        quote_id=quote_id,
        organization_id=organization_id,
        billing=billing,
        license_ids=[license_id],
    )
    loaders = Loaders(engine=engine, principal=principals.staff(1, "rows"), today=factories.TODAY)

    found = await loaders.license.load(license_id)
    assert type(found) is LicenseRow
    # Plain values only: nothing of the driver's or SQLAlchemy's result stays in a row.
    assert not {type(v).__module__ for v in found} - {"builtins", "datetime", "decimal", *ENUMS}
    assert found.id == license_id and found.tier is Tier.PROFESSIONAL
    assert found.license_type is LicenseType.COMMERCIAL
    assert type(found.purchase_amount) is Decimal and found.purchase_amount == Decimal("3840.00")
    assert found.purchase_currency is Currency.EUR
    assert found.created_at.utcoffset() == dt.timedelta(0)
    assert await loaders.license_by_sen.load(found.sen) == found

    quote_row = await loaders.quote.load(quote_id)
    assert isinstance(quote_row, QuoteRow)
    assert quote_row.status is QuoteStatus.OPEN and type(quote_row.total) is Decimal
    assert quote_row.created_at.tzinfo is not None
    assert quote_row.created_at.utcoffset() == dt.timedelta(0)

    lines = await loaders.quote_lines.load(quote_id)
    assert [type(line) for line in lines] == [QuoteLineRow]
    assert lines[0].kind is QuoteLineKind.NEW and lines[0].quote_id == quote_id
    assert lines[0].discounts == [{"kind": "PROMOTIONAL", "percent": "20", "amount": "960.00"}]
    in_quote = await loaders.quote_line.load(lines[0].id)
    assert in_quote == QuoteLineInQuote(lines[0], Currency.USD)
    assert in_quote.currency is Currency.USD

    (order_row,) = await loaders.orders_of_license.load(license_id)
    assert isinstance(order_row, OrderRow) and order_row.quote_id == quote_id
    assert order_row.paid_at.utcoffset() == dt.timedelta(0)
    assert await loaders.licenses_of_order.load(order_row.id) == [found]

    key = (billing, PageRequest(limit=10), LicenseFilter())
    page = await loaders.page(LICENSES_OF_ACCOUNT).load(key)
    assert page.rows == [found] and not page.has_next_page
    assert await loaders.count(LICENSES_OF_ACCOUNT).load((billing, LicenseFilter())) == 1
