"""Composes the schema: the one place Query, Mutation and every type meet."""

from __future__ import annotations

import strawberry

from gateway.schema import enums  # noqa: F401  (registers the enums)
from gateway.schema.account import Account
from gateway.schema.audit import AuditEvent
from gateway.schema.catalog import Product
from gateway.schema.license import License
from gateway.schema.mutation import Mutation
from gateway.schema.order import Order
from gateway.schema.partner import Organization, Partner, PartnerTokenInfo
from gateway.schema.query import Query
from gateway.schema.quote import Quote, QuoteLine

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    # Every Node implementation, so `node(id)` can return any of them.
    types=[
        Account,
        AuditEvent,
        License,
        Order,
        Organization,
        Partner,
        PartnerTokenInfo,
        Product,
        Quote,
        QuoteLine,
    ],
)
