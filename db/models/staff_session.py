"""Staff browser sessions: what a staff token is exchanged for at ``POST /staff/session``.

A session belongs to one staff API token and lives only as long as that token does: it is
looked up joined to its token, so revoking or expiring the token ends its sessions without
touching this table. Only the SHA-256 of the cookie's secret is stored (R-SEC-3).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow
from db.models._columns import fk


class StaffSession(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_token_id: Mapped[int] = fk("api_tokens.id", ondelete="CASCADE")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # signed out
