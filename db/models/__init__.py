"""Every model, imported here so that ``Base.metadata`` is complete."""

from db.models.account import Account, PasswordResetToken, RefreshToken, TaxId
from db.models.audit import AuditEvent, IdempotencyKey
from db.models.billing_address import BillingAddress
from db.models.catalog import ExchangeRate, Price, Product, ProductRelease
from db.models.license import License
from db.models.mail import NumberSequence, OutgoingMail
from db.models.order import Order, order_licenses
from db.models.organization import Organization
from db.models.partner import ApiToken, Partner
from db.models.payment import Payment
from db.models.quote import Quote, QuoteLine
from db.models.sales_request import SalesRequest
from db.models.staff_session import StaffSession
from db.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Account",
    "ApiToken",
    "AuditEvent",
    "BillingAddress",
    "ExchangeRate",
    "IdempotencyKey",
    "License",
    "NumberSequence",
    "Order",
    "Organization",
    "OutgoingMail",
    "Partner",
    "PasswordResetToken",
    "Payment",
    "Price",
    "Product",
    "ProductRelease",
    "Quote",
    "QuoteLine",
    "RefreshToken",
    "SalesRequest",
    "StaffSession",
    "TaxId",
    "WebhookDelivery",
    "WebhookEndpoint",
    "order_licenses",
]
