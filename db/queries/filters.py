"""SQL forms of derived states, kept beside their pure twins in gateway.domain, and the
list filters (hashable values: part of loader keys) turned into SQL conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from db.models import Account, License, Quote
from db.queries.catalog import cloud_product_ids
from gateway.domain.enums import LicenseStatus, LicenseType, QuoteStatus


def _is_cloud() -> ColumnElement[bool]:
    return License.product_id.in_(cloud_product_ids())


def license_status_is(status: LicenseStatus, today: dt.date) -> ColumnElement[bool]:
    """Mirror of ``gateway.domain.license.license_status`` (R-EVAL-1, R-EVAL-5, R-MAINT-7,
    R-LIC-2)."""
    converted = License.converted_to_id.is_not(None)  # R-EVAL-5
    evaluation = and_(License.license_type == LicenseType.EVALUATION, ~converted)
    paid = License.license_type != LicenseType.EVALUATION
    ended = or_(License.maintenance_ends_on.is_(None), License.maintenance_ends_on <= today)
    match status:
        case LicenseStatus.EVALUATION:
            return and_(evaluation, License.evaluation_ends_on > today)
        case LicenseStatus.EVALUATION_EXPIRED:
            return and_(evaluation, License.evaluation_ends_on <= today)
        case LicenseStatus.ACTIVE:
            return and_(paid, License.maintenance_ends_on > today)
        case LicenseStatus.MAINTENANCE_EXPIRED:
            return and_(paid, ended, ~_is_cloud())
        case LicenseStatus.LAPSED:
            return and_(paid, ended, _is_cloud())
        case LicenseStatus.EVALUATION_CONVERTED:
            return and_(License.license_type == LicenseType.EVALUATION, converted)


def quote_status_is(status: QuoteStatus | None, today: dt.date) -> ColumnElement[bool]:
    """Mirror of ``gateway.domain.quote.effective_quote_status`` (R-QUOTE-1, R-QUOTE-2).

    Without a status, every quote but the deleted ones.
    """
    open_ = Quote.status == QuoteStatus.OPEN
    match status:
        case None:
            return Quote.status != QuoteStatus.DELETED
        case QuoteStatus.OPEN:
            return and_(open_, Quote.valid_until >= today)
        case QuoteStatus.EXPIRED:
            return or_(Quote.status == QuoteStatus.EXPIRED, and_(open_, Quote.valid_until < today))
        case _:
            return Quote.status == status


@dataclass(frozen=True, slots=True)
class LicenseFilter:
    status: LicenseStatus | None = None
    maintenance_ends_before: dt.date | None = None

    def conditions(self, today: dt.date) -> list[Any]:
        where: list[Any] = []
        if self.status is not None:
            where.append(license_status_is(self.status, today))
        if self.maintenance_ends_before is not None:
            where.append(License.maintenance_ends_on < self.maintenance_ends_before)
        return where


@dataclass(frozen=True, slots=True)
class QuoteFilter:
    status: QuoteStatus | None = None
    requires_sales_review: bool | None = None

    def conditions(self, today: dt.date) -> list[Any]:
        where: list[Any] = [quote_status_is(self.status, today)]
        if self.requires_sales_review is not None:
            where.append(Quote.requires_sales_review == self.requires_sales_review)
        return where


@dataclass(frozen=True, slots=True)
class AccountFilter:
    email: str | None = None

    def conditions(self) -> list[Any]:
        return [Account.email == self.email.strip().lower()] if self.email is not None else []


NO_LICENSE_FILTER = LicenseFilter()
NO_QUOTE_FILTER = QuoteFilter()
