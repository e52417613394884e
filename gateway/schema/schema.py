"""Composes the schema: the one place Query, Mutation, Subscription and every type meet."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from gateway.schema import enums  # noqa: F401  (registers the enums)
from gateway.schema.account import Account
from gateway.schema.audit import AuditEvent
from gateway.schema.catalog import Product
from gateway.schema.execution import PlannedExecutor, lean_resolvers
from gateway.schema.license import License
from gateway.schema.mutation import Mutation
from gateway.schema.order import Order
from gateway.schema.partner import Organization, Partner, PartnerTokenInfo
from gateway.schema.query import Query
from gateway.schema.quote import Quote, QuoteLine
from gateway.schema.subscription import Subscription
from gateway.security.guard import OperationGuard

NODE_TYPES = [
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
]


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Errors are logged once, with the request id, where the response is made
        (gateway.http.endpoint); a refused input is not an error of the service."""


@functools.cache
def build_schema(*, guarded: bool = True, planned: bool = True) -> GatewaySchema:
    """The schema with its extensions: documents parsed and validated once per text, and
    the operation guard (limits, cost, rate limits). Extension classes, never instances,
    so each request gets its own. ``planned``: plain leaves skip graphql-core's per-field
    work and resolvers without arguments are called directly (gateway.schema.execution); off,
    every field runs through graphql-core and Strawberry's resolver chain.

    Built when called, never at import, and once per process and arguments: it holds no
    state of an app or a request, so every app of the process shares it. The SDL export and
    tools use ``build_schema(guarded=False)``."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
    ]
    if guarded:
        extensions.append(OperationGuard)
    built = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=NODE_TYPES,  # every Node implementation, so `node(id)` can return any of them
        extensions=extensions,
        execution_context_class=PlannedExecutor if planned else None,
    )
    if planned:
        lean_resolvers(built)
    return built
