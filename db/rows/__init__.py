"""Typed rows: what a statement of ``db.queries`` returns, one plain class per entity read.

A row class is a ``typing.NamedTuple`` whose fields are, in order, the columns of the select
that reads it (``tests/db/test_rows.py`` holds each class to its statements, so a column
added to one and not the other fails). A row is decoded once, where its statement runs
(``db.queries``, the loaders' batches in ``db.queries.batch``) with ``Cls._make(row)``: a
tuple copy and a length check, about 0.2 µs a row, and attribute access stays as cheap as on
the SQLAlchemy row. Rows hold plain values only — ``Decimal`` money, aware UTC times, the
domain's enums — no SQLAlchemy object, so any driver's records decode into them; this
package imports neither SQLAlchemy nor Strawberry.

Why NamedTuples rather than ORM entities: the reads are Core statements (no identity map,
no lazy loading to guard against), and a NamedTuple is built from a result row by one tuple
copy, where an ORM entity costs instrumentation per attribute and per object.
"""

from __future__ import annotations

from typing import Protocol

from db.rows.account import AccountRow, PasswordResetTokenRow, RefreshTokenRow, TaxIdRow
from db.rows.audit import AuditEventRow
from db.rows.billing_address import BillingAddressRow
from db.rows.license import EvaluationRow, LicenseRow
from db.rows.order import OrderRow
from db.rows.organization import OrganizationRow
from db.rows.partner import ApiTokenRow, PartnerRow
from db.rows.payment import PaymentRow
from db.rows.quote import QuoteLineInQuote, QuoteLineRow, QuoteRow
from db.rows.sales_request import LicenseSubject, QuoteSubject, Requester, SalesRequestRow
from db.rows.webhook import WebhookDeliveryRow, WebhookEndpointRow


class Identified(Protocol):
    """A row with an integer primary key (what a connection's cursor is made of)."""

    @property
    def id(self) -> int: ...


__all__ = [
    "AccountRow",
    "ApiTokenRow",
    "AuditEventRow",
    "BillingAddressRow",
    "EvaluationRow",
    "Identified",
    "LicenseRow",
    "LicenseSubject",
    "OrderRow",
    "OrganizationRow",
    "PartnerRow",
    "PasswordResetTokenRow",
    "PaymentRow",
    "QuoteLineInQuote",
    "QuoteLineRow",
    "QuoteRow",
    "QuoteSubject",
    "RefreshTokenRow",
    "Requester",
    "SalesRequestRow",
    "TaxIdRow",
    "WebhookDeliveryRow",
    "WebhookEndpointRow",
]
