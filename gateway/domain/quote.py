"""Quote lifecycle: validity, statuses, who may edit what, PO numbers, versions (R-QUOTE-*)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from gateway.domain.enums import Deployment, EditBlockedReason, QuoteStatus, Tier
from gateway.domain.errors import DomainError, ErrorCode

QUOTE_VALIDITY_DAYS = 30  # R-QUOTE-1
PO_NUMBER_MAX = 64  # R-QUOTE-4

# R-QUOTE-2: the only transitions; everything else is refused.
ALLOWED_TRANSITIONS: frozenset[tuple[QuoteStatus, QuoteStatus]] = frozenset(
    {
        (QuoteStatus.OPEN, QuoteStatus.PAID),
        (QuoteStatus.OPEN, QuoteStatus.EXPIRED),
        (QuoteStatus.OPEN, QuoteStatus.DELETED),
    }
)

_CLOSED_REASONS = {
    QuoteStatus.PAID: EditBlockedReason.PAID,
    QuoteStatus.EXPIRED: EditBlockedReason.EXPIRED,
    QuoteStatus.DELETED: EditBlockedReason.DELETED,
}


def quote_valid_until(created_on: date) -> date:
    """R-QUOTE-1: the last day (inclusive) a quote may be edited or paid, 30 days on."""
    return created_on + timedelta(days=QUOTE_VALIDITY_DAYS)


def effective_quote_status(stored: QuoteStatus, valid_until: date, today: date) -> QuoteStatus:
    """R-QUOTE-1: an OPEN quote is EXPIRED from the day after ``valid_until``."""
    if stored == QuoteStatus.OPEN and today > valid_until:
        return QuoteStatus.EXPIRED
    return stored


def edit_blocked_reason(
    *, status: QuoteStatus, deployments: Iterable[Deployment], tiers: Iterable[Tier]
) -> EditBlockedReason | None:
    """Why a customer cannot edit the quote themselves, or None when they can.

    ``status`` is the effective status (see ``effective_quote_status``). R-QUOTE-1/2: only an
    open quote is edited. R-QUOTE-3: a Cloud subscription or an Enterprise product (Data
    Center, or any Enterprise tier) needs sales. PO numbers are not edits (R-QUOTE-4).
    """
    closed = _CLOSED_REASONS.get(status)
    if closed is not None:
        return closed
    if any(d in (Deployment.CLOUD, Deployment.DATA_CENTER) for d in deployments):
        return EditBlockedReason.CONTACT_SALES
    if any(t == Tier.ENTERPRISE for t in tiers):
        return EditBlockedReason.CONTACT_SALES
    return None


def check_quote_editable(
    *, status: QuoteStatus, deployments: Iterable[Deployment], tiers: Iterable[Tier]
) -> None:
    """Raise the error for ``edit_blocked_reason``: CONTACT_SALES or QUOTE_NOT_OPEN."""
    reason = edit_blocked_reason(status=status, deployments=deployments, tiers=tiers)
    if reason is None:
        return
    if reason == EditBlockedReason.CONTACT_SALES:
        raise DomainError(
            ErrorCode.CONTACT_SALES,
            "This quote contains a Cloud subscription or an Enterprise product; "
            "please contact sales to change it",
        )
    raise DomainError(ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}")


def check_open(status: QuoteStatus) -> None:
    """R-QUOTE-1, R-QUOTE-2: paying or editing needs an open (effective status) quote."""
    if status != QuoteStatus.OPEN:
        raise DomainError(ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}")


def check_po_number(value: str | None) -> str | None:
    """R-QUOTE-4: a reference only, stripped; empty clears it; at most 64 printable characters."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > PO_NUMBER_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG,
            f"A PO number has at most {PO_NUMBER_MAX} characters",
            field=("poNumber",),
        )
    if not value.isprintable():
        raise DomainError(
            ErrorCode.INVALID,
            "A PO number holds printable characters only",
            field=("poNumber",),
        )
    return value


def check_transition(current: QuoteStatus, new: QuoteStatus) -> None:
    """R-QUOTE-2: OPEN → PAID, EXPIRED or DELETED; no other transition."""
    if (current, new) not in ALLOWED_TRANSITIONS:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN,
            f"A {current.value.lower()} quote cannot become {new.value.lower()}",
        )


def check_expected_version(*, current: int, expected: int) -> None:
    """R-QUOTE-7: a write naming an older (or any other) version changes nothing."""
    if expected != current:
        raise DomainError(
            ErrorCode.STALE_VERSION,
            f"The quote is at version {current}, not {expected}; reload it and try again",
            field=("expectedVersion",),
        )


def next_version(current: int) -> int:
    """R-QUOTE-7: every edit bumps the version."""
    return current + 1
