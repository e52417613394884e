"""The input of quoteCreate and quoteUpdate, checked in one step: the parsed command, or every
bad field at once (``DomainErrors``). Pure: the price book and the caller's email are given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.domain import quote as rules
from gateway.domain.account import check_country, normalise_email
from gateway.domain.conversion import check_one_line_per_evaluation
from gateway.domain.currency import check_currency_allowed
from gateway.domain.enums import Currency, Deployment, LicenseType, PriceKind, QuoteLineKind, Tier
from gateway.domain.errors import DomainError, ErrorCode, Refusals, at
from gateway.domain.pricing import check_quantity
from gateway.domain.quote_pricing import (
    BookPrice,
    FxRate,
    LineSpec,
    NewLine,
    PricingTerms,
    pricing_terms,
)


@dataclass(frozen=True, slots=True)
class PriceCatalog:
    """The price book, products and newest EUR→DZD rate, read once per mutation."""

    deployments: dict[int, Deployment]
    book: dict[tuple[int, Tier, PriceKind], BookPrice]
    newest_rate: FxRate | None

    def price(self, product_id: int, tier: Tier, kind: PriceKind) -> BookPrice | None:
        return self.book.get((product_id, tier, kind))


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
    converts_evaluation_id: int | None = None  # R-EVAL-5

    def describe(self) -> str:
        """How the audit trail names the line."""
        what = f"{self.kind.value} {self.deployment.value} {self.tier.value} {self.license_type}"
        converts = " converting an evaluation" if self.converts_evaluation_id else ""
        return f"{what} x{self.quantity} {self.deployment_entity}{converts}"


@dataclass(frozen=True, slots=True)
class NewLineFields:
    """One line as given; ``product_id`` is None when the id named no product."""

    product_id: int | None
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    quantity: int | None = 1
    # R-EVAL-5: the evaluation the line converts; 0 when the id named no license.
    converts_evaluation_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteCreateFields:
    currency: Currency
    organization_name: str
    organization_country: str
    academic: bool
    billing_contact_email: str
    technical_contact_email: str
    lines: Sequence[NewLineFields]
    po_number: str | None = None
    is_reseller: bool = False


@dataclass(frozen=True, slots=True)
class QuoteCreateCommand:
    currency: Currency
    organization_name: str
    organization_country: str
    academic: bool
    billing: str
    technical: str
    po_number: str | None
    is_reseller: bool
    drafts: list[LineDraft]
    terms: PricingTerms


@dataclass(frozen=True, slots=True)
class QuoteUpdateFields:
    currency: Currency | None = None
    lines: Sequence[NewLineFields] | None = None
    billing_contact_email: str | None = None
    technical_contact_email: str | None = None

    def changes_nothing(self) -> bool:
        return (
            self.currency is None
            and self.lines is None
            and self.billing_contact_email is None
            and self.technical_contact_email is None
        )


@dataclass(frozen=True, slots=True)
class QuoteAsStored:
    """What quoteUpdate's input is checked against: the quote and its organization now."""

    currency: Currency
    country: str
    academic: bool
    billing: str
    technical: str
    line_kinds: Sequence[QuoteLineKind]


@dataclass(frozen=True, slots=True)
class QuoteUpdateCommand:
    currency: Currency
    drafts: list[LineDraft] | None  # None: the lines stay
    billing: str
    technical: str


def email_at(value: str, field: tuple[str, ...]) -> str:
    return at(field, lambda: normalise_email(value))


def parse_quote_create(
    fields: QuoteCreateFields,
    *,
    catalog: PriceCatalog,
    resells_as_partner: bool,
    caller_email: str | None,
    partner_percent: Decimal | None,
) -> QuoteCreateCommand:
    """R-QUOTE-5 (a partner always resells), R-QUOTE-6 (a customer who does not resell names
    themselves a contact: ``caller_email`` is theirs, None for anyone else), R-CUR-*, R-LIC-1
    and the line rules; every bad field is reported at once."""
    refusals = Refusals()
    name = refusals.check(
        lambda: rules.check_organization_name(fields.organization_name, ("organization", "name"))
    )
    country = refusals.check(
        lambda: check_country(fields.organization_country, ("organization", "country"))
    )
    billing = refusals.check(
        lambda: email_at(fields.billing_contact_email, ("billingContactEmail",))
    )
    technical = refusals.check(
        lambda: email_at(fields.technical_contact_email, ("technicalContactEmail",))
    )
    po_number = refusals.check(lambda: rules.check_po_number(fields.po_number))
    drafts = parse_new_lines(fields.lines, catalog, academic=fields.academic, refusals=refusals)
    reseller = resells_as_partner or fields.is_reseller
    if caller_email is not None and not reseller and billing and technical:
        refusals.check(
            lambda: rules.check_caller_is_contact(
                caller_email,
                billing_email=billing,
                technical_email=technical,
                field=("billingContactEmail",),
            )
        )
    terms = None
    if country is not None:
        terms = refusals.check(
            lambda: pricing_terms(
                currency=fields.currency,
                organization_country=country,
                academic_organization=fields.academic,
                newest_rate=catalog.newest_rate,
                partner_percent=partner_percent,
            )
        )
    refusals.raise_any()
    assert name and country and billing and technical and terms
    return QuoteCreateCommand(
        currency=fields.currency,
        organization_name=name,
        organization_country=country,
        academic=fields.academic,
        billing=billing,
        technical=technical,
        po_number=po_number,
        is_reseller=reseller,
        drafts=drafts,
        terms=terms,
    )


