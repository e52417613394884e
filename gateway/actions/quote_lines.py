"""What the quote actions share: the price book, the rows to write for priced lines, the
contacts' accounts, the mail to them, and the quote as its caller may see it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.queries import account as account_queries
from db.queries import quote as queries
from db.rows import LicenseRow, QuoteLineRow, QuoteRow
from gateway.actions import messages
from gateway.actions.invitation import invite_contact
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.domain import quote as rules
from gateway.domain.enums import LicenseType, PriceKind, QuoteLineKind, Tier
from gateway.domain.errors import DomainError, ErrorCode, not_found
from gateway.domain.pricing import PricedLine, QuoteTotals
from gateway.domain.quote_input import LineDraft, PriceCatalog
from gateway.domain.quote_pricing import (
    FxRate,
    LineSpec,
    NewLine,
    RenewalLine,
    UpgradeLine,
    discounts_record,
)


async def load_catalog(unit: UnitOfWork) -> PriceCatalog:
    return PriceCatalog(
        deployments=await queries.product_deployments(unit.session),
        book=await queries.price_book(unit.session),
        newest_rate=await queries.newest_exchange_rate(unit.session),
    )


def line_row_values(draft: LineDraft, priced: PricedLine) -> dict[str, Any]:
    return {
        "kind": draft.kind,
        "product_id": draft.product_id,
        "tier": draft.tier,
        "license_type": draft.license_type,
        "deployment_entity": draft.deployment_entity,
        "quantity": draft.quantity,
        "license_id": draft.license_id,
        "years": draft.years,
        "maintenance_starts_on": draft.maintenance_starts_on,
        "maintenance_ends_on": draft.maintenance_ends_on,
        **priced_values(priced),
    }


def priced_values(priced: PricedLine) -> dict[str, Any]:
    """R-CUR-4: each line keeps its own rounded amounts and the discounts that made them."""
    return {
        "unit_price": priced.unit_price,
        "subtotal": priced.subtotal,
        "discount_total": priced.discount_total,
        "total": priced.total,
        "discounts": discounts_record(priced),
    }


def stored_line_draft(
    row: QuoteLineRow, catalog: PriceCatalog, license_row: LicenseRow | None
) -> LineDraft:
    """A line already on the quote, to re-price it (for instance in another currency)."""
    kind = QuoteLineKind(row.kind)
    deployment = catalog.deployments[row.product_id]
    tier = Tier(row.tier)
    license_type = LicenseType(row.license_type)
    missing = DomainError(
        ErrorCode.INVALID, "A line of this quote has no list price any more; contact sales."
    )
    spec: LineSpec
    if kind == QuoteLineKind.NEW:
        price = catalog.price(row.product_id, tier, PriceKind.NEW)
        if price is None:
            raise missing
        spec = NewLine(deployment, license_type, row.quantity, price)
    elif kind == QuoteLineKind.RENEWAL:
        price = catalog.price(row.product_id, tier, PriceKind.RENEWAL)
        if price is None:
            raise missing
        spec = RenewalLine(deployment, license_type, row.years or 1, price)
    else:
        if license_row is None:
            raise missing
        current = catalog.price(row.product_id, Tier(license_row.tier), PriceKind.NEW)
        target = catalog.price(row.product_id, tier, PriceKind.NEW)
        if current is None or target is None:
            raise missing
        spec = UpgradeLine(
            deployment=deployment,
            license_type=license_type,
            current=current,
            target=target,
            paid_amount=license_row.purchase_amount,
            paid_currency=license_row.purchase_currency,
            purchased_on=license_row.purchased_on,
        )
    return LineDraft(
        kind=kind,
        product_id=row.product_id,
        deployment=deployment,
        tier=tier,
        license_type=license_type,
        deployment_entity=row.deployment_entity,
        quantity=row.quantity,
        spec=spec,
        license_id=row.license_id,
        years=row.years,
        maintenance_starts_on=row.maintenance_starts_on,
        maintenance_ends_on=row.maintenance_ends_on,
    )


def quote_totals_values(totals: QuoteTotals) -> dict[str, Any]:
    return {
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "tax": totals.tax,  # R-PRICE-4
        "total": totals.total,
    }


def fx_values(fx: FxRate | None) -> dict[str, Any]:
    """R-CUR-3: a DZD quote stores the rate and margin it used; other quotes none."""
    return {"fx_rate": fx.rate if fx else None, "fx_margin": fx.margin if fx else None}


async def contact_accounts(
    unit: UnitOfWork, emails: Sequence[str], *, country: str, quote_number: str
) -> list[int]:
    """The accounts of these contact emails; an unknown email gets an invited account and an
    invitation with a link that sets its password (``gateway.actions.invitation``)."""
    ids = []
    for email in emails:
        account_id, created = await account_queries.account_for_contact(
            unit.session, email, now=unit.now, country=country
        )
        if created:
            await invite_contact(
                unit,
                account_id=account_id,
                email=email,
                subject=f"You are a contact on Conex quote {quote_number}",
                reason=f"You were named a contact on Conex quote {quote_number}.",
            )
        ids.append(account_id)
    return ids


def mail_contacts(unit: UnitOfWork, emails: Sequence[str], message: messages.Message) -> None:
    for email in dict.fromkeys(emails):  # one mail when billing and technical are the same
        unit.send(email, message)


def summary(row: QuoteRow) -> messages.QuoteSummary:
    return messages.quote_summary(
        quote_id=row.id,
        number=row.number,
        total=row.total,
        currency=row.currency,
        valid_until=row.valid_until,
    )


async def caller_email(unit: UnitOfWork) -> str | None:
    if unit.principal.account_id is None:
        return None
    emails = await queries.account_emails(unit.session, [unit.principal.account_id])
    return emails.get(unit.principal.account_id)


async def visible_quote(unit: UnitOfWork, quote_id: int) -> QuoteRow | None:
    """The quote for the payload, only when the caller may see it (R-QUOTE-6): an anonymous
    renewal request, or a partner without quotes:read, gets null and the contacts get mail."""
    return await queries.visible_quote(unit.session, quote_id, policy.quote_visible(unit.principal))


async def refuse_stale_or_closed(
    uow: UnitOfWork, quote_id: int, expected_version: int
) -> DomainError:
    """Why a guarded UPDATE matched nothing: not visible, not open, or stale (R-QUOTE-7)."""
    row = await queries.visible_quote(uow.session, quote_id, policy.quote_writable(uow.principal))
    if row is None:
        return not_found("id", "quote")
    status = rules.effective_quote_status(row.status, row.valid_until, uow.today)
    try:
        rules.check_open(status, field=("id",))
    except DomainError as closed:
        return closed
    return DomainError(
        ErrorCode.STALE_VERSION,
        f"The quote changed since version {expected_version}; it is now at {row.version}.",
        field=("expectedVersion",),
    )
