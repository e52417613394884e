"""The work of quoteCreate and quoteUpdate, run inside the mutation's unit of work."""

from __future__ import annotations

from typing import Any

from db.queries import numbers
from db.queries import quote as queries
from db.queries.filters import quote_status_is
from gateway.auth import policy
from gateway.domain import quote as rules
from gateway.domain.account import check_country
from gateway.domain.currency import check_currency_allowed
from gateway.domain.enums import Currency, QuoteLineKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.quote_pricing import price_quote, pricing_terms
from gateway.resolvers.mutate import DomainErrors, not_found, require_id
from gateway.resolvers.quote_build import (
    LineDraft,
    PriceCatalog,
    attempt,
    contact_accounts,
    email_at,
    fx_values,
    load_catalog,
    mail_contacts,
    parse_new_lines,
    quote_summary,
    quote_totals_values,
    stored_line_draft,
    visible_payload,
)
from gateway.resolvers.unit import Unit
from gateway.schema.mutation_inputs import QuoteCreateInput, QuoteUpdateInput


async def refuse_stale_or_closed(unit: Unit, quote_id: int, expected_version: int) -> DomainError:
    """Why a versioned UPDATE matched nothing: not visible, not open, or stale."""
    row = await queries.visible_quote(unit.session, quote_id, policy.quote_writable(unit.principal))
    if row is None:
        return not_found("id", "quote")
    status = rules.effective_quote_status(row.status, row.valid_until, unit.today)
    if status is not QuoteStatus.OPEN:
        return DomainError(
            ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}.", field=("id",)
        )
    return DomainError(
        ErrorCode.STALE_VERSION,
        f"The quote changed since version {expected_version}; it is now at {row.version}.",
        field=("expectedVersion",),
    )


async def _caller_email(unit: Unit) -> str | None:
    if unit.principal.account_id is None:
        return None
    emails = await queries.account_emails(unit.session, [unit.principal.account_id])
    return emails.get(unit.principal.account_id)


async def create(unit: Unit, input: QuoteCreateInput) -> dict[str, Any]:
    """A new quote with NEW lines, priced from the price book (R-QUOTE-1, R-QUOTE-5, R-CUR-*,
    R-PRICE-*); every bad field is reported at once and nothing is written."""
    errors: list[DomainError] = []
    org = input.organization
    name = attempt(
        errors, lambda: rules.check_organization_name(org.name, ("organization", "name"))
    )
    country = attempt(errors, lambda: check_country(org.country, ("organization", "country")))
    academic = bool(org.academic)
    billing = attempt(
        errors, lambda: email_at(input.billing_contact_email, ("billingContactEmail",))
    )
    technical = attempt(
        errors, lambda: email_at(input.technical_contact_email, ("technicalContactEmail",))
    )
    po_number = attempt(errors, lambda: rules.check_po_number(input.po_number))
    catalog = await load_catalog(unit)
    drafts = parse_new_lines(input.lines, catalog, academic_organization=academic, errors=errors)
    # R-QUOTE-5: a partner always resells; a customer may tick the reseller box.
    reseller = policy.resells_as_partner(unit.principal) or bool(input.is_reseller)
    if unit.principal.is_customer and not reseller and billing and technical:
        caller = await _caller_email(unit)
        attempt(
            errors,
            lambda: rules.check_caller_is_contact(
                caller or "",
                billing_email=billing,
                technical_email=technical,
                field=("billingContactEmail",),
            ),
        )
    partner_id = unit.principal.partner_id if policy.resells_as_partner(unit.principal) else None
    partner_percent = await queries.partner_discount_percent(unit.session, partner_id)
    terms = None
    if country is not None:
        terms = attempt(
            errors,
            lambda: pricing_terms(
                currency=input.currency,
                organization_country=country,
                academic_organization=academic,
                newest_rate=catalog.newest_rate,
                partner_percent=partner_percent,
            ),
        )
    if errors:
        raise DomainErrors(errors)
    assert name and country and billing and technical and terms
    priced = price_quote([d.spec for d in drafts], terms, today=unit.today)

    organization_id = await queries.find_organization(
        unit.session,
        name=name,
        country=country,
        academic=academic,
        visible=policy.organization_visible(unit.principal),
    )
    if organization_id is None:
        organization_id = await queries.insert_organization(
            unit.session,
            name=name,
            country=country,
            academic=academic,
            partner_id=partner_id,
            created_at=unit.now,
        )
    number = await numbers.next_number(unit.session, "quote")
    billing_id, technical_id = await contact_accounts(
        unit, [billing, technical], country=country, quote_number=number
    )
    row = await queries.insert_quote(
        unit.session,
        number=number,
        status=QuoteStatus.OPEN,
        currency=input.currency,
        organization_id=organization_id,
        billing_account_id=billing_id,
        technical_account_id=technical_id,
        partner_id=partner_id,
        is_reseller=reseller,
        po_number=po_number,
        valid_until=rules.quote_valid_until(unit.today),  # R-QUOTE-1
        version=1,
        requires_sales_review=False,
        sync_with_sens=[],
        **fx_values(terms.fx),
        **quote_totals_values(priced.totals),
        created_at=unit.now,
        updated_at=unit.now,
    )
    await queries.insert_lines(
        unit.session,
        quote_id=row.id,
        lines=[d.row_values(line) for d, line in zip(drafts, priced.lines, strict=True)],
    )
    unit.audit(
        "quoteCreate",
        "Quote",
        row.id,
        {
            "number": (None, number),
            "currency": (None, input.currency),
            "organizationId": (None, organization_id),
            "billingContact": (None, billing),
            "technicalContact": (None, technical),
            "isReseller": (None, reseller),
            "partnerId": (None, partner_id),
            "poNumber": (None, po_number),
            "lines": (None, [d.describe() for d in drafts]),
            "total": (None, row.total),
        },
    )
    mail_contacts(
        unit,
        [billing, technical],
        subject=f"Conex quote {number} created",
        body=quote_summary(row),
        template="quote_created",
    )
    return {"quote": await visible_payload(unit, row.id)}


