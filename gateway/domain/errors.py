"""Domain errors: every refusal carries one ``ErrorCode``; resolvers turn them into userErrors."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    TOO_LONG = "TOO_LONG"
    CONTACT_SALES = "CONTACT_SALES"  # R-QUOTE-3
    STALE_VERSION = "STALE_VERSION"  # R-QUOTE-7
    CURRENCY_NOT_ALLOWED = "CURRENCY_NOT_ALLOWED"  # R-CUR-2
    QUOTE_NOT_OPEN = "QUOTE_NOT_OPEN"  # R-QUOTE-1, R-QUOTE-2
    MAINTENANCE_LIMIT = "MAINTENANCE_LIMIT"  # R-MAINT-5
    UPGRADE_NOT_UPWARD = "UPGRADE_NOT_UPWARD"  # R-UPG-1
    NOT_UPGRADABLE = "NOT_UPGRADABLE"
    EMAIL_TAKEN = "EMAIL_TAKEN"  # R-ACC-1
    WRONG_PASSWORD = "WRONG_PASSWORD"  # R-ACC-2
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_TOKEN = "INVALID_TOKEN"
    CONTACTS_REMAIN = "CONTACTS_REMAIN"  # R-ACC-4
    PAYMENT_MISMATCH = "PAYMENT_MISMATCH"  # R-PRICE-5
    PAYMENT_DECLINED = "PAYMENT_DECLINED"  # R-ACC-6, R-PAY-2
    PAYMENT_IN_PROGRESS = "PAYMENT_IN_PROGRESS"  # R-PAY-4
    PAYMENT_UNAVAILABLE = "PAYMENT_UNAVAILABLE"  # no processor, or it does not answer
    NOT_CLOUD = "NOT_CLOUD"
    RATE_LIMITED = "RATE_LIMITED"
    NOT_CONVERTIBLE = "NOT_CONVERTIBLE"  # R-EVAL-5
    CUSTOMIZATION_NOT_ELIGIBLE = "CUSTOMIZATION_NOT_ELIGIBLE"  # R-REQ-2
    NOT_OPEN = "NOT_OPEN"  # R-REQ-1: a sales request already resolved or declined
    HTTPS_REQUIRED = "HTTPS_REQUIRED"  # R-LIVE-2: a webhook endpoint in prod
    ADDRESS_NOT_ALLOWED = "ADDRESS_NOT_ALLOWED"  # R-LIVE-2: private, loopback, link-local…
    TOO_MANY_ENDPOINTS = "TOO_MANY_ENDPOINTS"  # R-LIVE-2
    SCOPE_REQUIRED = "SCOPE_REQUIRED"  # R-LIVE-2: an event on what the token may not read


class DomainError(Exception):
    """A business rule refused the request. ``field`` is the input path, when one is at fault."""

    def __init__(self, code: ErrorCode, message: str, *, field: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class DomainErrors(Exception):
    """Several refusals at once: input validation reports every bad field."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class Refusals:
    """Collects the refusals of one input's checks, so that every bad field is reported."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def check(self, check: Callable[[], T]) -> T | None:
        """Run one check; its refusal is kept and ``None`` returned."""
        try:
            return check()
        except DomainError as error:
            self.errors.append(error)
            return None

    def raise_any(self, prefix: tuple[str, ...] = ()) -> None:
        """Raise every kept refusal at once, their fields under ``prefix``."""
        if self.errors:
            raise DomainErrors([under(prefix, e) for e in self.errors])


def under(prefix: tuple[str, ...], error: DomainError) -> DomainError:
    """The refusal reported at ``prefix`` + its field (none stays none)."""
    if not prefix or not error.field:
        return error
    return DomainError(error.code, error.message, field=(*prefix, *error.field))


def at(field: tuple[str, ...], check: Callable[[], T]) -> T:
    """Run a check and report its refusal on ``field`` (the input's own path)."""
    try:
        return check()
    except DomainError as error:
        raise DomainError(error.code, error.message, field=field) from None


def not_found(field: str, what: str = "object") -> DomainError:
    """What a caller gets for an id that does not exist *or* that it may not see (R-QUOTE-6)."""
    return DomainError(ErrorCode.NOT_FOUND, f"No such {what}.", field=(field,))
