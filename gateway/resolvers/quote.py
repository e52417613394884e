"""Quote mutations: thin — parse, load, call the domain, persist, map to the payload."""

from __future__ import annotations

from typing import Any

from db.queries import quote as queries
from db.queries.filters import quote_status_is
from gateway.auth import policy
from gateway.auth.guards import require
from gateway.domain import quote as rules
from gateway.domain.enums import PrincipalKind, QuoteStatus
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.mutate import mutate, not_found, pending, require_id
from gateway.resolvers.unit import Unit
from gateway.schema import payloads as p
from gateway.schema.info import Info
from gateway.schema.mutation_inputs import (
    QuoteCreateInput,
    QuoteUpdateInput,
    RenewalQuoteRequestInput,
    UpgradeQuoteRequestInput,
)
from gateway.schema.quote import Quote

SIGNED_IN = (PrincipalKind.CUSTOMER, PrincipalKind.PARTNER, PrincipalKind.STAFF)


async def _refuse_stale_or_closed(unit: Unit, quote_id: int, expected_version: int) -> DomainError:
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


async def quote_set_po_number(
    info: Info, quote_id: str, po_number: str | None, expected_version: int
) -> p.QuotePayload:
    """R-QUOTE-4 (any time the quote is open, even when R-QUOTE-3 blocks other edits)."""
    require(info, *SIGNED_IN)

    async def work(unit: Unit) -> dict[str, Any]:
        pk = require_id(quote_id, "Quote", "id")
        value = rules.check_po_number(po_number)
        before = await queries.visible_quote(
            unit.session, pk, policy.quote_writable(unit.principal)
        )
        row = await queries.update_quote_if_version(
            unit.session,
            quote_id=pk,
            expected_version=expected_version,
            writable=policy.quote_writable(unit.principal),
            extra_where=[quote_status_is(QuoteStatus.OPEN, unit.today)],
            values={"po_number": value},
            now=unit.now,
        )
        if row is None or before is None:
            raise await _refuse_stale_or_closed(unit, pk, expected_version)
        unit.audit(
            "quoteSetPoNumber",
            "Quote",
            pk,
            {"poNumber": (before.po_number, value), "version": (before.version, row.version)},
        )
        return {"quote": Quote.from_row(row)}

    return await mutate(info, p.QuotePayload, work)


async def quote_create(info: Info, input: QuoteCreateInput) -> p.QuotePayload:
    raise pending("quoteCreate")


async def quote_update(
    info: Info, quote_id: str, expected_version: int, input: QuoteUpdateInput
) -> p.QuotePayload:
    raise pending("quoteUpdate")


async def quote_delete(info: Info, quote_id: str) -> p.QuoteDeletePayload:
    raise pending("quoteDelete")


async def renewal_quote_request(info: Info, input: RenewalQuoteRequestInput) -> p.QuotePayload:
    raise pending("renewalQuoteRequest")


async def upgrade_quote_request(info: Info, input: UpgradeQuoteRequestInput) -> p.QuotePayload:
    raise pending("upgradeQuoteRequest")