def _nothing_to_change(input: QuoteUpdateInput) -> bool:
    return (
        input.currency is None
        and input.lines is None
        and input.billing_contact_email is None
        and input.technical_contact_email is None
    )


def _in_input(error: DomainError) -> DomainError:
    """quoteUpdate's arguments are ``id``, ``expectedVersion`` and ``input``: input fields
    are reported under ``input``."""
    field = ("input", *error.field) if error.field else ()
    return DomainError(error.code, error.message, field=field)


async def _stored_drafts(unit: Unit, lines: list[Any], catalog: PriceCatalog) -> list[LineDraft]:
    license_ids = [ln.license_id for ln in lines if ln.license_id is not None]
    licenses = await queries.licenses_by_ids(unit.session, license_ids)
    return [
        stored_line_draft(ln, catalog, licenses.get(ln.license_id) if ln.license_id else None)
        for ln in lines
    ]


async def update(
    unit: Unit, quote_id: str, expected_version: int, input: QuoteUpdateInput
) -> dict[str, Any]:
    """R-QUOTE-3 (customers and partners: not with Cloud, Data Center or Enterprise lines),
    R-QUOTE-7 (versioned), lines replaced and re-priced, currency re-priced (R-CUR-*)."""
    pk = require_id(quote_id, "Quote", "id")
    writable = policy.quote_writable(unit.principal)
    before = await queries.visible_quote(unit.session, pk, writable)
    if before is None:
        raise not_found("id", "quote")
    status = rules.effective_quote_status(before.status, before.valid_until, unit.today)
    if status is not QuoteStatus.OPEN:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}.", field=("id",)
        )
    rules.check_expected_version(current=before.version, expected=expected_version)
    catalog = await load_catalog(unit)
    stored = await queries.quote_lines(unit.session, pk)

    def check_self_service(lines: list[Any]) -> None:
        if not unit.principal.is_staff:  # R-QUOTE-3: staff may edit anything
            rules.check_quote_editable(
                status=QuoteStatus.OPEN,
                deployments=[catalog.deployments[ln.product_id] for ln in lines],
                tiers=[ln.tier for ln in lines],
            )

    check_self_service(stored)
    if _nothing_to_change(input):
        raise DomainError(ErrorCode.REQUIRED, "Give at least one field to change.")

    organization = await queries.organization(unit.session, before.organization_id)
    emails = await queries.account_emails(
        unit.session, [before.billing_account_id, before.technical_account_id]
    )
    old_billing = emails[before.billing_account_id]
    old_technical = emails[before.technical_account_id]
    errors: list[DomainError] = []
    currency = Currency(input.currency or before.currency)
    attempt(errors, lambda: check_currency_allowed(currency, organization.country))
    new_drafts: list[LineDraft] | None = None
    if input.lines is not None:
        if any(QuoteLineKind(ln.kind) is not QuoteLineKind.NEW for ln in stored):
            errors.append(
                DomainError(
                    ErrorCode.INVALID,
                    "Renewal and upgrade lines are requested by SEN, not edited; "
                    "request a new quote instead.",
                    field=("lines",),
                )
            )
        new_drafts = parse_new_lines(
            input.lines, catalog, academic_organization=organization.academic, errors=errors
        )
    billing, technical = old_billing, old_technical
    if input.billing_contact_email is not None:
        given = input.billing_contact_email
        billing = attempt(errors, lambda: email_at(given, ("billingContactEmail",))) or billing
    if input.technical_contact_email is not None:
        given_t = input.technical_contact_email
        technical = (
            attempt(errors, lambda: email_at(given_t, ("technicalContactEmail",))) or technical
        )
    if not errors and unit.principal.is_customer:
        caller = await _caller_email(unit)
        attempt(
            errors,
            lambda: rules.check_caller_is_contact(
                caller or "",
                billing_email=billing,
                technical_email=technical,
                field=("billingContactEmail",),
            ),
        )
    if errors:
        raise DomainErrors([_in_input(e) for e in errors])
    if new_drafts is not None:
        check_self_service(new_drafts)  # R-QUOTE-3, after the change too

    values: dict[str, Any] = {}
    changes: dict[str, tuple[Any, Any]] = {}
    reprice = new_drafts is not None or currency != before.currency
    line_rows: list[dict[str, Any]] = []
    if reprice:
        drafts = (
            new_drafts if new_drafts is not None else await _stored_drafts(unit, stored, catalog)
        )
        terms = pricing_terms(
            currency=currency,
            organization_country=organization.country,
            academic_organization=organization.academic,
            newest_rate=catalog.newest_rate,
            partner_percent=await queries.partner_discount_percent(unit.session, before.partner_id),
        )
        priced = price_quote([d.spec for d in drafts], terms, today=unit.today)
        line_rows = [d.row_values(ln) for d, ln in zip(drafts, priced.lines, strict=True)]
        fx = fx_values(terms.fx)
        totals = quote_totals_values(priced.totals)
        values |= {"currency": currency, **fx, **totals}
        changes |= {
            "currency": (before.currency, currency),
            "fxRate": (before.fx_rate, fx["fx_rate"]),
            "fxMargin": (before.fx_margin, fx["fx_margin"]),
            "subtotal": (before.subtotal, totals["subtotal"]),
            "discountTotal": (before.discount_total, totals["discount_total"]),
            "total": (before.total, totals["total"]),
        }
        if new_drafts is not None:
            old = await _stored_drafts(unit, stored, catalog)
            changes["lines"] = ([d.describe() for d in old], [d.describe() for d in drafts])
    if (billing, technical) != (old_billing, old_technical):
        billing_id, technical_id = await contact_accounts(
            unit, [billing, technical], country=organization.country, quote_number=before.number
        )
        values |= {"billing_account_id": billing_id, "technical_account_id": technical_id}
        changes |= {
            "billingContact": (old_billing, billing),
            "technicalContact": (old_technical, technical),
        }

    row = await queries.update_quote_if_version(
        unit.session,
        quote_id=pk,
        expected_version=expected_version,
        writable=writable,
        extra_where=[quote_status_is(QuoteStatus.OPEN, unit.today)],
        values=values,
        now=unit.now,
    )
    if row is None:  # R-QUOTE-7: another edit won the race
        raise await refuse_stale_or_closed(unit, pk, expected_version)
    if new_drafts is not None:
        await queries.replace_lines(unit.session, quote_id=pk, lines=line_rows)
    elif reprice:  # the same lines in another currency keep their ids
        for stored_row, line_values in zip(stored, line_rows, strict=True):
            await queries.update_line(unit.session, stored_row.id, line_values)
    changes["version"] = (before.version, row.version)
    unit.audit("quoteUpdate", "Quote", pk, changes)
    mail_contacts(
        unit,
        [billing, technical, old_billing, old_technical],
        subject=f"Conex quote {row.number} changed",
        body=quote_summary(row),
        template="quote_changed",
    )
    return {"quote": await visible_payload(unit, pk)}
