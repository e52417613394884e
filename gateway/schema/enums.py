"""The contract's enums, registered with Strawberry from the domain's own enums."""

from __future__ import annotations

import strawberry

from gateway.domain import enums
from gateway.domain.errors import ErrorCode

for _enum in (
    enums.Currency,
    enums.Tier,
    enums.Deployment,
    enums.LicenseType,
    enums.LicenseStatus,
    enums.QuoteStatus,
    enums.QuoteLineKind,
    enums.ContactRole,
    enums.PaymentMethod,
    enums.PaymentStatus,
    enums.TaxIdKind,
    enums.SupportChannel,
    enums.SupportOfferingKind,
    enums.PartnerScope,
    enums.DiscountKind,
    enums.PrincipalKind,
    enums.EditBlockedReason,
    enums.SalesRequestKind,
    enums.SalesRequestStatus,
    enums.ChangeKind,
    enums.WebhookEvent,
    enums.WebhookDeliveryStatus,
    ErrorCode,
):
    strawberry.enum(_enum)
