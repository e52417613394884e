"""The shape every mutation resolver shares: run the action in one unit of work, turn a
refusal into ``userErrors`` (with nothing written), or build the payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from gateway.actions.unit import UnitOfWork, unit_of_work
from gateway.auth.principal import Principal
from gateway.domain.errors import DomainError, DomainErrors, not_found
from gateway.schema.common import UserError
from gateway.schema.info import Info
from gateway.schema.relay import decode_id_of

P = TypeVar("P")

__all__ = ["DomainErrors", "mutate", "mutate_in_steps", "not_found", "require_id", "user_error"]

Units = Callable[[], AbstractAsyncContextManager[UnitOfWork]]


async def mutate(
    info: Info,
    payload: Callable[..., P],
    work: Callable[[UnitOfWork], Awaitable[dict[str, Any]]],
    *,
    field_prefix: tuple[str, ...] = (),
    principal: Principal | None = None,
) -> P:
    """Run ``work`` in a transaction; ``work`` returns the payload's fields. On success the
    request's loaders are renewed so the payload reads what was just written."""
    context = info.context
    try:
        async with unit_of_work(
            session_factory=context.session_factory,
            principal=principal or context.principal,
            now=context.now,
            web_url=context.settings.web_base_url,
        ) as unit:
            fields = await work(unit)
    except DomainError as error:
        return payload(user_errors=[user_error(error, field_prefix)])
    except DomainErrors as errors:
        return payload(user_errors=[user_error(e, field_prefix) for e in errors.errors])
    context.renew_loaders()
    return payload(**fields)


async def mutate_in_steps(
    info: Info,
    payload: Callable[..., P],
    work: Callable[[Units], Awaitable[dict[str, Any]]],
    *,
    field_prefix: tuple[str, ...] = (),
) -> P:
    """``mutate`` for an action that commits more than once (a payment records its attempt
    before it calls the processor): ``work`` opens each unit of work with ``units()``; a
    refusal rolls back the unit it was raised in, not the ones committed before."""
    context = info.context

    def units() -> AbstractAsyncContextManager[UnitOfWork]:
        return unit_of_work(
            session_factory=context.session_factory,
            principal=context.principal,
            now=context.now,
            web_url=context.settings.web_base_url,
        )

    try:
        fields = await work(units)
    except DomainError as error:
        return payload(user_errors=[user_error(error, field_prefix)])
    except DomainErrors as errors:
        return payload(user_errors=[user_error(e, field_prefix) for e in errors.errors])
    finally:
        context.renew_loaders()
    return payload(**fields)


def user_error(error: DomainError, prefix: tuple[str, ...]) -> UserError:
    field = [*prefix, *error.field] if error.field else None
    return UserError(field=field, code=error.code, message=error.message)


def require_id(global_id: str, type_name: str, field: str) -> int:
    pk = decode_id_of(global_id, type_name)
    if pk is None:
        raise not_found(field, type_name.lower())
    return pk
