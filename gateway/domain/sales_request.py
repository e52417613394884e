"""Sales requests: the "please contact us" of the FAQ as something a customer can open and
staff can answer (R-REQ-1, R-REQ-2).

Each kind says what it is about: a license (customization, Consent to Assign, upgrade
credit), a quote (tax exemption, a quote change), or either or neither (a DZD quote, other).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gateway.domain.enums import Deployment, LicenseType, SalesRequestKind, SalesRequestStatus, Tier
from gateway.domain.errors import DomainError, ErrorCode, Refusals
from gateway.domain.license import customization_eligible

MESSAGE_MAX = 4000
_ALLOWED_CONTROLS = frozenset("\n\t")


class Subject(StrEnum):
    LICENSE = "license"
    QUOTE = "quote"


# R-REQ-1: the one object a kind names; None when it may name either, or nothing.
KIND_SUBJECT: dict[SalesRequestKind, Subject | None] = {
    SalesRequestKind.CUSTOMIZATION: Subject.LICENSE,  # R-REQ-2, R-LIC-3
    SalesRequestKind.CONSENT_TO_ASSIGN: Subject.LICENSE,  # R-ACC-7
    SalesRequestKind.UPGRADE_CREDIT: Subject.LICENSE,  # R-UPG-3
    SalesRequestKind.TAX_EXEMPTION: Subject.QUOTE,
    SalesRequestKind.QUOTE_CHANGE: Subject.QUOTE,  # R-QUOTE-3
    SalesRequestKind.DZD_QUOTE: None,
    SalesRequestKind.OTHER: None,
}
_FIELD = {Subject.LICENSE: ("licenseId",), Subject.QUOTE: ("quoteId",)}
_LABEL = {
    SalesRequestKind.CUSTOMIZATION: "A customization request",
    SalesRequestKind.CONSENT_TO_ASSIGN: "A Consent to Assign request",
    SalesRequestKind.UPGRADE_CREDIT: "An upgrade credit request",
    SalesRequestKind.TAX_EXEMPTION: "A tax exemption request",
    SalesRequestKind.QUOTE_CHANGE: "A quote change request",
    SalesRequestKind.DZD_QUOTE: "A DZD quote request",
    SalesRequestKind.OTHER: "A request",
}


@dataclass(frozen=True, slots=True)
class SalesRequestDraft:
    """A request to open: its kind, the customer's words, and what it is about. An id is 0
    when the client sent one that names nothing of its type (it is then not found)."""

    kind: SalesRequestKind
    message: str
    license_id: int | None
    quote_id: int | None


@dataclass(frozen=True, slots=True)
class Resolution:
    status: SalesRequestStatus
    text: str


def check_message(value: str, *, field: tuple[str, ...], what: str) -> str:
    """Free text: stripped, 1 to ``MESSAGE_MAX`` characters, lines and tabs allowed."""
    cleaned = value.strip()
    if not cleaned:
        raise DomainError(ErrorCode.REQUIRED, f"Write the {what}", field=field)
    if len(cleaned) > MESSAGE_MAX:
        raise DomainError(
            ErrorCode.TOO_LONG, f"The {what} has at most {MESSAGE_MAX} characters", field=field
        )
    if any(not c.isprintable() and c not in _ALLOWED_CONTROLS for c in cleaned):
        raise DomainError(
            ErrorCode.INVALID, f"The {what} holds printable characters only", field=field
        )
    return cleaned


def parse_sales_request(
    *, kind: SalesRequestKind, message: str, license_id: int | None, quote_id: int | None
) -> SalesRequestDraft:
    """R-REQ-1: a kind that names a license or a quote needs it, and only it; every bad
    field is reported at once."""
    refusals = Refusals()
    text = refusals.check(lambda: check_message(message, field=("message",), what="message"))
    subject = KIND_SUBJECT[kind]
    given = {Subject.LICENSE: license_id, Subject.QUOTE: quote_id}
    if subject is not None:
        if given[subject] is None:
            refusals.add(
                DomainError(
                    ErrorCode.REQUIRED,
                    f"{_LABEL[kind]} is about a {subject.value}: name it",
                    field=_FIELD[subject],
                )
            )
        other = Subject.QUOTE if subject is Subject.LICENSE else Subject.LICENSE
        if given[other] is not None:
            refusals.add(
                DomainError(
                    ErrorCode.INVALID,
                    f"{_LABEL[kind]} is about a {subject.value}, not a {other.value}",
                    field=_FIELD[other],
                )
            )
    refusals.raise_any()
    assert text is not None
    return SalesRequestDraft(kind=kind, message=text, license_id=license_id, quote_id=quote_id)


def check_customization_eligible(
    *, deployment: Deployment, tier: Tier, license_type: LicenseType, sen: str
) -> None:
    """R-REQ-2 (R-LIC-3): customization only for a paid Server Enterprise license."""
    if not customization_eligible(deployment=deployment, tier=tier, license_type=license_type):
        raise DomainError(
            ErrorCode.CUSTOMIZATION_NOT_ELIGIBLE,
            f"{sen} is not a Server Enterprise license: platform customization is offered to "
            "holders of a paid Server Enterprise license only (never on Cloud)",
            field=("licenseId",),
        )


def parse_resolution(*, status: SalesRequestStatus, resolution: str) -> Resolution:
    """R-REQ-1: staff resolve or decline a request, always with a message to the customer.
    Refusals are reported under ``input``."""
    refusals = Refusals()
    if status is SalesRequestStatus.OPEN:
        refusals.add(
            DomainError(
                ErrorCode.INVALID, "Resolve (RESOLVED) or decline (DECLINED)", field=("status",)
            )
        )
    text = refusals.check(
        lambda: check_message(resolution, field=("resolution",), what="resolution")
    )
    refusals.raise_any(("input",))
    assert text is not None
    return Resolution(status=status, text=text)


def check_request_open(status: SalesRequestStatus, number: str) -> None:
    """R-REQ-1: a request is answered once."""
    if status is not SalesRequestStatus.OPEN:
        raise DomainError(
            ErrorCode.NOT_OPEN,
            f"Sales request {number} is {status.value.lower()} already",
            field=("id",),
        )
