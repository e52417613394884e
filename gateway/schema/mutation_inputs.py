"""Mutation inputs, exactly as the clients send them (../shared/contract/inputs.graphql)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from gateway.domain.enums import (
    Currency,
    LicenseType,
    PartnerScope,
    PaymentMethod,
    SalesRequestKind,
    SalesRequestStatus,
    TaxIdKind,
    Tier,
    WebhookEvent,
)


@strawberry.input
class SignUpInput:
    email: str
    password: str
    name: str
    country: str


@strawberry.input
class LogInInput:
    email: str
    password: str


@strawberry.input
class TokenRefreshInput:
    refresh_token: str


@strawberry.input
class OrganizationInput:
    name: str
    country: str
    academic: bool | None = False


@strawberry.input
class QuoteLineInput:
    product: strawberry.ID
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    quantity: int | None = 1
    converts_evaluation: strawberry.ID | None = strawberry.field(
        default=None, description="R-EVAL-5: the evaluation license this purchase converts."
    )


@strawberry.input
class QuoteCreateInput:
    currency: Currency
    organization: OrganizationInput
    billing_contact_email: str
    technical_contact_email: str
    lines: list[QuoteLineInput]
    po_number: str | None = None
    is_reseller: bool | None = False


@strawberry.input
class QuoteUpdateInput:
    currency: Currency | None = None
    lines: list[QuoteLineInput] | None = None
    billing_contact_email: str | None = None
    technical_contact_email: str | None = None


@strawberry.input
class LicenseUpdateContactsInput:
    billing_contact_email: str | None = None
    technical_contact_email: str | None = None


@strawberry.input
class RenewalQuoteRequestInput:
    sen: str
    contact_email: str
    years: int | None = 1
    currency: Currency | None = None
    sync_with_sens: list[str] | None = None


@strawberry.input
class UpgradeQuoteRequestInput:
    sen: str
    contact_email: str
    to_tier: Tier
    currency: Currency | None = None
    sync_with_sens: list[str] | None = strawberry.field(
        default=None,
        description="R-MAINT-9: co-term other licenses of yours with the upgrade; flags the "
        "quote for sales review.",
    )


@strawberry.input
class EvaluationStartInput:
    product: strawberry.ID
    organization: OrganizationInput
    deployment_entity: str


@strawberry.input
class TaxIdInput:
    kind: TaxIdKind
    value: str


@strawberry.input
class AccountUpdateInput:
    name: str | None = None
    phone: str | None = None
    country: str | None = None
    publicity_opt_out: bool | None = None
    tax_ids: list[TaxIdInput] | None = None


@strawberry.input
class AccountChangeEmailInput:
    new_email: str
    password: str


@strawberry.input
class AccountChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class PasswordResetRequestInput:
    email: str


@strawberry.input
class PasswordResetInput:
    token: str
    new_password: str


@strawberry.input
class AccountCloseInput:
    password: str


@strawberry.input
class CloudSubscriptionUpdateCardInput:
    license_id: strawberry.ID
    payment_token: str


@strawberry.input
class QuoteRecordPaymentInput:
    quote_id: strawberry.ID
    method: PaymentMethod
    amount: Decimal
    reference: str | None = None
    paid_at: dt.datetime | None = None


@strawberry.input
class QuotePayInput:
    quote_id: strawberry.ID
    expected_version: int
    payment_token: str = strawberry.field(
        description="From the payment processor's client library; never a card number."
    )
    method: PaymentMethod | None = PaymentMethod.CARD  # CARD or PAYPAL; null is CARD


@strawberry.input
class PartnerTokenCreateInput:
    partner_id: strawberry.ID
    scopes: list[PartnerScope]
    expires_in_days: int | None = None
    name: str | None = None


@strawberry.input
class WebhookEndpointCreateInput:
    url: str
    events: list[WebhookEvent]
    alert_email: str | None = strawberry.field(
        default=None,
        description="Who is mailed when the endpoint is disabled after 24 hours of failures.",
    )


@strawberry.input
class LicenseAssignInput:
    license_id: strawberry.ID
    organization_id: strawberry.ID


@strawberry.input
class SalesRequestCreateInput:
    kind: SalesRequestKind
    message: str
    license_id: strawberry.ID | None = None
    quote_id: strawberry.ID | None = None


@strawberry.input
class SalesRequestResolveInput:
    status: SalesRequestStatus = strawberry.field(description="RESOLVED or DECLINED.")
    resolution: str


@strawberry.input
class PartnerUpdateInput:
    discount_percent: Decimal | None = strawberry.field(
        default=None, description="R-PRICE-6: 0 to 50."
    )


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = None
    city: str
    postal_code: str | None = None
    region: str | None = None
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")


@strawberry.input
class CloudSubscriptionUpdateBillingAddressInput:
    license_id: strawberry.ID
    address: AddressInput
