"""Domain errors: every refusal carries one ``ErrorCode``; resolvers turn them into userErrors."""

from __future__ import annotations

from enum import StrEnum


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
    PAYMENT_DECLINED = "PAYMENT_DECLINED"  # R-ACC-6
    NOT_CLOUD = "NOT_CLOUD"
    RATE_LIMITED = "RATE_LIMITED"


class DomainError(Exception):
    """A business rule refused the request. ``field`` is the input path, when one is at fault."""

    def __init__(self, code: ErrorCode, message: str, *, field: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
