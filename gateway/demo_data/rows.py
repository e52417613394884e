"""The in-memory dataset as table rows (dicts for executemany), with ids in place of objects."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.demo_data.dataset import (
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
from gateway.domain.enums import AccountStatus, Deployment
from gateway.domain.quote_pricing import discounts_record

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Ids:
    """Row ids: reference rows looked up or inserted first; the rest follow the largest id
    already in their table (``offsets``) in the dataset's order."""

    products: dict[Deployment, int]
    partners: list[int]
    offsets: dict[str, int]

    def partner(self, partner: DemoPartner | None) -> int | None:
        return None if partner is None else self.partners[partner.index]

    def organization(self, organization: DemoOrganization) -> int:
        return self.offsets["organizations"] + organization.index + 1

    def account(self, account: DemoAccount) -> int:
        return self.offsets["accounts"] + account.index + 1

    def license(self, license_: DemoLicense) -> int:
        return self.offsets["licenses"] + license_.index + 1

    def quote(self, quote: DemoQuote) -> int:
        return self.offsets["quotes"] + quote.index + 1

    def order(self, order: DemoOrder) -> int:
        return self.offsets["orders"] + order.index + 1

    def sales_request(self, request: DemoSalesRequest) -> int:
        return self.offsets["sales_requests"] + request.index + 1

    def maybe_license(self, license_: DemoLicense | None) -> int | None:
        return None if license_ is None else self.license(license_)


def organizations(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "id": ids.organization(o),
            "name": o.name,
            "country": o.country,
            "address": o.address,
            "academic": o.academic,
            "partner_id": ids.partner(o.partner),
            "created_at": o.created_at,
        }
        for o in data.organizations
    ]


def accounts(data: DemoDataset, ids: Ids, *, password_hash: str) -> list[Row]:
    """Every ACTIVE account shares the one demo password hash; INVITED ones have none."""
    return [
        {
            "id": ids.account(a),
            "email": a.email,
            "name": a.name,
            "phone": a.phone,
            "country": a.country,
            "publicity_opt_out": a.publicity_opt_out,
            "password_hash": password_hash if a.status is AccountStatus.ACTIVE else None,
            "status": a.status,
            "created_at": a.created_at,
            "closed_at": None,
        }
        for a in data.accounts
    ]


def tax_ids(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {"account_id": ids.account(a), "kind": kind, "value": value}
        for a in data.accounts
        for kind, value in a.tax_ids
    ]


def licenses(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "id": ids.license(x),
            "sen": x.sen,
            "product_id": ids.products[x.deployment],
            "tier": x.tier,
            "license_type": x.license_type,
            "organization_id": ids.organization(x.organization),
            "deployment_entity": x.deployment_entity,
            "billing_account_id": ids.account(x.billing),
            "technical_account_id": ids.account(x.technical),
            "partner_id": ids.partner(x.partner),
            "license_key": x.license_key,
            "purchased_on": x.purchased_on,
            "purchase_amount": x.purchase_amount,
            "purchase_currency": x.purchase_currency,
            "evaluation_ends_on": x.evaluation_ends_on,
            "maintenance_starts_on": x.maintenance_starts_on,
            "maintenance_ends_on": x.maintenance_ends_on,
            "card_brand": x.card_brand,
            "card_last4": x.card_last4,
            "card_token": x.card_token,
            "past_due": x.past_due,
            "created_at": x.created_at,
            "converted_to_id": None,  # set by ``conversions`` once every license is in
            "converted_at": None,
        }
        for x in data.licenses
    ]


def conversions(data: DemoDataset, ids: Ids) -> list[Row]:
    """R-EVAL-5: evaluations and the paid licenses that converted them (inserted later)."""
    return [
        {
            "id": ids.license(x),
            "converted_to_id": ids.license(x.converted_to),
            "converted_at": x.converted_at,
        }
        for x in data.licenses
        if x.converted_to is not None
    ]


def quotes(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "id": ids.quote(q),
            "number": q.number,
            "status": q.status,
            "currency": q.currency,
            "organization_id": ids.organization(q.organization),
            "billing_account_id": ids.account(q.billing),
            "technical_account_id": ids.account(q.technical),
            "partner_id": ids.partner(q.partner),
            "is_reseller": q.is_reseller,
            "po_number": q.po_number,
            "valid_until": q.valid_until,
            "version": q.version,
            "requires_sales_review": q.requires_sales_review,
            "sync_with_sens": [x.sen for x in q.sync_with_sens],
            # R-PRICE-6: what the partner's discount was when the quote was priced.
            "partner_discount_percent": q.partner.discount_percent if q.partner else Decimal(0),
            "fx_rate": q.fx_rate,
            "fx_margin": q.fx_margin,
            "subtotal": q.subtotal,
            "discount_total": q.discount_total,
            "tax": q.tax,
            "total": q.total,
            "created_at": q.created_at,
            "updated_at": q.updated_at,
            "deleted_at": q.deleted_at,
        }
        for q in data.quotes
    ]


