"""Which kinds of principal may call an operation at all (the data itself is the policy's).

A decision only: an anonymous caller asking for a signed-in operation is UNAUTHENTICATED, a
signed-in principal of the wrong kind FORBIDDEN. The schema side says it to the client
(``gateway.schema.info.require``: a request error, and HTTP 401 with ``WWW-Authenticate``
for UNAUTHENTICATED); this layer knows nothing of GraphQL.
"""

from __future__ import annotations

import enum

from gateway.auth.principal import Principal
from gateway.domain.enums import PrincipalKind


class Refusal(enum.Enum):
    """Why a principal may not call an operation; the value is what the client reads."""

    UNAUTHENTICATED = "Sign in to use this."
    FORBIDDEN = "This operation is not available to this kind of caller."


def refusal(principal: Principal, *kinds: PrincipalKind) -> Refusal | None:
    """None when ``principal`` is of one of ``kinds``, else why not."""
    if principal.kind in kinds:
        return None
    return Refusal.UNAUTHENTICATED if principal.is_anonymous else Refusal.FORBIDDEN