def parse_quote_update(
    fields: QuoteUpdateFields,
    *,
    stored: QuoteAsStored,
    catalog: PriceCatalog,
    caller_email: str | None,
) -> QuoteUpdateCommand:
    """R-CUR-2 for the (new) currency, new lines only (renewal and upgrade lines are asked
    for by SEN), R-QUOTE-6 for a customer (``caller_email``: theirs, None for anyone else);
    every bad field is reported at once, under ``input``."""
    refusals = Refusals()
    currency = fields.currency or stored.currency
    refusals.check(lambda: check_currency_allowed(currency, stored.country))
    drafts: list[LineDraft] | None = None
    if fields.lines is not None:
        if any(kind is not QuoteLineKind.NEW for kind in stored.line_kinds):
            refusals.add(
                DomainError(
                    ErrorCode.INVALID,
                    "Renewal and upgrade lines are requested by SEN, not edited; "
                    "request a new quote instead.",
                    field=("lines",),
                )
            )
        drafts = parse_new_lines(fields.lines, catalog, academic=stored.academic, refusals=refusals)
    billing, technical = stored.billing, stored.technical
    if fields.billing_contact_email is not None:
        given = fields.billing_contact_email
        billing = refusals.check(lambda: email_at(given, ("billingContactEmail",))) or billing
    if fields.technical_contact_email is not None:
        given_t = fields.technical_contact_email
        technical = (
            refusals.check(lambda: email_at(given_t, ("technicalContactEmail",))) or technical
        )
    if not refusals and caller_email is not None:
        refusals.check(
            lambda: rules.check_caller_is_contact(
                caller_email,
                billing_email=billing,
                technical_email=technical,
                field=("billingContactEmail",),
            )
        )
    refusals.raise_any(("input",))
    return QuoteUpdateCommand(
        currency=currency, drafts=drafts, billing=billing, technical=technical
    )


def parse_new_lines(
    lines: Sequence[NewLineFields],
    catalog: PriceCatalog,
    *,
    academic: bool,
    refusals: Refusals,
) -> list[LineDraft]:
    """Check every NEW line of a quote; refusals are kept in ``refusals``."""
    try:
        rules.check_line_count(len(lines))
    except DomainError as error:  # none, or too many to check one by one
        refusals.add(error)
        return []
    drafts = [
        _parse_new_line(index, line, catalog, academic=academic, refusals=refusals)
        for index, line in enumerate(lines)
    ]
    for refused in check_one_line_per_evaluation(
        [line.converts_evaluation_id for line in lines],
        [1 if line.quantity is None else line.quantity for line in lines],
    ):
        refusals.add(refused)
    return [draft for draft in drafts if draft is not None]


def _parse_new_line(
    index: int,
    line: NewLineFields,
    catalog: PriceCatalog,
    *,
    academic: bool,
    refusals: Refusals,
) -> LineDraft | None:
    here = ("lines", str(index))
    before = len(refusals)
    product_id = line.product_id
    deployment = catalog.deployments.get(product_id) if product_id else None
    price = None
    if product_id is None or deployment is None:
        refusals.add(DomainError(ErrorCode.NOT_FOUND, "No such product.", field=(*here, "product")))
    else:
        refusals.check(lambda: rules.check_line_tier(deployment, line.tier, (*here, "tier")))
        price = catalog.price(product_id, line.tier, PriceKind.NEW)
        if len(refusals) == before and price is None:
            # sold in this tier, but the price book has no price for it
            refusals.add(
                DomainError(
                    ErrorCode.INVALID, "This tier has no list price.", field=(*here, "tier")
                )
            )
    refusals.check(
        lambda: rules.check_line_license_type(
            line.license_type, academic_organization=academic, field=(*here, "licenseType")
        )
    )
    entity = refusals.check(
        lambda: rules.check_deployment_entity(line.deployment_entity, (*here, "deploymentEntity"))
    )
    quantity = 1 if line.quantity is None else line.quantity
    refusals.check(lambda: at((*here, "quantity"), lambda: check_quantity(quantity)))
    if len(refusals) > before or deployment is None or product_id is None:
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
        converts_evaluation_id=line.converts_evaluation_id,
    )
