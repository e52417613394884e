"""The outbox: mail is queued in the transaction that causes it and sent afterwards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, UTCDateTime, utcnow


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Not tried before this instant: a deliverer's claim while it sends, or the back-off after
    # a failed try (gateway.integrations.mail). None: due now.
    next_try_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class NumberSequence(Base):
    """Gap-free numbers per kind (quote, order, invoice, SEN): incremented inside the
    transaction that uses the number, so a rolled-back transaction gives it back."""

    __tablename__ = "number_sequences"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(default=1)
