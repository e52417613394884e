"""The demo dataset in memory, before it is written: objects that refer to each other directly.

Row ids do not exist yet: once the lists are in their final order every object gets its
position (``index``), and the loader turns positions into ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.domain.enums import (
    AccountStatus,
    Currency,
    Deployment,
    LicenseType,
    PaymentMethod,
    PrincipalKind,
    QuoteLineKind,
    QuoteStatus,
    SalesRequestKind,
    SalesRequestStatus,
    TaxIdKind,
    Tier,
)
from gateway.domain.pricing import PricedLine


@dataclass(eq=False, slots=True)
class DemoPartner:
    name: str
    region: str
    country: str
    website: str
    discount_percent: Decimal
    index: int = -1


@dataclass(eq=False, slots=True)
class DemoOrganization:
    name: str
    country: str
    address: str
    academic: bool
    partner: DemoPartner | None
    created_at: dt.datetime | None = None  # derived from its first license or quote
    index: int = -1


@dataclass(eq=False, slots=True)
class DemoAccount:
    email: str
    name: str
    phone: str | None
    country: str
    status: AccountStatus
    publicity_opt_out: bool = False
    tax_ids: list[tuple[TaxIdKind, str]] = field(default_factory=list)
    created_at: dt.datetime | None = None  # derived from its first contact role
    index: int = -1


@dataclass(eq=False, slots=True)
class DemoLicense:
    organization: DemoOrganization
    deployment: Deployment
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    billing: DemoAccount
    technical: DemoAccount
    created_at: dt.datetime
    license_key: str | None = None
    purchased_on: dt.date | None = None
    purchase_amount: Decimal | None = None
    purchase_currency: Currency | None = None
    evaluation_ends_on: dt.date | None = None
    maintenance_starts_on: dt.date | None = None
    maintenance_ends_on: dt.date | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    card_token: str | None = None
    past_due: bool = False
    converted_to: DemoLicense | None = None  # R-EVAL-5: the paid license that replaced it
    converted_at: dt.datetime | None = None
    sen: str = ""
    index: int = -1

    @property
    def partner(self) -> DemoPartner | None:
        return self.organization.partner


@dataclass(eq=False, slots=True)
class DemoQuoteLine:
    kind: QuoteLineKind
    deployment: Deployment
    tier: Tier
    license_type: LicenseType
    deployment_entity: str
    license: DemoLicense | None
    years: int | None
    maintenance_starts_on: dt.date | None
    maintenance_ends_on: dt.date | None
    priced: PricedLine  # quantity, prices and discounts
    converts_evaluation: DemoLicense | None = None  # R-EVAL-5


@dataclass(eq=False, slots=True)
class DemoQuote:
    status: QuoteStatus
    currency: Currency
    organization: DemoOrganization
    billing: DemoAccount
    technical: DemoAccount
    partner: DemoPartner | None
    is_reseller: bool
    po_number: str | None
    valid_until: dt.date
    version: int
    requires_sales_review: bool
    sync_with_sens: list[DemoLicense]
    fx_rate: Decimal | None
    fx_margin: Decimal | None
    lines: list[DemoQuoteLine]
    subtotal: Decimal
    discount_total: Decimal
    tax: Decimal
    total: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None
    number: str = ""
    index: int = -1


@dataclass(eq=False, slots=True)
class DemoOrder:
    quote: DemoQuote
    paid_at: dt.datetime
    payment_method: PaymentMethod
    payment_reference: str | None
    po_number: str | None
    licenses: list[DemoLicense]
    number: str = ""
    invoice_number: str = ""
    index: int = -1


@dataclass(eq=False, slots=True)
class DemoSalesRequest:
    """R-REQ-1: a customer's "please contact us", open or answered."""

    kind: SalesRequestKind
    account: DemoAccount
    message: str
    created_at: dt.datetime
    license: DemoLicense | None = None
    quote: DemoQuote | None = None
    status: SalesRequestStatus = SalesRequestStatus.OPEN
    resolution: str | None = None
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    number: str = ""
    index: int = -1


@dataclass(frozen=True, slots=True)
class DemoBillingAddress:
    """R-ACC-8: a Cloud subscription's billing address, from ``created_at`` on."""

    license: DemoLicense
    line1: str
    city: str
    postal_code: str | None
    country: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditChange:
    field: str
    before: str | int | None
    after: str | int | None


@dataclass(eq=False, slots=True)
class DemoAuditEvent:
    at: dt.datetime
    principal_kind: PrincipalKind
    principal: DemoAccount | None
    principal_name: str | None
    acting_partner: DemoPartner | None
    action: str
    entity: DemoQuote | DemoOrder | DemoLicense | DemoSalesRequest | DemoPartner
    changes: tuple[AuditChange, ...]


@dataclass(slots=True)
class DemoDataset:
    partners: list[DemoPartner] = field(default_factory=list)
    organizations: list[DemoOrganization] = field(default_factory=list)
    accounts: list[DemoAccount] = field(default_factory=list)
    licenses: list[DemoLicense] = field(default_factory=list)
    quotes: list[DemoQuote] = field(default_factory=list)
    orders: list[DemoOrder] = field(default_factory=list)
    audit_events: list[DemoAuditEvent] = field(default_factory=list)
    sales_requests: list[DemoSalesRequest] = field(default_factory=list)
    billing_addresses: list[DemoBillingAddress] = field(default_factory=list)
