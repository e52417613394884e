"""Which kinds of principal may call an operation: a decision, without GraphQL."""

from __future__ import annotations

from gateway.auth.guards import Refusal, refusal
from gateway.auth.principal import Principal
from gateway.domain.enums import PrincipalKind

CUSTOMER = Principal(kind=PrincipalKind.CUSTOMER, account_id=1)
ANONYMOUS = Principal(kind=PrincipalKind.ANONYMOUS)


def test_a_principal_of_an_allowed_kind_passes() -> None:
    assert refusal(CUSTOMER, PrincipalKind.CUSTOMER, PrincipalKind.STAFF) is None


def test_anonymous_is_unauthenticated_and_a_wrong_kind_forbidden() -> None:
    assert refusal(ANONYMOUS, PrincipalKind.CUSTOMER) is Refusal.UNAUTHENTICATED
    assert refusal(CUSTOMER, PrincipalKind.STAFF) is Refusal.FORBIDDEN
    assert Refusal.UNAUTHENTICATED.value == "Sign in to use this."
