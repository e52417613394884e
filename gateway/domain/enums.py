"""The vocabulary of the business: plain enums shared by the domain, the models and the schema."""

from __future__ import annotations

from enum import StrEnum


class Currency(StrEnum):
    USD = "USD"
    EUR = "EUR"
    DZD = "DZD"


class Tier(StrEnum):
    STARTER = "STARTER"
    EXPRESS = "EXPRESS"
    PROFESSIONAL = "PROFESSIONAL"
    ENTERPRISE = "ENTERPRISE"

    @property
    def rank(self) -> int:
        return TIER_ORDER.index(self)


TIER_ORDER = (Tier.STARTER, Tier.EXPRESS, Tier.PROFESSIONAL, Tier.ENTERPRISE)


class Deployment(StrEnum):
    SERVER = "SERVER"
    DATA_CENTER = "DATA_CENTER"
    CLOUD = "CLOUD"


class LicenseType(StrEnum):
    COMMERCIAL = "COMMERCIAL"
    ACADEMIC = "ACADEMIC"
    EVALUATION = "EVALUATION"


class LicenseStatus(StrEnum):
    EVALUATION = "EVALUATION"
    EVALUATION_EXPIRED = "EVALUATION_EXPIRED"
    ACTIVE = "ACTIVE"
    MAINTENANCE_EXPIRED = "MAINTENANCE_EXPIRED"
    LAPSED = "LAPSED"
    EVALUATION_CONVERTED = "EVALUATION_CONVERTED"  # R-EVAL-5: a paid license replaced it


class QuoteStatus(StrEnum):
    OPEN = "OPEN"
    PAID = "PAID"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"


class QuoteLineKind(StrEnum):
    NEW = "NEW"
    RENEWAL = "RENEWAL"
    UPGRADE = "UPGRADE"


class ContactRole(StrEnum):
    BILLING = "BILLING"
    TECHNICAL = "TECHNICAL"


class PaymentMethod(StrEnum):
    CARD = "CARD"
    PAYPAL = "PAYPAL"
    BANK_TRANSFER = "BANK_TRANSFER"
    CHECK = "CHECK"


class PaymentStatus(StrEnum):
    """An online payment (R-PAY-*): PROCESSING and REQUIRES_ACTION are in progress (R-PAY-4)."""

    PROCESSING = "PROCESSING"
    REQUIRES_ACTION = "REQUIRES_ACTION"  # the payer must authenticate (3-D Secure) or approve
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class TaxIdKind(StrEnum):
    VAT = "VAT"
    PAN = "PAN"
    CIN = "CIN"
    GST = "GST"


class SupportChannel(StrEnum):
    EMAIL = "EMAIL"
    KNOWLEDGE_BASE = "KNOWLEDGE_BASE"
    TICKETS = "TICKETS"
    LIVE_CHAT = "LIVE_CHAT"
    TEAMVIEWER = "TEAMVIEWER"
    PHONE = "PHONE"


class SupportOfferingKind(StrEnum):
    SELECT = "SELECT"
    PRIORITY_CLOUD = "PRIORITY_CLOUD"
    PRIORITY_SERVER = "PRIORITY_SERVER"
    PREMIER = "PREMIER"


class PartnerScope(StrEnum):
    QUOTES_READ = "QUOTES_READ"
    QUOTES_WRITE = "QUOTES_WRITE"
    ORDERS_READ = "ORDERS_READ"
    LICENSES_READ = "LICENSES_READ"
    LICENSES_WRITE = "LICENSES_WRITE"
    CUSTOMERS_READ = "CUSTOMERS_READ"
    WEBHOOKS_WRITE = "WEBHOOKS_WRITE"  # webhooks:write (R-LIVE-2)


class DiscountKind(StrEnum):
    PROMOTIONAL = "PROMOTIONAL"  # R-PRICE-1
    ACADEMIC = "ACADEMIC"  # R-PRICE-2
    PARTNER = "PARTNER"  # R-PRICE-3
    UPGRADE_CREDIT = "UPGRADE_CREDIT"  # R-UPG-3, what was paid within 30 days


class SalesRequestKind(StrEnum):
    """What a "please contact us" request is about (R-REQ-1)."""

    CUSTOMIZATION = "CUSTOMIZATION"  # R-REQ-2, R-LIC-3
    CONSENT_TO_ASSIGN = "CONSENT_TO_ASSIGN"  # R-ACC-7
    TAX_EXEMPTION = "TAX_EXEMPTION"
    QUOTE_CHANGE = "QUOTE_CHANGE"  # R-QUOTE-3
    DZD_QUOTE = "DZD_QUOTE"  # R-CUR-2
    UPGRADE_CREDIT = "UPGRADE_CREDIT"  # R-UPG-3
    OTHER = "OTHER"


class SalesRequestStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    DECLINED = "DECLINED"


class AccountStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INVITED = "INVITED"  # named as a contact, has not set a password yet
    CLOSED = "CLOSED"


class PriceKind(StrEnum):
    NEW = "NEW"  # a new license or subscription, 12 months of maintenance included
    RENEWAL = "RENEWAL"  # 12 months of maintenance (Server, Data Center) or a Cloud term


class TokenKind(StrEnum):
    STAFF = "STAFF"
    PARTNER = "PARTNER"


class PrincipalKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    CUSTOMER = "CUSTOMER"
    PARTNER = "PARTNER"
    STAFF = "STAFF"
    SYSTEM = "SYSTEM"


class EditBlockedReason(StrEnum):
    CONTACT_SALES = "CONTACT_SALES"  # R-QUOTE-3
    EXPIRED = "EXPIRED"  # R-QUOTE-1
    PAID = "PAID"
    DELETED = "DELETED"


class ChangeKind(StrEnum):
    """What happened to a quote, license or order (issue #15: subscriptions and webhooks)."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    PAID = "PAID"
    DELETED = "DELETED"
    ISSUED = "ISSUED"


class ChangeEntity(StrEnum):
    QUOTE = "Quote"
    LICENSE = "License"
    ORDER = "Order"


class WebhookEvent(StrEnum):
    """R-LIVE-2: the events a partner's webhook endpoint subscribes to."""

    QUOTE_CREATED = "QUOTE_CREATED"
    QUOTE_UPDATED = "QUOTE_UPDATED"
    QUOTE_PAID = "QUOTE_PAID"
    ORDER_CREATED = "ORDER_CREATED"
    LICENSE_ISSUED = "LICENSE_ISSUED"
    LICENSE_UPDATED = "LICENSE_UPDATED"


class WebhookDeliveryStatus(StrEnum):
    """R-LIVE-2: a delivery of one event to one endpoint."""

    PENDING = "PENDING"  # not delivered yet: the next try is due or scheduled
    DELIVERED = "DELIVERED"  # a 2xx answer
    FAILED = "FAILED"  # given up: 24 hours of failures, or its endpoint was disabled
    SKIPPED = "SKIPPED"  # the partner may no longer read the object: nothing was sent
