"""Mutation payloads: the changed object, or userErrors saying why nothing changed."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway.schema.account import Account
from gateway.schema.common import UserError
from gateway.schema.license import License
from gateway.schema.order import Order
from gateway.schema.partner import Partner, PartnerTokenInfo
from gateway.schema.payment import Payment
from gateway.schema.quote import Quote
from gateway.schema.sales_request import SalesRequest
from gateway.schema.webhook import WebhookEndpoint


@strawberry.type
class Payload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SignUpPayload(Payload):
    account: Account | None = None


@strawberry.type
class SessionPayload(Payload):
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: dt.datetime | None = None


@strawberry.type
class LogInPayload(SessionPayload):
    account: Account | None = None


@strawberry.type
class TokenRefreshPayload(SessionPayload):
    pass


@strawberry.type
class LogOutPayload(Payload):
    pass


@strawberry.type
class QuotePayload(Payload):
    quote: Quote | None = None


@strawberry.type
class OrderSetPoNumberPayload(Payload):
    order: Order | None = None


@strawberry.type
class QuoteDeletePayload(Payload):
    deleted_quote_id: strawberry.ID | None = None


@strawberry.type
class LicensePayload(Payload):
    license: License | None = None


@strawberry.type
class AccountPayload(Payload):
    account: Account | None = None


@strawberry.type
class AccountClosePayload(Payload):
    closed_account_id: strawberry.ID | None = None


@strawberry.type
class QuoteRecordPaymentPayload(Payload):
    order: Order | None = None


@strawberry.type
class PartnerTokenCreatePayload(Payload):
    token: str | None = strawberry.field(default=None, description="Shown once, never again.")
    token_info: PartnerTokenInfo | None = None


@strawberry.type
class PartnerTokenRevokePayload(Payload):
    token_info: PartnerTokenInfo | None = None


@strawberry.type
class SalesRequestPayload(Payload):
    sales_request: SalesRequest | None = None


@strawberry.type
class PartnerPayload(Payload):
    partner: Partner | None = None


@strawberry.type
class QuotePayPayload(Payload):
    """The payment and, once it succeeded, its order; a decline is a FAILED payment with a
    PAYMENT_DECLINED userError (R-PAY-2)."""

    payment: Payment | None = None
    order: Order | None = None
    quote: Quote | None = None


@strawberry.type
class WebhookEndpointCreatePayload(Payload):
    endpoint: WebhookEndpoint | None = None
    signing_secret: str | None = strawberry.field(
        default=None,
        description="The endpoint's Standard Webhooks secret (whsec_…): shown once, never again.",
    )


@strawberry.type
class WebhookEndpointDeletePayload(Payload):
    deleted_endpoint_id: strawberry.ID | None = None
