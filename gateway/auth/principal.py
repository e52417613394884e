"""Principals: who is calling. Built once per request from the bearer token."""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.domain.enums import PartnerScope, PrincipalKind


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    account_id: int | None = None
    partner_id: int | None = None
    token_id: int | None = None
    scopes: frozenset[PartnerScope] = field(default_factory=frozenset)
    name: str | None = None
    # A customer's session (refresh-token family, the access token's ``sid``): what logOut ends.
    session_family: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind is PrincipalKind.STAFF

    @property
    def is_customer(self) -> bool:
        return self.kind is PrincipalKind.CUSTOMER

    @property
    def is_partner(self) -> bool:
        return self.kind is PrincipalKind.PARTNER

    @property
    def is_anonymous(self) -> bool:
        return self.kind is PrincipalKind.ANONYMOUS

    def has_scope(self, scope: PartnerScope) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS)


def customer(
    account_id: int, name: str | None = None, *, session_family: str | None = None
) -> Principal:
    return Principal(
        PrincipalKind.CUSTOMER, account_id=account_id, name=name, session_family=session_family
    )


def staff(token_id: int, name: str) -> Principal:
    return Principal(PrincipalKind.STAFF, token_id=token_id, name=name)


def partner(
    partner_id: int, token_id: int, scopes: frozenset[PartnerScope], name: str
) -> Principal:
    return Principal(
        PrincipalKind.PARTNER, partner_id=partner_id, token_id=token_id, scopes=scopes, name=name
    )
