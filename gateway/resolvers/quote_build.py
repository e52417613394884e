"""What the quote mutations share: reading and checking line input, pricing it with the
price book, naming contacts, the rows to write, the payload and the mail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Row

from db.queries import account as account_queries
from db.queries import quote as queries
from gateway.auth import policy
from gateway.domain import quote as rules
from gateway.domain.account import normalise_email
from gateway.domain.enums import Currency, Deployment, LicenseType, PriceKind, QuoteLineKind, Tier
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.pricing import PricedLine, QuoteTotals, check_quantity
from gateway.domain.quote_pricing import (
    BookPrice,
    FxRate,
    LineSpec,
    NewLine,
    RenewalLine,
    UpgradeLine,
    discounts_record,
)
from gateway.resolvers.invitation import invite_contact
from gateway.resolvers.unit import Unit
from gateway.schema.mutation_inputs import QuoteLineInput
from gateway.schema.quote import Quote
from gateway.schema.relay import decode_id_of

T = TypeVar("T")


def attempt(errors: list[DomainError], check: Callable[[], T]) -> T | None:
    """Run one input check; a refusal is collected so that every bad field is reported."""
    try:
        return check()
    except DomainError as error:
        errors.append(error)
        return None


def at(field: tuple[str, ...], check: Callable[[], T]) -> T:
    """Run a domain check and report its refusal on ``field`` (the input's own path)."""
    try:
        return check()
    except DomainError as error:
        raise DomainError(error.code, error.message, field=field) from None


def email_at(value: str, field: tuple[str, ...]) -> str:
    return at(field, lambda: normalise_email(value))


@dataclass(frozen=True, slots=True)
class PriceCatalog:
    """The price book, products and newest EUR→DZD rate, read once per mutation."""

    deployments: dict[int, Deployment]
    book: dict[tuple[int, Tier, PriceKind], BookPrice]
    newest_rate: FxRate | None

    def price(self, product_id: int, tier: Tier, kind: PriceKind) -> BookPrice | None:
        return self.book.get((product_id, tier, kind))


async def load_catalog(unit: Unit) -> PriceCatalog:
    return PriceCatalog(
        deployments=await queries.product_deployments(unit.session),
        book=await queries.price_book(unit.session),
        newest_rate=await queries.newest_exchange_rate(unit.session),
    )


@dataclass(frozen=True, slots=True)
class LineDraft:
    """A line to write: what it is, how to price it, and the license it renews or upgrades."""

    kind: QuoteLineKind
    product_id: int
    deployment: Deployment
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    quantity: int
    spec: LineSpec
    license_id: int | None = None
    years: int | None = None
    maintenance_starts_on: dt.date | None = None  # R-MAINT-4 renewals; others start at payment
    maintenance_ends_on: dt.date | None = None

    def describe(self) -> str:
        """How the audit trail names the line."""
        what = f"{self.kind.value} {self.deployment.value} {self.tier.value} {self.license_type}"
        return f"{what} x{self.quantity} {self.deployment_entity}"

    def row_values(self, priced: PricedLine) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "product_id": self.product_id,
            "tier": self.tier,
            "license_type": self.license_type,
            "deployment_entity": self.deployment_entity,
            "quantity": self.quantity,
            "license_id": self.license_id,
            "years": self.years,
            "maintenance_starts_on": self.maintenance_starts_on,
            "maintenance_ends_on": self.maintenance_ends_on,
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


def parse_new_lines(
    lines: Sequence[QuoteLineInput],
    catalog: PriceCatalog,
    *,
    academic_organization: bool,
    errors: list[DomainError],
) -> list[LineDraft]:
    """Check every line of a quoteCreate/quoteUpdate input; refusals go to ``errors``."""
    try:
        rules.check_line_count(len(lines))
    except DomainError as error:  # none, or too many to check one by one
        errors.append(error)
        return []
    drafts = [
        _parse_new_line(
            index, line, catalog, academic_organization=academic_organization, errors=errors
        )
        for index, line in enumerate(lines)
    ]
    return [draft for draft in drafts if draft is not None]


def _parse_new_line(
    index: int,
    line: QuoteLineInput,
    catalog: PriceCatalog,
    *,
    academic_organization: bool,
    errors: list[DomainError],
) -> LineDraft | None:
    here = ("lines", str(index))
    before = len(errors)
    product_id = decode_id_of(line.product, "Product")
    deployment = catalog.deployments.get(product_id) if product_id else None
    price = None
    if product_id is None or deployment is None:
        errors.append(
            DomainError(ErrorCode.NOT_FOUND, "No such product.", field=(*here, "product"))
        )
    else:
        attempt(errors, lambda: rules.check_line_tier(deployment, line.tier, (*here, "tier")))
        price = catalog.price(product_id, line.tier, PriceKind.NEW)
        if len(errors) == before and price is None:
            # sold in this tier, but the price book has no price for it
            errors.append(
                DomainError(
                    ErrorCode.INVALID, "This tier has no list price.", field=(*here, "tier")
                )
            )
    attempt(
        errors,
        lambda: rules.check_line_license_type(
            line.license_type,
            academic_organization=academic_organization,
            field=(*here, "licenseType"),
        ),
    )
    entity = attempt(
        errors,
        lambda: rules.check_deployment_entity(line.deployment_entity, (*here, "deploymentEntity")),
    )
    quantity = 1 if line.quantity is None else line.quantity
    attempt(errors, lambda: at((*here, "quantity"), lambda: check_quantity(quantity)))
    if len(errors) > before or deployment is None or product_id is None:
        return None
    assert price is not None and entity is not None
    return LineDraft(
        kind=QuoteLineKind.NEW,
        product_id=product_id,
        deployment=deployment,
        tier=line.tier,
        license_type=line.license_type,
        deployment_entity=entity,
        quantity=quantity,
        spec=NewLine(
            deployment=deployment, license_type=line.license_type, quantity=quantity, price=price
        ),
    )


def stored_line_draft(
    row: Row[Any], catalog: PriceCatalog, license_row: Row[Any] | None
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
    unit: Unit, emails: Sequence[str], *, country: str, quote_number: str
) -> list[int]:
    """The accounts of these contact emails; an unknown email gets an invited account and an
    invitation with a link that sets its password (``gateway.resolvers.invitation``)."""
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


def mail_contacts(
    unit: Unit, emails: Sequence[str], *, subject: str, body: str, template: str
) -> None:
    for email in dict.fromkeys(emails):  # one mail when billing and technical are the same
        unit.mail(to=email, subject=subject, body=body, template=template)


def quote_summary(row: Row[Any]) -> str:
    return (
        f"Quote {row.number}: total {row.total} {Currency(row.currency).value}, "
        f"valid until {row.valid_until.isoformat()}."
    )


async def visible_payload(unit: Unit, quote_id: int) -> Quote | None:
    """The quote for the payload, only when the caller may see it (R-QUOTE-6): an anonymous
    renewal request, or a partner without quotes:read, gets null and the contacts get mail."""
    row = await queries.visible_quote(unit.session, quote_id, policy.quote_visible(unit.principal))
    return Quote.from_row(row) if row is not None else None
