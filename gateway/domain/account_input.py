"""The input of accountUpdate and signUp, checked in one step: the parsed command, or every
bad field at once (``DomainErrors``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.domain import account as rules
from gateway.domain.enums import TaxIdKind
from gateway.domain.errors import Refusals


@dataclass(frozen=True, slots=True)
class AccountChange:
    """R-ACC-5: the columns given (checked) and, when given, the whole new tax-id list."""

    values: dict[str, Any]
    tax_ids: list[tuple[TaxIdKind, str]] | None


def parse_account_update(
    *,
    name: str | None,
    phone: str | None,
    country: str | None,
    publicity_opt_out: bool | None,
    tax_ids: Sequence[tuple[TaxIdKind, str]] | None,
) -> AccountChange:
    refusals = Refusals()
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = refusals.check(lambda: rules.check_account_name(name))
    if phone is not None:
        values["phone"] = refusals.check(lambda: rules.check_phone(phone))
    if country is not None:
        values["country"] = refusals.check(lambda: rules.check_country(country, ("country",)))
    if publicity_opt_out is not None:
        values["publicity_opt_out"] = publicity_opt_out
    checked = None
    if tax_ids is not None:
        given = list(tax_ids)
        checked = refusals.check(lambda: rules.check_tax_ids(given))
    refusals.raise_any()
    return AccountChange(values=values, tax_ids=checked)


@dataclass(frozen=True, slots=True)
class SignUp:
    email: str
    name: str
    country: str
    password: str


def parse_sign_up(*, email: str, name: str, country: str, password: str) -> SignUp:
    """R-ACC-1 input: every bad field at once (the password checked against the email)."""
    refusals = Refusals()
    normalised = refusals.check(lambda: rules.normalise_email(email))
    checked_name = refusals.check(lambda: rules.check_account_name(name))
    checked_country = refusals.check(lambda: rules.check_country(country, ("country",)))
    refusals.check(lambda: rules.check_password_strength(password, email=normalised))
    refusals.raise_any()
    assert normalised is not None and checked_name is not None and checked_country is not None
    return SignUp(email=normalised, name=checked_name, country=checked_country, password=password)
