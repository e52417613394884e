"""cloudSubscriptionUpdateCard: the card of a Cloud subscription, and the overdue renewal it
pays at once (R-ACC-6). The token is kept, never shown or logged."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from db.queries import account as accounts
from db.queries import license as queries
from db.rows import LicenseRow
from gateway.actions import messages
from gateway.actions.unit import UnitOfWork
from gateway.auth import policy
from gateway.auth.principal import Principal
from gateway.domain import license as rules
from gateway.domain import pricing
from gateway.domain.contact_sales import how_to_ask
from gateway.domain.enums import (
    ChangeKind,
    Currency,
    Deployment,
    LicenseType,
    PriceKind,
    SalesRequestKind,
)
from gateway.domain.enums import QuoteLineKind as Kind
from gateway.domain.errors import DomainError, ErrorCode, not_found
from gateway.domain.maintenance import cloud_term_after_late_charge, start_after_renewal
from gateway.integrations.payments import PaymentDeclined, PaymentProcessor


@dataclass(frozen=True, slots=True)
class UpdateCard:
    license_id: int
    payment_token: str


async def update_cloud_card(
    *, uow: UnitOfWork, principal: Principal, command: UpdateCard, processor: PaymentProcessor
) -> LicenseRow:
    """R-ACC-6: a site admin (a contact) or staff. A past-due subscription is charged now,
    any other on its next billing date."""
    pk, token = command.license_id, command.payment_token
    row = await queries.visible_license(
        uow.session, pk, policy.license_card_writable(principal), for_update=True
    )
    if row is None:
        raise not_found("licenseId", "license")
    product = await queries.product(uow.session, row.product_id)
    assert product is not None  # licenses.product_id is a foreign key
    rules.check_card_updatable(
        deployment=Deployment(product.deployment), license_type=row.license_type
    )
    try:
        card = await processor.describe(token)
    except PaymentDeclined as exc:
        raise _declined(exc) from None
    values: dict[str, Any] = dict(card_token=token, card_brand=card.brand, card_last4=card.last4)
    charged = None
    if row.past_due:
        amount, currency = await _late_charge(uow, row)
        if amount > 0:
            try:
                await processor.charge(token, amount, currency)
            except PaymentDeclined as exc:
                raise _declined(exc) from None
        start, end = cloud_term_after_late_charge(row.maintenance_ends_on, uow.today)
        values.update(
            past_due=False,
            maintenance_starts_on=start_after_renewal(row.maintenance_starts_on, start),
            maintenance_ends_on=end,
        )
        charged = f"{amount} {currency.value}"
    updated = await queries.update_license(uow.session, license_id=pk, values=values)
    uow.audit_change(
        ChangeKind.UPDATED,
        "cloudSubscriptionUpdateCard",
        "License",
        pk,
        {
            "paymentCard": (card_text(row), card_text(updated)),
            "pastDue": (row.past_due, updated.past_due),
            "maintenanceEndsOn": (row.maintenance_ends_on, updated.maintenance_ends_on),
            "charged": (None, charged),
        },
    )
    people = await accounts.accounts_by_id(
        uow.session, (row.billing_account_id, row.technical_account_id)
    )
    message = messages.cloud_card_updated(
        license_id=row.id,
        sen=row.sen,
        card=card_text(updated),
        charged=charged,
        runs_until=updated.maintenance_ends_on,
        web_url=uow.web_url,
    )
    for person in people.values():
        uow.send(person.email, message)
    return updated


def _declined(exc: PaymentDeclined) -> DomainError:
    return DomainError(ErrorCode.PAYMENT_DECLINED, str(exc), field=("paymentToken",))


async def _late_charge(uow: UnitOfWork, row: LicenseRow) -> tuple[Decimal, Currency]:
    """R-ACC-6: what a past-due subscription owes now — the Cloud RENEWAL price of its tier in
    its purchase currency, priced like a renewal line: no promotion on a Cloud renewal
    (R-PRICE-1), the academic discount for an academic license of a qualified institution
    (R-PRICE-2)."""
    currency = Currency(row.purchase_currency or Currency.EUR)
    list_price = await queries.list_price(
        uow.session,
        product_id=row.product_id,
        tier=row.tier,
        currency=currency,
        kind=PriceKind.RENEWAL,
    )
    if list_price is None:
        raise DomainError(
            ErrorCode.INVALID,
            "This subscription's tier has no renewal price; " + how_to_ask(SalesRequestKind.OTHER),
            field=("licenseId",),
        )
    organization = await queries.organization(uow.session, row.organization_id)
    priced = pricing.price_line(
        unit_price=list_price,
        quantity=1,
        deployment=Deployment.CLOUD,
        kind=Kind.RENEWAL,
        academic=bool(
            organization and organization.academic and row.license_type == LicenseType.ACADEMIC
        ),
    )
    return priced.total, currency


def card_text(row: LicenseRow) -> str | None:
    if row.card_brand is None or row.card_last4 is None:
        return None
    return f"{row.card_brand} ending {row.card_last4}"
