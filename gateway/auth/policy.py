"""Who may see what: one predicate per entity, applied in SQL where rows are loaded.

Loaders and connections add these predicates to every statement, so ``node(id)``, ``nodes``,
root connections and nested fields agree, and a row the caller may not see is simply not
there ("not found", never "forbidden": R-QUOTE-6). Deny by default: a principal kind not
named below sees nothing.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, true

from db.models import (
    Account,
    AuditEvent,
    License,
    Order,
    Organization,
    Payment,
    Quote,
    SalesRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from gateway.auth.principal import Principal
from gateway.domain.enums import PartnerScope as Scope
from gateway.domain.enums import PrincipalKind


def _contact_of(
    model: type[License] | type[Quote] | type[Order], account_id: int
) -> ColumnElement[bool]:
    return or_(model.billing_account_id == account_id, model.technical_account_id == account_id)


def license_visible(p: Principal) -> ColumnElement[bool]:
    """R-QUOTE-6 (licenses alike), R-SEC-2."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(License, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.LICENSES_READ):
            return License.partner_id == p.partner_id
    return false()


def quote_visible(p: Principal) -> ColumnElement[bool]:
    """R-QUOTE-6: contacts, the reselling partner with quotes:read (R-SEC-2), staff."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(Quote, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.QUOTES_READ):
            return Quote.partner_id == p.partner_id
    return false()


def order_visible(p: Principal) -> ColumnElement[bool]:
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(Order, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.ORDERS_READ):
            return Order.partner_id == p.partner_id
    return false()


def payment_visible(p: Principal) -> ColumnElement[bool]:
    """R-PAY-1: the payments of the quotes a customer is a contact of, of the quotes a partner
    resold (with quotes:write, the scope that pays them); staff all."""
    of_quote = Quote.id == Payment.quote_id
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return exists().where(of_quote, _contact_of(Quote, p.account_id))
        case PrincipalKind.PARTNER if p.has_scope(Scope.QUOTES_WRITE):
            return exists().where(of_quote, Quote.partner_id == p.partner_id)
    return false()


def is_payer(
    p: Principal, *, kind: PrincipalKind, account_id: int | None, token_id: int | None
) -> bool:
    """Who started a payment, and so may read its client secret (R-PAY-1)."""
    if p.kind is not kind:
        return False
    if p.is_customer:
        return p.account_id is not None and p.account_id == account_id
    return p.is_partner and p.token_id is not None and p.token_id == token_id


def organization_visible(p: Principal) -> ColumnElement[bool]:
    """The licensee of anything the caller can see, a partner's customers (customers:read)."""
    if p.is_staff:
        return true()
    if p.is_anonymous:
        return false()
    reachable = or_(
        exists().where(License.organization_id == Organization.id, license_visible(p)),
        exists().where(Quote.organization_id == Organization.id, quote_visible(p)),
        exists().where(Order.organization_id == Organization.id, order_visible(p)),
    )
    if p.is_partner and p.has_scope(Scope.CUSTOMERS_READ):
        return or_(Organization.partner_id == p.partner_id, reachable)
    return reachable


def partner_customer_visible(p: Principal) -> ColumnElement[bool]:
    """``Partner.customers``: a partner lists the organizations it resold to only with
    customers:read (R-SEC-2: a missing scope yields empty, even of organizations it can reach
    through its quotes or licenses); anyone else, the organizations they may see."""
    if p.is_partner:
        if p.has_scope(Scope.CUSTOMERS_READ):
            return Organization.partner_id == p.partner_id
        return false()
    return organization_visible(p)


def account_visible(p: Principal) -> ColumnElement[bool]:
    """Oneself, and the contacts of anything one can see (they are printed on it)."""
    if p.is_staff:
        return true()
    if p.is_anonymous:
        return false()
    contact = or_(
        exists().where(_contact_of(License, Account.id), license_visible(p)),  # type: ignore[arg-type]
        exists().where(_contact_of(Quote, Account.id), quote_visible(p)),  # type: ignore[arg-type]
        exists().where(_contact_of(Order, Account.id), order_visible(p)),  # type: ignore[arg-type]
    )
    if p.account_id is not None:
        return or_(Account.id == p.account_id, contact)
    return contact


def account_private_fields_visible(p: Principal, account_id: int) -> bool:
    """Phone, tax ids and the publicity flag: the account holder and staff only."""
    return p.is_staff or (p.is_customer and p.account_id == account_id)


def audit_event_visible(p: Principal) -> ColumnElement[bool]:
    """Staff see every event; a customer the events of their own account and entities."""
    if p.is_staff:
        return true()
    if not p.is_customer or p.account_id is None:
        return false()
    own = {
        "Account": Account.id == AuditEvent.entity_id,
        "License": exists().where(License.id == AuditEvent.entity_id, license_visible(p)),
        "Quote": exists().where(Quote.id == AuditEvent.entity_id, quote_visible(p)),
        "Order": exists().where(Order.id == AuditEvent.entity_id, order_visible(p)),
        "SalesRequest": exists().where(
            SalesRequest.id == AuditEvent.entity_id, sales_request_visible(p)
        ),
    }
    return or_(
        and_(AuditEvent.entity_type == "Account", AuditEvent.entity_id == p.account_id),
        *(
            and_(AuditEvent.entity_type == kind, rule)
            for kind, rule in own.items()
            if kind != "Account"
        ),
    )


def may_see_metrics(p: Principal) -> bool:
    return p.is_staff


def tokens_visible(p: Principal) -> ColumnElement[bool]:
    return true() if p.is_staff else false()


