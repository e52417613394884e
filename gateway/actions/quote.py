"""Quote actions: create, update, PO number, delete (R-QUOTE-*, R-CUR-*, R-PRICE-*)."""

from __future__ import annotations

from dataclasses import dataclass

from db.queries import numbers
from db.queries import payment as payments
from db.queries import quote as queries
from db.queries.filters import quote_status_is
from db.rows import QuoteRow
from gateway.actions import messages
from gateway.actions.conversion import check_conversions
from gateway.actions.quote_lines import (
    caller_email,
    contact_accounts,
    fx_values,
    line_row_values,
    load_catalog,
    mail_contacts,
    quote_totals_values,
    refuse_stale_or_closed,
    summary,
    visible_quote,
)
from gateway.actions.quote_update import update_quote
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment as payment_rules
from gateway.domain import quote as rules
from gateway.domain.enums import ChangeKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode, not_found
from gateway.domain.quote_input import QuoteCreateCommand, QuoteCreateFields, parse_quote_create
from gateway.domain.quote_pricing import price_quote

__all__ = ["create_quote", "delete_quote", "set_quote_po_number", "update_quote"]


async def create_quote(
    *, uow: UnitOfWork, principal: Principal, fields: QuoteCreateFields
) -> QuoteRow | None:
    """A new quote with NEW lines, priced from the price book (R-QUOTE-1, R-QUOTE-5, R-CUR-*,
    R-PRICE-*); every bad field is reported at once and nothing is written. Returns the quote
    when the caller may see it (R-QUOTE-6)."""
    catalog = await load_catalog(uow)
    # R-QUOTE-5: a partner always resells; a customer may tick the reseller box.
    resells = policy.resells_as_partner(principal)
    must_be_contact = principal.is_customer and not (resells or fields.is_reseller)
    partner_id = principal.partner_id if resells else None
    command = parse_quote_create(
        fields,
        catalog=catalog,
        resells_as_partner=resells,
        caller_email=((await caller_email(uow)) or "") if must_be_contact else None,
        partner_percent=await queries.partner_discount_percent(uow.session, partner_id),
    )
    organization_id = await _organization(uow, principal, command, partner_id=partner_id)
    await check_conversions(uow, command.drafts, organization_id=organization_id)  # R-EVAL-5
    number = await numbers.next_number(uow.session, "quote")
    billing_id, technical_id = await contact_accounts(
        uow,
        [command.billing, command.technical],
        country=command.organization_country,
        quote_number=number,
    )
    priced = price_quote([d.spec for d in command.drafts], command.terms, today=uow.today)
    row = await queries.insert_quote(
        uow.session,
        number=number,
        status=QuoteStatus.OPEN,
        currency=command.currency,
        organization_id=organization_id,
        billing_account_id=billing_id,
        technical_account_id=technical_id,
        partner_id=partner_id,
        is_reseller=command.is_reseller,
        po_number=command.po_number,
        valid_until=rules.quote_valid_until(uow.today),  # R-QUOTE-1
        version=1,
        requires_sales_review=False,
        sync_with_sens=[],
        partner_discount_percent=command.terms.partner_percent,  # R-PRICE-6
        **fx_values(command.terms.fx),
        **quote_totals_values(priced.totals),
        created_at=uow.now,
        updated_at=uow.now,
    )
    await queries.insert_lines(
        uow.session,
        quote_id=row.id,
        lines=[line_row_values(d, ln) for d, ln in zip(command.drafts, priced.lines, strict=True)],
    )
    uow.audit_change(
        ChangeKind.CREATED,
        "quoteCreate",
        "Quote",
        row.id,
        {
            "number": (None, number),
            "currency": (None, command.currency),
            "organizationId": (None, organization_id),
            "billingContact": (None, command.billing),
            "technicalContact": (None, command.technical),
            "isReseller": (None, command.is_reseller),
            "partnerId": (None, partner_id),
            "poNumber": (None, command.po_number),
            "lines": (None, [d.describe() for d in command.drafts]),
            "total": (None, row.total),
        },
    )
    message = messages.quote_created(summary(row), web_url=uow.web_url)
    mail_contacts(uow, [command.billing, command.technical], message)
    return await visible_quote(uow, row.id)


