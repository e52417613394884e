"""Column helpers shared by the models."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey
from sqlalchemy.orm import mapped_column


def enum_type(enum: type[StrEnum], name: str) -> Enum:
    """A VARCHAR with a CHECK constraint listing the values (portable, named for migrations)."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def fk(
    target: str, *, nullable: bool = False, ondelete: str = "RESTRICT", index: bool = True
) -> Any:
    return mapped_column(ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def non_negative(column: str) -> CheckConstraint:
    # CAST keeps the comparison numeric on SQLite, where money is stored as text.
    return CheckConstraint(f"CAST({column} AS NUMERIC) >= 0", name=f"{column}_non_negative")
