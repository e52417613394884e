"""quoteUpdate: lines replaced and re-priced, currency re-priced, contacts renamed (R-QUOTE-3,
R-QUOTE-7, R-CUR-*)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from db.queries import payment as payments
from db.queries import quote as queries
from db.queries.filters import quote_status_is
from db.rows import OrganizationRow, QuoteLineRow, QuoteRow
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
    stored_line_draft,
    summary,
    visible_quote,
)
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import payment as payment_rules
from gateway.domain import quote as rules
from gateway.domain.enums import ChangeKind, Currency, QuoteLineKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode, not_found
from gateway.domain.quote_input import (
    LineDraft,
    PriceCatalog,
    QuoteAsStored,
    QuoteUpdateCommand,
    QuoteUpdateFields,
    parse_quote_update,
)
from gateway.domain.quote_pricing import price_quote, pricing_terms


@dataclass(frozen=True, slots=True)
class UpdateQuote:
    quote_id: int
    expected_version: int
    fields: QuoteUpdateFields


@dataclass
class _Change:
    """The columns an update writes and the audit trail of it."""

    values: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    line_rows: list[dict[str, Any]] = field(default_factory=list)


async def update_quote(
    *, uow: UnitOfWork, principal: Principal, command: UpdateQuote
) -> QuoteRow | None:
    """R-QUOTE-3 (customers and partners: not with Cloud, Data Center or Enterprise lines),
    R-QUOTE-7 (versioned). Returns the quote when the caller may still see it (R-QUOTE-6)."""
    pk = command.quote_id
    writable = policy.quote_writable(principal)
    # Locked: a payment starting now waits for this edit, or this edit sees it (R-PAY-4).
    before = await queries.visible_quote(uow.session, pk, writable, for_update=True)
    if before is None:
        raise not_found("id", "quote")
    status = rules.effective_quote_status(before.status, before.valid_until, uow.today)
    rules.check_open(status, field=("id",))
    payment_rules.check_not_paying(
        await payments.quote_payment_status(uow.session, pk), field=("id",)
    )
    rules.check_expected_version(current=before.version, expected=command.expected_version)
    catalog = await load_catalog(uow)
    stored = await queries.quote_lines(uow.session, pk)
    _check_self_service(principal, catalog, stored)
    if command.fields.changes_nothing():
        raise DomainError(ErrorCode.REQUIRED, "Give at least one field to change.")
    organization = await queries.organization(uow.session, before.organization_id)
    emails = await queries.account_emails(
        uow.session, [before.billing_account_id, before.technical_account_id]
    )
    as_stored = QuoteAsStored(
        currency=Currency(before.currency),
        country=organization.country,
        academic=organization.academic,
        billing=emails[before.billing_account_id],
        technical=emails[before.technical_account_id],
        line_kinds=[QuoteLineKind(ln.kind) for ln in stored],
    )
    parsed = parse_quote_update(
        command.fields,
        stored=as_stored,
        catalog=catalog,
        caller_email=((await caller_email(uow)) or "") if principal.is_customer else None,
    )
    if parsed.drafts is not None:
        _check_self_service(principal, catalog, parsed.drafts)  # R-QUOTE-3, after the change
        await check_conversions(
            uow, parsed.drafts, organization_id=before.organization_id, prefix=("input",)
        )  # R-EVAL-5
    change = _Change()
    if parsed.drafts is not None or parsed.currency != before.currency:
        await _reprice(uow, before, organization, catalog, stored, parsed, change)
    if (parsed.billing, parsed.technical) != (as_stored.billing, as_stored.technical):
        await _rename_contacts(uow, before, organization.country, as_stored, parsed, change)
    row = await queries.update_quote_if_version(
        uow.session,
        quote_id=pk,
        expected_version=command.expected_version,
        writable=writable,
        extra_where=[quote_status_is(QuoteStatus.OPEN, uow.today)],  # R-QUOTE-2
        values=change.values,
        now=uow.now,
    )
    if row is None:  # R-QUOTE-7: another edit won the race
        raise await refuse_stale_or_closed(uow, pk, command.expected_version)
    await _write_lines(uow, pk, stored, parsed, change)
    change.changes["version"] = (before.version, row.version)
    uow.audit_change(ChangeKind.UPDATED, "quoteUpdate", "Quote", pk, change.changes)
    contacts = [parsed.billing, parsed.technical, as_stored.billing, as_stored.technical]
    mail_contacts(uow, contacts, messages.quote_changed(summary(row), web_url=uow.web_url))
    return await visible_quote(uow, pk)


def _check_self_service(principal: Principal, catalog: PriceCatalog, lines: Sequence[Any]) -> None:
    if not principal.is_staff:  # R-QUOTE-3: staff may edit anything
        rules.check_quote_editable(
            status=QuoteStatus.OPEN,
            deployments=[catalog.deployments[ln.product_id] for ln in lines],
            tiers=[ln.tier for ln in lines],
        )


async def _stored_drafts(
    uow: UnitOfWork, lines: Sequence[QuoteLineRow], catalog: PriceCatalog
) -> list[LineDraft]:
    license_ids = [ln.license_id for ln in lines if ln.license_id is not None]
    licenses = await queries.licenses_by_ids(uow.session, license_ids)
    return [
        stored_line_draft(ln, catalog, licenses.get(ln.license_id) if ln.license_id else None)
        for ln in lines
    ]


async def _reprice(
    uow: UnitOfWork,
    before: QuoteRow,
    organization: OrganizationRow,
    catalog: PriceCatalog,
    stored: Sequence[QuoteLineRow],
    parsed: QuoteUpdateCommand,
    change: _Change,
) -> None:
    """New lines, or the same lines in another currency, priced from today's book (R-CUR-*)."""
    drafts = parsed.drafts
    if drafts is None:
        drafts = await _stored_drafts(uow, stored, catalog)
    terms = pricing_terms(
        currency=parsed.currency,
        organization_country=organization.country,
        academic_organization=organization.academic,
        newest_rate=catalog.newest_rate,
        # R-PRICE-6: the discount the quote was created with, whatever the partner's is now.
        partner_percent=before.partner_discount_percent,
    )
    priced = price_quote([d.spec for d in drafts], terms, today=uow.today)
    change.line_rows = [line_row_values(d, ln) for d, ln in zip(drafts, priced.lines, strict=True)]
    fx = fx_values(terms.fx)
    totals = quote_totals_values(priced.totals)
    change.values |= {"currency": parsed.currency, **fx, **totals}
    change.changes |= {
        "currency": (before.currency, parsed.currency),
        "fxRate": (before.fx_rate, fx["fx_rate"]),
        "fxMargin": (before.fx_margin, fx["fx_margin"]),
        "subtotal": (before.subtotal, totals["subtotal"]),
        "discountTotal": (before.discount_total, totals["discount_total"]),
        "total": (before.total, totals["total"]),
    }
    if parsed.drafts is not None:
        old = await _stored_drafts(uow, stored, catalog)
        change.changes["lines"] = ([d.describe() for d in old], [d.describe() for d in drafts])


async def _rename_contacts(
    uow: UnitOfWork,
    before: QuoteRow,
    country: str,
    as_stored: QuoteAsStored,
    parsed: QuoteUpdateCommand,
    change: _Change,
) -> None:
    billing_id, technical_id = await contact_accounts(
        uow, [parsed.billing, parsed.technical], country=country, quote_number=before.number
    )
    change.values |= {"billing_account_id": billing_id, "technical_account_id": technical_id}
    change.changes |= {
        "billingContact": (as_stored.billing, parsed.billing),
        "technicalContact": (as_stored.technical, parsed.technical),
    }


async def _write_lines(
    uow: UnitOfWork,
    quote_id: int,
    stored: Sequence[QuoteLineRow],
    parsed: QuoteUpdateCommand,
    change: _Change,
) -> None:
    if parsed.drafts is not None:
        await queries.replace_lines(uow.session, quote_id=quote_id, lines=change.line_rows)
    elif change.line_rows:  # the same lines in another currency keep their ids
        for stored_row, line_values in zip(stored, change.line_rows, strict=True):
            await queries.update_line(uow.session, stored_row.id, line_values)