async def _organization(
    uow: UnitOfWork, principal: Principal, command: QuoteCreateCommand, *, partner_id: int | None
) -> int:
    """The caller's organization of that name, country and standing, or a new one."""
    found = await queries.find_organization(
        uow.session,
        name=command.organization_name,
        country=command.organization_country,
        academic=command.academic,
        visible=policy.organization_visible(principal),
    )
    if found is not None:
        return found
    return await queries.insert_organization(
        uow.session,
        name=command.organization_name,
        country=command.organization_country,
        academic=command.academic,
        partner_id=partner_id,
        created_at=uow.now,
    )


@dataclass(frozen=True, slots=True)
class SetQuotePoNumber:
    quote_id: int
    expected_version: int
    po_number: str | None


async def set_quote_po_number(
    *, uow: UnitOfWork, principal: Principal, command: SetQuotePoNumber
) -> QuoteRow:
    """R-QUOTE-4 (any time the quote is open, even when R-QUOTE-3 blocks other edits),
    R-QUOTE-7 (versioned). Whoever may write a quote may read it."""
    value = rules.check_po_number(command.po_number)
    writable = policy.quote_writable(principal)
    # Locked: a payment starting now waits for this edit, or this edit sees it (R-PAY-4).
    before = await queries.visible_quote(uow.session, command.quote_id, writable, for_update=True)
    if before is not None:
        payment_rules.check_not_paying(
            await payments.quote_payment_status(uow.session, command.quote_id), field=("id",)
        )
    row = await queries.update_quote_if_version(
        uow.session,
        quote_id=command.quote_id,
        expected_version=command.expected_version,
        writable=writable,
        extra_where=[quote_status_is(QuoteStatus.OPEN, uow.today)],
        values={"po_number": value},
        now=uow.now,
    )
    if row is None or before is None:
        raise await refuse_stale_or_closed(uow, command.quote_id, command.expected_version)
    uow.audit_change(
        ChangeKind.UPDATED,
        "quoteSetPoNumber",
        "Quote",
        command.quote_id,
        {"poNumber": (before.po_number, value), "version": (before.version, row.version)},
    )
    return row


async def delete_quote(*, uow: UnitOfWork, principal: Principal, quote_id: int) -> None:
    """R-QUOTE-2: OPEN → DELETED by a contact, its partner with quotes:write, or staff."""
    writable = policy.quote_writable(principal)
    before = await queries.visible_quote(uow.session, quote_id, writable, for_update=True)
    if before is None:
        raise not_found("id", "quote")
    status = rules.effective_quote_status(before.status, before.valid_until, uow.today)
    rules.check_open(status, field=("id",))
    # R-PAY-4: the lock above orders this with a payment starting.
    payment_rules.check_not_paying(
        await payments.quote_payment_status(uow.session, quote_id), field=("id",)
    )
    # The guarded UPDATE is the concurrency guard: of two racing writes one matches.
    row = await queries.mark_quote_deleted(
        uow.session,
        quote_id=quote_id,
        writable=writable,
        open_=quote_status_is(QuoteStatus.OPEN, uow.today),
        now=uow.now,
    )
    if row is None:  # a concurrent payment or deletion won the race
        raise DomainError(ErrorCode.QUOTE_NOT_OPEN, "The quote is no longer open.", field=("id",))
    uow.audit_change(
        ChangeKind.DELETED,
        "quoteDelete",
        "Quote",
        quote_id,
        {
            "status": (before.status, row.status),
            "deletedAt": (None, row.deleted_at),
            "version": (before.version, row.version),
        },
    )
