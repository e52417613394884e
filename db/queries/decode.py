"""Decoding result rows into the typed rows of ``db.rows``, once, where a statement runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias, TypeVar

R = TypeVar("R")
# A row class's constructor from a result row's values (``LicenseRow._make``): a tuple copy
# with a length check, so a select whose columns outgrew its row class fails at once.
Decode: TypeAlias = Callable[[Sequence[Any]], R]


def maybe(decode: Decode[R], row: Sequence[Any] | None) -> R | None:
    """``decode(row)``, or None for no row (``result.first()``)."""
    return None if row is None else decode(row)
