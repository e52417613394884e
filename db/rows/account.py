"""Accounts, their tax ids, and the token look-ups of authentication, as ``db.queries`` reads
them."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from gateway.domain.enums import AccountStatus, TaxIdKind


class AccountRow(NamedTuple):
    """Every column of ``accounts`` (the hash too: the password checks read it; the schema
    never shows it)."""

    id: int
    email: str
    name: str
    phone: str | None
    country: str
    publicity_opt_out: bool
    password_hash: str | None
    status: AccountStatus
    created_at: dt.datetime
    closed_at: dt.datetime | None


class TaxIdRow(NamedTuple):
    """Every column of ``tax_ids``."""

    id: int
    account_id: int
    kind: TaxIdKind
    value: str


class PasswordResetTokenRow(NamedTuple):
    """A usable reset token with its account's email, name and status."""

    id: int
    account_id: int
    email: str
    name: str
    status: AccountStatus


class RefreshTokenRow(NamedTuple):
    """A refresh token, whatever its state, with its account's status and name."""

    id: int
    account_id: int
    family: str
    expires_at: dt.datetime
    rotated_at: dt.datetime | None
    revoked_at: dt.datetime | None
    account_status: AccountStatus
    account_name: str
