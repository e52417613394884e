"""Accounts (customers), their tax ids, sessions and password-reset tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import enum_type, fk
from gateway.domain.enums import AccountStatus, TaxIdKind


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        # Emails are stored lower-cased; one live account per email (R-ACC-1); a closed
        # account frees its email for a new sign-up (R-ACC-4).
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        Index(
            "uq_accounts_email_live",
            "email",
            unique=True,
            sqlite_where=text("status != 'CLOSED'"),
            postgresql_where=text("status != 'CLOSED'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    publicity_opt_out: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[AccountStatus] = mapped_column(
        enum_type(AccountStatus, "account_status"), default=AccountStatus.ACTIVE
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class TaxId(Base):
    __tablename__ = "tax_ids"
    __table_args__ = (UniqueConstraint("account_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = fk("accounts.id", ondelete="CASCADE")
    kind: Mapped[TaxIdKind] = mapped_column(enum_type(TaxIdKind, "tax_id_kind"))
    value: Mapped[str] = mapped_column(String(40))


class RefreshToken(Base):
    """One refresh token of a session family; rotated on use, re-use revokes the family."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = fk("accounts.id", ondelete="CASCADE")
    family: Mapped[str] = mapped_column(String(36), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = fk("accounts.id", ondelete="CASCADE")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
