"""``node`` and ``nodes``: a global id to the object, through the policy-filtered loaders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.schema.info import Info
from gateway.schema.relay import Node, decode_id

MAX_NODES = 100


def _builders() -> dict[str, tuple[str, Callable[[Any], Node]]]:
    from gateway.schema.account import Account
    from gateway.schema.audit import AuditEvent
    from gateway.schema.license import License
    from gateway.schema.order import Order
    from gateway.schema.partner import Organization, Partner, PartnerTokenInfo
    from gateway.schema.payment import Payment
    from gateway.schema.quote import Quote
    from gateway.schema.sales_request import SalesRequest

    return {
        "Account": ("account", Account.from_row),
        "License": ("license", License.from_row),
        "Quote": ("quote", Quote.from_row),
        "Order": ("order", Order.from_row),
        "Organization": ("organization", Organization.from_row),
        "Partner": ("partner", Partner.from_row),
        "AuditEvent": ("audit_event", AuditEvent.from_row),
        "PartnerToken": ("api_token", PartnerTokenInfo.from_row),
        "SalesRequest": ("sales_request", SalesRequest.from_row),
        "Payment": ("payment", Payment.from_row),
    }


async def resolve_node(info: Info, global_id: str) -> Node | None:
    decoded = decode_id(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    if type_name == "Product":
        from gateway.schema.catalog import Product

        catalog = await info.context.loaders.catalog.load("catalog")
        row = catalog.products_by_id.get(pk)
        return Product.from_row(row, catalog.prices) if row else None
    if type_name == "QuoteLine":
        from gateway.schema.quote import QuoteLine

        found = await info.context.loaders.quote_line.load(pk)
        return QuoteLine.from_row(found.line, found.currency) if found else None
    entry = _builders().get(type_name)
    if entry is None:
        return None
    loader_name, build = entry
    row = await getattr(info.context.loaders, loader_name).load(pk)
    return build(row) if row else None
