"""Quote lifecycle: validity, statuses, who may edit what, PO numbers, versions (R-QUOTE-*)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from gateway.domain.contact_sales import how_to_ask
from gateway.domain.enums import (
    Deployment,
    EditBlockedReason,
    LicenseType,
    QuoteStatus,
    SalesRequestKind,
    Tier,
)
from gateway.domain.errors import DomainError, ErrorCode
from gateway.domain.license import tiers_for

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
            "This quote contains a Cloud subscription or an Enterprise product; to change it, "
            + how_to_ask(SalesRequestKind.QUOTE_CHANGE, "this quote"),
        )
    raise DomainError(ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}")


def check_open(status: QuoteStatus, *, field: tuple[str, ...] = ()) -> None:
    """R-QUOTE-1, R-QUOTE-2: paying or editing needs an open (effective status) quote."""
    if status != QuoteStatus.OPEN:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN, f"The quote is {status.value.lower()}.", field=field
        )


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


def check_transition(
    current: QuoteStatus, new: QuoteStatus, *, field: tuple[str, ...] = ()
) -> None:
    """R-QUOTE-2: OPEN → PAID, EXPIRED or DELETED; no other transition. ``current`` is the
    effective status (``effective_quote_status``)."""
    if (current, new) not in ALLOWED_TRANSITIONS:
        raise DomainError(
            ErrorCode.QUOTE_NOT_OPEN,
            f"The quote is {current.value.lower()}; it cannot become {new.value.lower()}.",
            field=field,
        )


def check_expected_version(*, current: int, expected: int) -> None:
    """R-QUOTE-7: a write naming an older (or any other) version changes nothing."""
    if expected != current:
        raise DomainError(
            ErrorCode.STALE_VERSION,
            f"The quote is at version {current}, not {expected}; reload it and try again",
            field=("expectedVersion",),
        )


# --- Quote input: what a customer, partner or staff member may put on a quote ---------------

MAX_LINES = 50
ORGANIZATION_NAME_MAX = 200
DEPLOYMENT_ENTITY_MAX = 200
QUOTABLE_LICENSE_TYPES = (LicenseType.COMMERCIAL, LicenseType.ACADEMIC)


def check_printable_text(value: str, *, what: str, max_len: int, field: tuple[str, ...]) -> str:
    """Stripped; 1 to ``max_len`` printable characters (no control characters)."""
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(ErrorCode.REQUIRED, f"Enter the {what}", field=field)
    if len(cleaned) > max_len:
        raise DomainError(
            ErrorCode.TOO_LONG, f"The {what} has at most {max_len} characters", field=field
        )
    if not cleaned.isprintable():
        raise DomainError(
            ErrorCode.INVALID, f"The {what} holds printable characters only", field=field
        )
    return cleaned


def check_organization_name(value: str, field: tuple[str, ...]) -> str:
    return check_printable_text(
        value, what="organization name", max_len=ORGANIZATION_NAME_MAX, field=field
    )


def check_deployment_entity(value: str, field: tuple[str, ...]) -> str:
    """R-LIC-1: the one deployment (library, faculty, campus…) a license is for."""
    return check_printable_text(
        value, what="deployment entity", max_len=DEPLOYMENT_ENTITY_MAX, field=field
    )


def check_line_count(count: int, field: tuple[str, ...] = ("lines",)) -> None:
    if count < 1:
        raise DomainError(ErrorCode.REQUIRED, "A quote needs at least one line", field=field)
    if count > MAX_LINES:
        raise DomainError(ErrorCode.INVALID, f"A quote has at most {MAX_LINES} lines", field=field)


def check_line_tier(deployment: Deployment, tier: Tier, field: tuple[str, ...]) -> None:
    """Product entry: Data Center is sold only in the Enterprise tier."""
    if tier not in tiers_for(deployment):
        raise DomainError(
            ErrorCode.INVALID,
            f"{deployment.value} is not sold in the {tier.value} tier",
            field=field,
        )


def check_line_license_type(
    license_type: LicenseType, *, academic_organization: bool, field: tuple[str, ...]
) -> None:
    """Quotes sell commercial or academic licenses (evaluations are started, not bought);
    academic licenses only to qualified academic institutions (R-PRICE-2)."""
    if license_type not in QUOTABLE_LICENSE_TYPES:
        raise DomainError(
            ErrorCode.INVALID,
            "A quote sells COMMERCIAL or ACADEMIC licenses; start an evaluation instead",
            field=field,
        )
    if license_type == LicenseType.ACADEMIC and not academic_organization:
        raise DomainError(
            ErrorCode.INVALID,
            "Academic licenses are for qualified academic institutions only",
            field=field,
        )


def check_caller_is_contact(
    caller_email: str, *, billing_email: str, technical_email: str, field: tuple[str, ...]
) -> None:
    """R-QUOTE-6: a customer who is neither contact could not see the quote afterwards."""
    if caller_email not in (billing_email, technical_email):
        raise DomainError(
            ErrorCode.INVALID,
            "Name yourself as the billing or technical contact (or tick the reseller box)",
            field=field,
        )
