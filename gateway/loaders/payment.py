"""Payments by id (policy-filtered, typed ``PaymentRow``s); a payment's quote and order come
through the quote and order loaders (one statement per level, not per payment)."""

from __future__ import annotations

import functools
from typing import Any

from db.queries import payment as queries
from db.rows import PaymentRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


@functools.lru_cache(maxsize=64)
def _by_id_statement(shape: PolicyShape) -> Any:
    visible = policy.payment_visible(template_principal(shape))
    return queries.payment_by_id_statement(visible=visible)


class PaymentLoaders(LoaderBase):
    @functools.cached_property
    def payment(self) -> SqlLoader[int, PaymentRow | None]:
        return self._rows(_by_id_statement(self._shape), PaymentRow._make)
