"""salesRequestCreate and salesRequestResolve: "please contact us" as a request a customer
opens and staff answer (R-REQ-1, R-REQ-2). Both are audited and mail the customer."""

from __future__ import annotations

from db.queries import sales_request as queries
from db.queries.conversion import deployments
from db.queries.numbers import next_number
from db.rows import LicenseSubject, QuoteSubject, SalesRequestRow
from gateway.actions import selfservice_messages
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import sales_request as rules
from gateway.domain.enums import SalesRequestKind, SalesRequestStatus
from gateway.domain.errors import DomainError, ErrorCode, Refusals, not_found


def kind_label(kind: SalesRequestKind) -> str:
    return kind.value.lower().replace("_", " ")


async def _subjects(
    uow: UnitOfWork, principal: Principal, draft: rules.SalesRequestDraft
) -> tuple[LicenseSubject | None, QuoteSubject | None]:
    """What the request is about, if the caller is its contact (else not found, R-QUOTE-6)."""
    refusals = Refusals()
    license_ = quote = None
    if draft.license_id is not None:
        license_ = await queries.license_subject(
            uow.session, draft.license_id, policy.sales_request_license(principal)
        )
        if license_ is None:
            refusals.add(not_found("licenseId", "license"))
    if draft.quote_id is not None:
        quote = await queries.quote_subject(
            uow.session, draft.quote_id, policy.sales_request_quote(principal)
        )
        if quote is None:
            refusals.add(not_found("quoteId", "quote"))
    refusals.raise_any()
    return license_, quote


async def open_sales_request(
    *, uow: UnitOfWork, principal: Principal, draft: rules.SalesRequestDraft
) -> SalesRequestRow:
    """R-REQ-1: a signed-in customer, about a license or quote it is a contact of where the
    kind names one; R-REQ-2: customization only for a Server Enterprise license."""
    license_, quote = await _subjects(uow, principal, draft)
    if draft.kind is SalesRequestKind.CUSTOMIZATION and license_ is not None:
        deployment = (await deployments(uow.session, [license_.product_id]))[license_.product_id]
        rules.check_customization_eligible(
            deployment=deployment,
            tier=license_.tier,
            license_type=license_.license_type,
            sen=license_.sen,
        )
    account = await queries.requester(uow.session, principal.account_id or 0)
    if account is None:
        raise DomainError(ErrorCode.NOT_FOUND, "No such account.")
    number = await next_number(uow.session, "sales_request")
    row = await queries.insert_sales_request(
        uow.session,
        dict(
            number=number,
            kind=draft.kind,
            status=SalesRequestStatus.OPEN,
            account_id=account.id,
            license_id=license_.id if license_ else None,
            quote_id=quote.id if quote else None,
            message=draft.message,
            created_at=uow.now,
        ),
    )
    about = license_.sen if license_ else quote.number if quote else None
    uow.audit(
        "salesRequestCreate",
        "SalesRequest",
        row.id,
        {
            "number": (None, number),
            "kind": (None, draft.kind),
            "status": (None, row.status),
            "license": (None, license_.sen if license_ else None),
            "quote": (None, quote.number if quote else None),
            "message": (None, draft.message),
        },
    )
    message = selfservice_messages.sales_request_opened(
        request_id=row.id,
        number=number,
        kind=kind_label(draft.kind),
        about=about,
        message=draft.message,
        web_url=uow.web_url,
    )
    uow.send(account.email, message)
    return row


async def resolve_sales_request(
    *, uow: UnitOfWork, principal: Principal, request_id: int, resolution: rules.Resolution
) -> SalesRequestRow:
    """R-REQ-1: staff resolve or decline an open request with a message to the customer."""
    before = await queries.sales_request_by_id(
        uow.session, request_id, policy.sales_request_visible(principal)
    )
    if before is None:
        raise not_found("id", "sales request")
    rules.check_request_open(before.status, before.number)
    row = await queries.resolve_sales_request(
        uow.session,
        request_id=request_id,
        status=resolution.status,
        resolution=resolution.text,
        now=uow.now,
        resolved_by=principal.name,
    )
    if row is None:  # another answer won the race
        raise DomainError(
            ErrorCode.NOT_OPEN,
            f"Sales request {before.number} was answered meanwhile",
            field=("id",),
        )
    uow.audit(
        "salesRequestResolve",
        "SalesRequest",
        request_id,
        {
            "status": (before.status, row.status),
            "resolution": (None, row.resolution),
            "resolvedAt": (None, row.resolved_at),
        },
    )
    account = await queries.requester(uow.session, row.account_id)
    if account is not None and not account.closed:
        declined = row.status == SalesRequestStatus.DECLINED
        message = selfservice_messages.sales_request_resolved(
            request_id=row.id,
            number=row.number,
            declined=declined,
            resolution=resolution.text,
            web_url=uow.web_url,
        )
        uow.send(account.email, message)
    return row
