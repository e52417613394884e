"""Renewal and upgrade quotes requested by SEN and a contact's email (R-MAINT-8).

Anyone may ask, anonymous callers included. Whoever gets the SEN or the email wrong (or names
an evaluation) gets one and the same answer, byte for byte, whatever the reason: nothing
about the license leaks. The quote goes to the license's contacts by mail; the payload
carries it only when the caller may see it (R-QUOTE-6): for an anonymous caller, ``quote``
is null and ``userErrors`` is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.queries import numbers
from db.queries import quote as queries
from db.rows import LicenseRow, OrganizationRow, QuoteRow
from gateway.actions import messages
from gateway.actions.quote_lines import (
    fx_values,
    line_row_values,
    load_catalog,
    mail_contacts,
    quote_totals_values,
    summary,
    visible_quote,
)
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import maintenance
from gateway.domain import quote as rules
from gateway.domain.contact_sales import how_to_ask
from gateway.domain.currency import DZD_COUNTRY
from gateway.domain.enums import (
    ChangeKind,
    Currency,
    Deployment,
    LicenseType,
    PriceKind,
    QuoteLineKind,
    QuoteStatus,
    SalesRequestKind,
    Tier,
)
from gateway.domain.errors import DomainError, DomainErrors, ErrorCode, Refusals
from gateway.domain.quote_input import LineDraft, PriceCatalog, email_at
from gateway.domain.quote_pricing import (
    LineSpec,
    PricingTerms,
    RenewalLine,
    UpgradeLine,
    price_quote,
    pricing_terms,
)
from gateway.domain.upgrade import check_upgrade

SEN_MAX = 20
SYNC_MAX = 50


@dataclass(frozen=True, slots=True)
class RenewalRequest:
    sen: str
    contact_email: str
    years: int | None = 1
    currency: Currency | None = None
    sync_with_sens: list[str] | None = None


@dataclass(frozen=True, slots=True)
class UpgradeRequest:
    sen: str
    contact_email: str
    to_tier: Tier
    currency: Currency | None = None
    sync_with_sens: list[str] | None = None  # R-MAINT-9


def no_such_license() -> DomainError:
    """R-MAINT-8: the one refusal for an unknown SEN, a wrong email, or an evaluation."""
    return DomainError(
        ErrorCode.NOT_FOUND,
        "No license matches this SEN and contact email.",
        field=("sen",),
    )


def _sen(value: str) -> str:
    return value.strip().upper()


async def _requested_license(
    unit: UnitOfWork, sen: str, email: str
) -> tuple[LicenseRow, list[str]]:
    """The license named by SEN whose current billing or technical contact has ``email``;
    evaluations are converted by buying, not renewed or upgraded (R-EVAL-4)."""
    sen = _sen(sen)
    row = await queries.license_by_sen(unit.session, sen) if len(sen) <= SEN_MAX else None
    if row is None or row.license_type == LicenseType.EVALUATION:
        raise no_such_license()
    emails = await queries.account_emails(
        unit.session, [row.billing_account_id, row.technical_account_id]
    )
    contacts = [emails[row.billing_account_id], emails[row.technical_account_id]]
    if email not in contacts:
        raise no_such_license()
    return row, contacts


def _currency(given: Currency | None, license_row: LicenseRow, country: str) -> Currency:
    """The given currency (checked by R-CUR-2 when pricing), else the one the license was
    bought in, else USD; a DZD default falls back to USD outside Algeria."""
    if given is not None:
        return given
    bought = Currency(license_row.purchase_currency or Currency.USD)
    if bought == Currency.DZD and country.strip().upper() != DZD_COUNTRY:
        return Currency.USD
    return bought


def _reseller(principal: Principal, license_row: LicenseRow) -> tuple[int | None, bool]:
    """R-QUOTE-5: a partner asking with quotes:write resells the quote; otherwise the quote
    records the partner that resold the license, if any, with ``isReseller`` false."""
    if policy.resells_as_partner(principal):
        return principal.partner_id, True
    return license_row.partner_id, False


async def _terms(
    unit: UnitOfWork,
    catalog: PriceCatalog,
    currency: Currency,
    organization: OrganizationRow,
    partner: int | None,
    is_reseller: bool,
) -> PricingTerms:
    """R-PRICE-6: a partner's discount applies to the quotes that partner creates (as the
    reseller), not to a customer's own quote for a license the partner once resold: that
    quote records the partner (R-QUOTE-5) but is priced without its discount."""
    return pricing_terms(
        currency=currency,
        organization_country=organization.country,
        academic_organization=organization.academic,
        newest_rate=catalog.newest_rate,
        partner_percent=await queries.partner_discount_percent(
            unit.session, partner if is_reseller else None
        ),
    )


async def _check_sync_sens(
    unit: UnitOfWork,
    sens: list[str] | None,
    license_row: LicenseRow,
    contacts: set[int] | None = None,
) -> list[str]:
    """R-MAINT-6 (R-MAINT-9 for an upgrade): the licenses to co-term with; each must be
    another paid license of ``contacts`` (default: this license's contacts). Any other SEN is
    refused with the same INVALID message, whether it exists or not, so the list reveals
    nothing about other people's licenses."""
    if not sens:
        return []
    if len(sens) > SYNC_MAX:
        raise DomainError(
            ErrorCode.INVALID,
            f"Synchronise with at most {SYNC_MAX} licenses.",
            field=("syncWithSens",),
        )
    wanted = [_sen(s) for s in sens]
    found = await queries.licenses_by_sens(unit.session, [s for s in wanted if len(s) <= SEN_MAX])
    if contacts is None:
        contacts = {license_row.billing_account_id, license_row.technical_account_id}
    errors = []
    for index, sen in enumerate(wanted):
        other = found.get(sen)
        related = (
            other is not None
            and other.id != license_row.id
            and other.license_type != LicenseType.EVALUATION
            and bool(contacts & {other.billing_account_id, other.technical_account_id})
        )
        if not related:
            errors.append(
                DomainError(
                    ErrorCode.INVALID,
                    "Not another license of the same contacts.",
                    field=("syncWithSens", str(index)),
                )
            )
    if errors:
        raise DomainErrors(errors)
    return list(dict.fromkeys(wanted))


async def _create(
    unit: UnitOfWork,
    *,
    action: str,
    license_row: LicenseRow,
    contacts: list[str],
    organization: OrganizationRow,
    currency: Currency,
    terms: PricingTerms,
    draft: LineDraft,
    partner_id: int | None,
    is_reseller: bool,
    sync_with_sens: list[str],
) -> QuoteRow | None:
    priced = price_quote([draft.spec], terms, today=unit.today)
    number = await numbers.next_number(unit.session, "quote")
    row = await queries.insert_quote(
        unit.session,
        number=number,
        status=QuoteStatus.OPEN,
        currency=currency,
        organization_id=organization.id,
        billing_account_id=license_row.billing_account_id,
        technical_account_id=license_row.technical_account_id,
        partner_id=partner_id,
        is_reseller=is_reseller,
        valid_until=rules.quote_valid_until(unit.today),  # R-QUOTE-1
        version=1,
        requires_sales_review=maintenance.co_term_requires_sales_review(sync_with_sens),
        sync_with_sens=sync_with_sens,
        partner_discount_percent=terms.partner_percent,  # R-PRICE-6
        **fx_values(terms.fx),
        **quote_totals_values(priced.totals),
        created_at=unit.now,
        updated_at=unit.now,
    )
    await queries.insert_lines(
        unit.session, quote_id=row.id, lines=[line_row_values(draft, priced.lines[0])]
    )
    unit.audit_change(
        ChangeKind.CREATED,
        action,
        "Quote",
        row.id,
        {
            "number": (None, number),
            "licenseSen": (None, license_row.sen),
            "currency": (None, currency),
            "lines": (None, [draft.describe()]),
            "syncWithSens": (None, sync_with_sens or None),
            "partnerId": (None, partner_id),
            "total": (None, row.total),
        },
    )
    kind = "renewal" if draft.kind is QuoteLineKind.RENEWAL else "upgrade"
    message = messages.requested_quote(
        kind=kind, sen=license_row.sen, quote=summary(row), web_url=unit.web_url
    )
    mail_contacts(unit, contacts, message)
    return await visible_quote(unit, row.id)


async def request_renewal_quote(
    *, uow: UnitOfWork, principal: Principal, command: RenewalRequest
) -> QuoteRow | None:
    """R-MAINT-4 (starts at the previous expiry, early or late), R-MAINT-5 (3 years ahead at
    most; Cloud 12 months), R-MAINT-6 (co-terming flags sales review), R-PRICE-1 (no promo on
    Cloud renewals), R-PRICE-2/3."""
    refusals = Refusals()
    email = refusals.check(lambda: email_at(command.contact_email, ("contactEmail",)))
    years = 1 if command.years is None else command.years
    refusals.check(lambda: maintenance.check_renewal_years(years))
    refusals.raise_any()  # the shape of the input, the same for every SEN: it reveals nothing
    assert email is not None
    license_row, contacts = await _requested_license(uow, command.sen, email)

    catalog = await load_catalog(uow)
    deployment = catalog.deployments[license_row.product_id]
    organization = await queries.organization(uow.session, license_row.organization_id)
    # R-MAINT-4; a paid license always has an end, a missing one renews from today.
    starts_on, ends_on = maintenance.maintenance_for_renewal(
        license_row.maintenance_ends_on or uow.today, years
    )
    maintenance.check_maintenance_limit(
        deployment=deployment, new_end=ends_on, today=uow.today, years=years
    )
    sync = await _check_sync_sens(uow, command.sync_with_sens, license_row)
    price = catalog.price(license_row.product_id, Tier(license_row.tier), PriceKind.RENEWAL)
    if price is None:
        raise DomainError(
            ErrorCode.INVALID,
            "This license has no renewal price; " + how_to_ask(SalesRequestKind.OTHER, "it"),
        )
    currency = _currency(command.currency, license_row, organization.country)
    partner_id, is_reseller = _reseller(principal, license_row)
    terms = await _terms(uow, catalog, currency, organization, partner_id, is_reseller)
    license_type = LicenseType(license_row.license_type)
    spec: LineSpec = RenewalLine(deployment, license_type, years, price)
    draft = LineDraft(
        kind=QuoteLineKind.RENEWAL,
        product_id=license_row.product_id,
        deployment=deployment,
        tier=Tier(license_row.tier),
        license_type=license_type,
        deployment_entity=license_row.deployment_entity,
        quantity=1,
        spec=spec,
        license_id=license_row.id,
        years=years,
        maintenance_starts_on=starts_on,
        maintenance_ends_on=ends_on,
    )
    return await _create(
        uow,
        action="renewalQuoteRequest",
        license_row=license_row,
        contacts=contacts,
        organization=organization,
        currency=currency,
        terms=terms,
        draft=draft,
        partner_id=partner_id,
        is_reseller=is_reseller,
        sync_with_sens=sync,
    )


async def request_upgrade_quote(
    *, uow: UnitOfWork, principal: Principal, command: UpgradeRequest
) -> QuoteRow | None:
    """R-UPG-1 (upward only; Data Center has nothing above Enterprise), R-UPG-2 (one line
    for one license, a tier of the product), R-UPG-3 (full credit within 30 days of purchase,
    else the difference of list prices; then R-PRICE-*), R-MAINT-3 (maintenance starts at
    payment: the line's dates stay empty until then)."""
    email = email_at(command.contact_email, ("contactEmail",))
    license_row, contacts = await _requested_license(uow, command.sen, email)

    catalog = await load_catalog(uow)
    deployment: Deployment = catalog.deployments[license_row.product_id]
    current = Tier(license_row.tier)
    license_type = LicenseType(license_row.license_type)
    check_upgrade(
        deployment=deployment, license_type=license_type, current=current, target=command.to_tier
    )
    # R-MAINT-9: co-term licenses of the caller (the contact whose email was given).
    ids = (license_row.billing_account_id, license_row.technical_account_id)
    roles = zip(ids, contacts, strict=True)
    caller = {account_id for account_id, address in roles if address == email}
    sync = await _check_sync_sens(uow, command.sync_with_sens, license_row, caller)
    current_price = catalog.price(license_row.product_id, current, PriceKind.NEW)
    target_price = catalog.price(license_row.product_id, command.to_tier, PriceKind.NEW)
    if current_price is None or target_price is None:
        raise DomainError(
            ErrorCode.NOT_UPGRADABLE, "This upgrade has no list price.", field=("toTier",)
        )
    organization = await queries.organization(uow.session, license_row.organization_id)
    currency = _currency(command.currency, license_row, organization.country)
    partner_id, is_reseller = _reseller(principal, license_row)
    terms = await _terms(uow, catalog, currency, organization, partner_id, is_reseller)
    spec = UpgradeLine(
        deployment=deployment,
        license_type=license_type,
        current=current_price,
        target=target_price,
        paid_amount=license_row.purchase_amount,
        paid_currency=license_row.purchase_currency,
        purchased_on=license_row.purchased_on,
    )
    draft = LineDraft(
        kind=QuoteLineKind.UPGRADE,
        product_id=license_row.product_id,
        deployment=deployment,
        tier=command.to_tier,
        license_type=license_type,
        deployment_entity=license_row.deployment_entity,
        quantity=1,
        spec=spec,
        license_id=license_row.id,
    )
    # R-MAINT-9: the upgrade keeps its 12 months from payment (R-MAINT-3); co-terming the
    # others is for sales, who review the flagged quote.
    return await _create(
        uow,
        action="upgradeQuoteRequest",
        license_row=license_row,
        contacts=contacts,
        organization=organization,
        currency=currency,
        terms=terms,
        draft=draft,
        partner_id=partner_id,
        is_reseller=is_reseller,
        sync_with_sens=sync,
    )
