"""The shape every mutation resolver shares: run the work in one unit of work, turn a
refusal into ``userErrors`` (with nothing written), or build the payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import GraphQLError

from gateway.auth.principal import Principal
from gateway.domain.errors import DomainError, ErrorCode
from gateway.resolvers.unit import Unit, unit_of_work
from gateway.schema.common import UserError
from gateway.schema.info import Info
from gateway.schema.relay import decode_id_of

P = TypeVar("P")
T = TypeVar("T")


class DomainErrors(Exception):
    """Several refusals at once (input validation reports every bad field)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


async def mutate(
    info: Info,
    payload: Callable[..., P],
    work: Callable[[Unit], Awaitable[dict[str, Any]]],
    *,
    field_prefix: tuple[str, ...] = (),
    principal: Principal | None = None,
) -> P:
    """Run ``work`` in a transaction; ``work`` returns the payload's fields."""
    try:
        async with unit_of_work(info, principal=principal) as unit:
            fields = await work(unit)
    except DomainError as error:
        return payload(user_errors=[_user_error(error, field_prefix)])
    except DomainErrors as errors:
        return payload(user_errors=[_user_error(e, field_prefix) for e in errors.errors])
    return payload(**fields)


def collect(errors: list[DomainError], check: Callable[[], T]) -> T | None:
    """Run one field's check; a refusal joins ``errors`` so that every bad field is
    reported at once (raise ``DomainErrors(errors)`` when any were collected)."""
    try:
        return check()
    except DomainError as error:
        errors.append(error)
        return None


def _user_error(error: DomainError, prefix: tuple[str, ...]) -> UserError:
    field = [*prefix, *error.field] if error.field else None
    return UserError(field=field, code=error.code, message=error.message)


def not_found(field: str, what: str = "object") -> DomainError:
    """What a caller gets for an id that does not exist *or* that it may not see (R-QUOTE-6)."""
    return DomainError(ErrorCode.NOT_FOUND, f"No such {what}.", field=(field,))


def require_id(global_id: str, type_name: str, field: str) -> int:
    pk = decode_id_of(global_id, type_name)
    if pk is None:
        raise not_found(field, type_name.lower())
    return pk


def pending(name: str) -> GraphQLError:
    """A mutation of the contract whose resolver has not landed yet: a typed request error."""
    return GraphQLError(f"`{name}` is not available yet.", extensions={"code": "NOT_IMPLEMENTED"})
