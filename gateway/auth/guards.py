"""Which kinds of principal may call an operation at all (the data itself is the policy's).

Anonymous callers asking for a signed-in operation get UNAUTHENTICATED (HTTP 401 with
``WWW-Authenticate``); a signed-in principal of the wrong kind gets FORBIDDEN.
"""

from __future__ import annotations

from graphql import GraphQLError

from gateway.auth.principal import Principal
from gateway.domain.enums import PrincipalKind
from gateway.schema.info import Info


def require(info: Info, *kinds: PrincipalKind) -> Principal:
    principal = info.context.principal
    if principal.kind in kinds:
        return principal
    if principal.is_anonymous:
        response = info.context.response
        if response is not None:
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="conex"'
        raise GraphQLError("Sign in to use this.", extensions={"code": "UNAUTHENTICATED"})
    raise GraphQLError(
        "This operation is not available to this kind of caller.",
        extensions={"code": "FORBIDDEN"},
    )


def require_customer(info: Info) -> Principal:
    return require(info, PrincipalKind.CUSTOMER)


def require_staff(info: Info) -> Principal:
    return require(info, PrincipalKind.STAFF)
