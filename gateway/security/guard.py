"""The schema extension that guards every operation before a resolver runs:

- operation limits (depth, aliases, root fields) and, in prod, introspection for staff only,
  added as validation rules for this request;
- the query cost, refused above the single-query maximum (QUERY_TOO_COMPLEX), then taken
  from the caller's leaky bucket (RATE_LIMITED, HTTP 429 with Retry-After); afterwards the
  difference between requested and actual cost is given back.

It hooks only the operation and execution steps, never ``resolve``, so fields run on
Strawberry's fast path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.security.cost import CostReport, actual_cost, requested_cost
from gateway.security.limits import operation_limits

if TYPE_CHECKING:
    from gateway.context import Context


class OperationGuard(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context: Context = self.execution_context.context
        settings = context.settings
        rules = [
            operation_limits(
                max_depth=settings.max_depth,
                max_aliases=settings.max_aliases,
                max_root_fields=settings.max_root_fields,
            )
        ]
        if settings.env == "prod" and not context.principal.is_staff:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            *rules,
        )
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: Context = execution.context
        settings = context.settings
        document = execution.graphql_document
        assert document is not None
        cost = requested_cost(
            self.execution_context.schema._schema,
            document,
            execution.operation_name,
            execution.variables or {},
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
        )
        if cost > settings.max_query_cost:
            raise GraphQLError(
                f"The query costs {cost} points; one query may cost at most "
                f"{settings.max_query_cost}. Ask for fewer rows.",
                extensions={
                    "code": "QUERY_TOO_COMPLEX",
                    "requestedQueryCost": cost,
                    "maximumCost": settings.max_query_cost,
                },
            )
        throttle = context.throttle
        key = context.throttle_key
        state = await throttle.take(key, cost)
        context.cost = CostReport(cost, None, state.capacity, state.available, state.restore_rate)
        if not state.allowed:
            context.response.status_code = 429
            context.response.headers["Retry-After"] = str(state.retry_after)
            raise GraphQLError(
                f"Too many requests: this query costs {cost} points and "
                f"{int(state.available)} are available; retry in {state.retry_after} s.",
                extensions={"code": "RATE_LIMITED", "retryAfter": state.retry_after},
            )
        yield
        result = execution.result
        operation = execution.operation_type
        mutations = 0
        if operation is OperationType.MUTATION and result is not None and result.data:
            mutations = len(result.data)
        actual = actual_cost(result.data if result is not None else None, mutation_fields=mutations)
        actual = min(actual, cost)
        await throttle.give_back(key, cost - actual)
        context.cost.actual = actual
        context.cost.currently_available = min(state.capacity, state.available + (cost - actual))
