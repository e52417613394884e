"""The list filters, hashable values that are part of loader keys (``db.queries.filters``
turns them into SQL conditions); imported from here by the schema."""

from __future__ import annotations

from db.queries.filters import (
    NO_LICENSE_FILTER,
    NO_QUOTE_FILTER,
    AccountFilter,
    LicenseFilter,
    QuoteFilter,
)

__all__ = ["NO_LICENSE_FILTER", "NO_QUOTE_FILTER", "AccountFilter", "LicenseFilter", "QuoteFilter"]
