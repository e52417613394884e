"""Everything a quote or an invoice prints, read in a few statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from db.models import Account, Order, Organization, Partner, Quote, QuoteLine, TaxId
from db.queries import catalog
from db.queries.decode import maybe
from db.rows import (
    AccountRow,
    OrderRow,
    OrganizationRow,
    PartnerRow,
    QuoteLineRow,
    QuoteRow,
    TaxIdRow,
)


@dataclass(frozen=True, slots=True)
class DocumentData:
    quote: QuoteRow
    order: OrderRow | None
    organization: OrganizationRow
    partner: PartnerRow | None
    billing: AccountRow
    technical: AccountRow
    tax_ids: list[TaxIdRow]
    lines: list[QuoteLineRow]
    products: dict[int, str]


async def document_data(conn: AsyncConnection, *, kind: str, pk: int) -> DocumentData | None:
    order = None
    if kind == "invoice":
        found = await conn.execute(select(*Order.__table__.c).where(Order.id == pk))
        order = maybe(OrderRow._make, found.first())
        if order is None:
            return None
        pk = order.quote_id
    found = await conn.execute(select(*Quote.__table__.c).where(Quote.id == pk))
    quote = maybe(QuoteRow._make, found.first())
    if quote is None:
        return None
    found = await conn.execute(
        select(*Organization.__table__.c).where(Organization.id == quote.organization_id)
    )
    organization = OrganizationRow._make(found.one())
    partner = None
    if quote.partner_id is not None:
        found = await conn.execute(
            select(*Partner.__table__.c).where(Partner.id == quote.partner_id)
        )
        partner = maybe(PartnerRow._make, found.first())
    found = await conn.execute(
        select(*Account.__table__.c).where(
            Account.id.in_([quote.billing_account_id, quote.technical_account_id])
        )
    )
    contacts = {row.id: row for row in map(AccountRow._make, found)}
    found = await conn.execute(
        select(*TaxId.__table__.c)
        .where(TaxId.account_id == quote.billing_account_id)
        .order_by(TaxId.kind, TaxId.value)
    )
    tax_ids = list(map(TaxIdRow._make, found))
    found = await conn.execute(
        select(*QuoteLine.__table__.c)
        .where(QuoteLine.quote_id == quote.id)
        .order_by(QuoteLine.position)
    )
    lines = list(map(QuoteLineRow._make, found))
    products = await catalog.product_names(conn=conn)
    return DocumentData(
        quote=quote,
        order=order,
        organization=organization,
        partner=partner,
        billing=contacts[quote.billing_account_id],
        technical=contacts[quote.technical_account_id],
        tax_ids=tax_ids,
        lines=lines,
        products=products,
    )