def quote_lines(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "quote_id": ids.quote(q),
            "position": position,
            "kind": line.kind,
            "product_id": ids.products[line.deployment],
            "tier": line.tier,
            "license_type": line.license_type,
            "deployment_entity": line.deployment_entity,
            "quantity": line.priced.quantity,
            "license_id": None if line.license is None else ids.license(line.license),
            "years": line.years,
            "maintenance_starts_on": line.maintenance_starts_on,
            "maintenance_ends_on": line.maintenance_ends_on,
            "unit_price": line.priced.unit_price,
            "subtotal": line.priced.subtotal,
            "discount_total": line.priced.discount_total,
            "total": line.priced.total,
            "discounts": discounts_record(line.priced),
            "converts_evaluation_id": ids.maybe_license(line.converts_evaluation),
        }
        for q in data.quotes
        for position, line in enumerate(q.lines, start=1)
    ]


def orders(data: DemoDataset, ids: Ids) -> list[Row]:
    """R-ACC-4: an order keeps its contacts' names and emails as printed on the invoice."""
    return [
        {
            "id": ids.order(o),
            "number": o.number,
            "invoice_number": o.invoice_number,
            "quote_id": ids.quote(o.quote),
            "organization_id": ids.organization(o.quote.organization),
            "partner_id": ids.partner(o.quote.partner),
            "paid_at": o.paid_at,
            "payment_method": o.payment_method,
            "payment_reference": o.payment_reference,
            "po_number": o.po_number,
            "currency": o.quote.currency,
            "total": o.quote.total,
            "billing_account_id": ids.account(o.quote.billing),
            "technical_account_id": ids.account(o.quote.technical),
            "billing_name": o.quote.billing.name,
            "billing_email": o.quote.billing.email,
            "technical_name": o.quote.technical.name,
            "technical_email": o.quote.technical.email,
        }
        for o in data.orders
    ]


def order_licenses(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {"order_id": ids.order(o), "license_id": ids.license(x)}
        for o in data.orders
        for x in o.licenses
    ]


def sales_requests(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "id": ids.sales_request(r),
            "number": r.number,
            "kind": r.kind,
            "status": r.status,
            "account_id": ids.account(r.account),
            "license_id": ids.maybe_license(r.license),
            "quote_id": None if r.quote is None else ids.quote(r.quote),
            "message": r.message,
            "created_at": r.created_at,
            "resolution": r.resolution,
            "resolved_at": r.resolved_at,
            "resolved_by": r.resolved_by,
        }
        for r in data.sales_requests
    ]


def billing_addresses(data: DemoDataset, ids: Ids) -> list[Row]:
    return [
        {
            "license_id": ids.license(a.license),
            "line1": a.line1,
            "line2": None,
            "city": a.city,
            "postal_code": a.postal_code,
            "region": None,
            "country": a.country,
            "created_at": a.created_at,
        }
        for a in data.billing_addresses
    ]


def _entity(event: DemoAuditEvent, ids: Ids) -> tuple[str, int]:
    entity = event.entity
    if isinstance(entity, DemoQuote):
        return "Quote", ids.quote(entity)
    if isinstance(entity, DemoOrder):
        return "Order", ids.order(entity)
    if isinstance(entity, DemoSalesRequest):
        return "SalesRequest", ids.sales_request(entity)
    if isinstance(entity, DemoPartner):
        return "Partner", ids.partners[entity.index]
    return "License", ids.license(entity)


def audit_events(data: DemoDataset, ids: Ids) -> list[Row]:
    rows = []
    for event in data.audit_events:
        entity_type, entity_id = _entity(event, ids)
        principal = event.principal
        rows.append(
            {
                "at": event.at,
                "principal_kind": event.principal_kind,
                "principal_id": None if principal is None else str(ids.account(principal)),
                "principal_name": event.principal_name,
                "acting_partner_id": ids.partner(event.acting_partner),
                "action": event.action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "changes": [
                    {"field": c.field, "before": c.before, "after": c.after} for c in event.changes
                ],
            }
        )
    return rows