def quote_writable(p: Principal) -> ColumnElement[bool]:
    """Who may act on a quote (R-QUOTE-6): its contacts, its partner with quotes:write, staff.

    A partner acts only on what its token can read: quotes:write without quotes:read finds
    nothing to act on ("not found", R-SEC-2), as an object outside its scopes would. Payloads
    still go through ``quote_visible`` (a contact may edit themselves off a quote)."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(Quote, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.QUOTES_WRITE) and p.has_scope(
            Scope.QUOTES_READ
        ):
            return Quote.partner_id == p.partner_id
    return false()


def quote_payable(p: Principal) -> ColumnElement[bool]:
    """R-PAY-1: who pays a quote online — its contacts, and its partner with quotes:write on
    the quotes its token can read (as ``quote_writable``). Staff record payments instead
    (quoteRecordPayment); nobody else."""
    match p.kind:
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(Quote, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.QUOTES_WRITE) and p.has_scope(
            Scope.QUOTES_READ
        ):
            return Quote.partner_id == p.partner_id
    return false()


def may_create_quotes(p: Principal) -> bool:
    """quoteCreate: customers, staff, and partners with quotes:write (R-QUOTE-5, R-SEC-2)."""
    match p.kind:
        case PrincipalKind.STAFF | PrincipalKind.CUSTOMER:
            return True
        case PrincipalKind.PARTNER:
            return p.has_scope(Scope.QUOTES_WRITE)
    return False


def resells_as_partner(p: Principal) -> bool:
    """A partner creating or requesting a quote with quotes:write is its reseller (R-QUOTE-5)."""
    return p.is_partner and p.partner_id is not None and p.has_scope(Scope.QUOTES_WRITE)


def order_writable(p: Principal) -> ColumnElement[bool]:
    """An order's PO number (R-QUOTE-4): its contacts and staff (partners have no orders:write)."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(Order, p.account_id)
    return false()


def license_contacts_writable(p: Principal) -> ColumnElement[bool]:
    """R-ACC-3: current contacts, staff, and its partner with licenses:write — on licenses its
    token can read (licenses:read too), as ``quote_writable``. The payload shows the license
    only through ``license_visible`` (a contact may hand their role away)."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(License, p.account_id)
        case PrincipalKind.PARTNER if p.has_scope(Scope.LICENSES_WRITE) and p.has_scope(
            Scope.LICENSES_READ
        ):
            return License.partner_id == p.partner_id
    return false()


def license_card_writable(p: Principal) -> ColumnElement[bool]:
    """R-ACC-6: a Cloud subscription's card — its site admins (the license's contacts) and
    staff; partners never handle a customer's card."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(License, p.account_id)
    return false()


def evaluation_convertible(p: Principal) -> ColumnElement[bool]:
    """R-EVAL-5: a quote line may name an evaluation its caller is a contact of (staff: any);
    partners resell, they are no contacts of a customer's evaluation."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(License, p.account_id)
    return false()


def sales_request_visible(p: Principal) -> ColumnElement[bool]:
    """R-REQ-1: staff see the queue; a customer the requests it opened."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return SalesRequest.account_id == p.account_id
    return false()


def sales_request_license(p: Principal) -> ColumnElement[bool]:
    """R-REQ-1: a request may be about a license its customer is a contact of; any other is
    "not found" (R-QUOTE-6)."""
    if p.is_customer and p.account_id is not None:
        return _contact_of(License, p.account_id)
    return false()


def sales_request_quote(p: Principal) -> ColumnElement[bool]:
    """R-REQ-1: likewise for a quote."""
    if p.is_customer and p.account_id is not None:
        return _contact_of(Quote, p.account_id)
    return false()


def partner_terms_visible(p: Principal, partner_id: int) -> bool:
    """R-PRICE-6: a partner's discount is commercial terms: staff and the partner itself, not
    the public directory."""
    return p.is_staff or (p.is_partner and p.partner_id == partner_id)


def billing_address_visible(
    p: Principal, *, billing_account_id: int, technical_account_id: int
) -> bool:
    """R-ACC-8: a subscription's billing address, for its contacts (who may change it) and
    staff."""
    if p.is_staff:
        return True
    return p.is_customer and p.account_id in (billing_account_id, technical_account_id)


def billing_address_writable(p: Principal) -> ColumnElement[bool]:
    """R-ACC-8: a Cloud subscription's contacts, and staff; partners never (as the card)."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.CUSTOMER if p.account_id is not None:
            return _contact_of(License, p.account_id)
    return false()


def webhook_endpoint_visible(p: Principal) -> ColumnElement[bool]:
    """R-LIVE-2: a partner sees its own endpoints with webhooks:write; staff all."""
    match p.kind:
        case PrincipalKind.STAFF:
            return true()
        case PrincipalKind.PARTNER if p.has_scope(Scope.WEBHOOKS_WRITE):
            return WebhookEndpoint.partner_id == p.partner_id
    return false()


def webhook_delivery_visible(p: Principal) -> ColumnElement[bool]:
    """The delivery log of the endpoints the caller sees."""
    if p.is_staff:
        return true()
    return exists().where(
        WebhookEndpoint.id == WebhookDelivery.endpoint_id, webhook_endpoint_visible(p)
    )


def may_manage_webhooks(p: Principal) -> bool:
    """R-LIVE-2: a partner with webhooks:write creates and deletes its endpoints (staff only
    read them: an endpoint is the partner's receiver, registered by the partner)."""
    return p.is_partner and p.partner_id is not None and p.has_scope(Scope.WEBHOOKS_WRITE)
