"""The mechanics shared by the scripted and the random parts of the dataset: issuing licenses,
making quotes at a chosen time and recording audit events (orders: see ``orders``)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from gateway.demo_data.catalog import PriceBook, first_release, partners
from gateway.demo_data.dataset import (
    AuditChange,
    DemoAccount,
    DemoAuditEvent,
    DemoDataset,
    DemoLicense,
    DemoOrder,
    DemoOrganization,
    DemoPartner,
    DemoQuote,
    DemoSalesRequest,
)
from gateway.demo_data.dates import midnight, office_hours
from gateway.demo_data.licenses import IssuedLicense, LicensePlan, issue
from gateway.demo_data.quotes import LineRequest, QuoteFactory
from gateway.demo_data.vocabulary import EURO_COUNTRIES
from gateway.domain.enums import (
    Currency,
    PrincipalKind,
    QuoteLineKind,
    QuoteStatus,
    Tier,
)
from gateway.domain.maintenance import maintenance_for_renewal, renewal_years_allowed
from gateway.domain.quote import quote_valid_until

_DAY = dt.timedelta(days=1)


class QuoteState(StrEnum):
    """How an unpaid quote looks today."""

    OPEN = "OPEN"  # created within the last 30 days
    OPEN_EXPIRED = "OPEN_EXPIRED"  # stored OPEN, past validUntil: expired at read time (R-QUOTE-1)
    EXPIRED = "EXPIRED"  # stored EXPIRED by the nightly job
    DELETED = "DELETED"  # deleted by a contact (R-QUOTE-2)


# Days before today a quote in each state was created (inclusive ranges).
_CREATED_DAYS_AGO = {
    QuoteState.OPEN: (1, 29),
    QuoteState.OPEN_EXPIRED: (31, 200),
    QuoteState.EXPIRED: (32, 400),
    QuoteState.DELETED: (2, 400),
}


@dataclass(frozen=True, slots=True)
class QuoteTimes:
    status: QuoteStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


class Builder:
    """Collects the dataset; every random choice comes from ``rng``, in a fixed order."""

    def __init__(self, *, rng: random.Random, today: dt.date, price_book: PriceBook) -> None:
        self.rng = rng
        self.today = today
        self.earliest = first_release(today)
        self.factory = QuoteFactory(price_book)
        self.data = DemoDataset(partners=partners())
        self.issued: list[IssuedLicense] = []
        # Nothing happens on `today` itself: every instant is before the day began.
        self.last_instant = midnight(today) - dt.timedelta(minutes=1)

    # -- people -----------------------------------------------------------------------------

    def partner(self, name: str) -> DemoPartner:
        return next(partner for partner in self.data.partners if partner.name == name)

    def add_account(self, account: DemoAccount) -> DemoAccount:
        self.data.accounts.append(account)
        return account

    def add_organization(self, organization: DemoOrganization) -> DemoOrganization:
        self.data.organizations.append(organization)
        return organization

    def preferred_currency(self, country: str) -> Currency:
        """R-CUR-1/2: DZD only in Algeria; Europe pays in EUR, most others in USD."""
        roll = self.rng.random()
        if country == "DZ":
            return Currency.DZD if roll < 0.6 else Currency.EUR
        if country in EURO_COUNTRIES or (country in ("MA", "TN") and roll < 0.7):
            return Currency.EUR
        return Currency.USD if roll < 0.85 else Currency.EUR

    def po_number(self, country: str, year: int) -> str:
        rng = self.rng
        if country in ("DZ", "FR", "MA", "TN"):
            return f"BC-{year}-{rng.randrange(1, 2000):04d}"  # bon de commande
        if country == "DE":
            return f"BE-{rng.randrange(10**6, 10**7)}"
        return rng.choice((f"PO-{rng.randrange(10**5, 10**6)}", f"4500{rng.randrange(10**6):06d}"))

    # -- licenses ---------------------------------------------------------------------------

    def add_license(self, plan: LicensePlan) -> IssuedLicense:
        issued = issue(
            self.rng, plan, factory=self.factory, today=self.today, earliest=self.earliest
        )
        self.data.licenses.append(issued.license)
        self.issued.append(issued)
        return issued

    # -- quotes -----------------------------------------------------------------------------

    def times(
        self,
        state: QuoteState,
        *,
        not_before: dt.date,
        days_ago: int | None = None,
        version: int = 1,
    ) -> QuoteTimes | None:
        """When a quote in ``state`` was created, edited and deleted; None if it cannot be."""
        rng = self.rng
        if days_ago is None:
            days_ago = rng.randint(*_CREATED_DAYS_AGO[state])
        created_on = self.today - dt.timedelta(days=days_ago)
        if created_on < not_before:
            return None
        created_at = office_hours(rng, created_on)
        valid_until = quote_valid_until(created_on)  # R-QUOTE-1
        edits_end = min(self.last_instant, midnight(valid_until + _DAY))
        updated_at = created_at
        for _ in range(version - 1):  # R-QUOTE-7: every edit bumps the version
            updated_at = min(updated_at + dt.timedelta(minutes=rng.randint(20, 3000)), edits_end)
        if state is QuoteState.EXPIRED:
            expired_at = midnight(valid_until + _DAY) + dt.timedelta(minutes=5)
            return QuoteTimes(QuoteStatus.EXPIRED, created_at, expired_at, None)
        if state is QuoteState.DELETED:
            deleted_at = min(updated_at + dt.timedelta(minutes=rng.randint(30, 20000)), edits_end)
            return QuoteTimes(QuoteStatus.DELETED, created_at, deleted_at, deleted_at)
        return QuoteTimes(QuoteStatus.OPEN, created_at, updated_at, None)

    def scripted_times(self, state: QuoteState, days_ago: int, *, version: int = 1) -> QuoteTimes:
        """``times`` for a hand-written quote, which must fit."""
        times = self.times(state, not_before=self.earliest, days_ago=days_ago, version=version)
        if times is None:
            raise ValueError(f"a {state} quote cannot be {days_ago} days old")
        return times

    def random_state(self) -> QuoteState:
        return self.rng.choices(list(QuoteState), weights=(40, 20, 20, 20))[0]

    def random_version(self) -> int:
        return self.rng.choices((1, 2, 3), weights=(60, 28, 12))[0]

    def add_quote(
        self,
        *,
        organization: DemoOrganization,
        billing: DemoAccount,
        technical: DemoAccount,
        currency: Currency,
        times: QuoteTimes,
        lines: Sequence[LineRequest],
        version: int = 1,
        po_number: str | None = None,
        sync_with: Sequence[DemoLicense] = (),
    ) -> DemoQuote:
        quote = self.factory.quote(
            organization=organization,
            billing=billing,
            technical=technical,
            currency=currency,
            created_at=times.created_at,
            lines=lines,
            status=times.status,
            po_number=po_number,
            version=version,
            updated_at=times.updated_at,
            deleted_at=times.deleted_at,
            sync_with=sync_with,
        )
        self.data.quotes.append(quote)
        return quote

    def renewal_quote(
        self,
        issued: IssuedLicense,
        state: QuoteState,
        *,
        days_ago: int | None = None,
        years: int | None = None,
        currency: Currency | None = None,
        billing: DemoAccount | None = None,
        sync_with: Sequence[DemoLicense] = (),
        po_number: str | None = None,
        version: int = 1,
    ) -> DemoQuote | None:
        """A renewal from the current period's end (R-MAINT-4), as long as R-MAINT-5 allows."""
        paid, history = issued.license, issued.history
        assert history is not None and paid.maintenance_ends_on is not None
        times = self.times(
            state, not_before=history.starts_on + _DAY, days_ago=days_ago, version=version
        )
        if times is None:
            return None
        quote_day = times.created_at.date()
        previous_end = paid.maintenance_ends_on
        allowed = renewal_years_allowed(
            deployment=paid.deployment, previous_end=previous_end, today=quote_day
        )
        useful = [y for y in allowed if maintenance_for_renewal(previous_end, y)[1] > quote_day]
        if years is None and useful:
            years = self.rng.choice(useful)
        if years is None or years not in useful:
            return None
        request = LineRequest(
            QuoteLineKind.RENEWAL,
            paid.deployment,
            paid.tier,
            paid.license_type,
            paid.deployment_entity,
            license=paid,
            years=years,
            renews_from=previous_end,
        )
        return self.add_quote(
            organization=paid.organization,
            billing=billing or paid.billing,
            technical=paid.technical,
            currency=currency or paid.purchase_currency or Currency.EUR,
            times=times,
            lines=[request],
            version=version,
            po_number=po_number,
            sync_with=sync_with,
        )

    def upgrade_quote(
        self,
        issued: IssuedLicense,
        to_tier: Tier,
        state: QuoteState,
        *,
        days_ago: int | None = None,
        version: int = 1,
    ) -> DemoQuote | None:
        """R-UPG-1: upward only; priced by R-UPG-3 on the day it is made."""
        paid, history = issued.license, issued.history
        assert history is not None
        times = self.times(
            state, not_before=history.starts_on + _DAY, days_ago=days_ago, version=version
        )
        if times is None:
            return None
        request = LineRequest(
            QuoteLineKind.UPGRADE,
            paid.deployment,
            to_tier,
            paid.license_type,
            paid.deployment_entity,
            license=paid,
            from_tier=paid.tier,
        )
        return self.add_quote(
            organization=paid.organization,
            billing=paid.billing,
            technical=paid.technical,
            currency=paid.purchase_currency or Currency.EUR,
            times=times,
            lines=[request],
            version=version,
        )

    # -- audit ------------------------------------------------------------------------------

    def audit(
        self,
        *,
        at: dt.datetime,
        action: str,
        entity: DemoQuote | DemoOrder | DemoLicense | DemoSalesRequest | DemoPartner,
        changes: Sequence[tuple[str, str | int | None, str | int | None]],
        customer: DemoAccount | None = None,
        partner: DemoPartner | None = None,
        staff_name: str = "Conex Sales Operations",
    ) -> None:
        """R-SEC-1: who did what to which entity, with the fields before and after."""
        name: str
        if customer is not None:
            kind, name = PrincipalKind.CUSTOMER, customer.email
        elif partner is not None:
            kind, name = PrincipalKind.PARTNER, partner.name
        else:
            kind, name = PrincipalKind.STAFF, staff_name
        self.data.audit_events.append(
            DemoAuditEvent(
                at=at,
                principal_kind=kind,
                principal=customer,
                principal_name=name,
                acting_partner=partner,
                action=action,
                entity=entity,
                changes=tuple(AuditChange(*change) for change in changes),
            )
        )


def audit_deletion(b: Builder, quote: DemoQuote, by: DemoAccount) -> None:
    """The audit event of a customer's quoteDelete, at the quote's deletion time."""
    assert quote.deleted_at is not None
    b.audit(
        at=quote.deleted_at,
        action="quoteDelete",
        entity=quote,
        changes=[("status", "OPEN", "DELETED"), ("deletedAt", None, quote.deleted_at.isoformat())],
        customer=by,
    )
