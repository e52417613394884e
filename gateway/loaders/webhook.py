"""Partner webhook endpoints (policy-filtered, per partner) and the paged delivery log of an
endpoint (R-LIVE-2)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select

from db.queries import webhook as queries
from db.queries.batch import Relation
from db.rows import WebhookEndpointRow
from gateway.auth import policy
from gateway.loaders.base import LoaderBase, PolicyShape, SqlLoader, template_principal


@functools.lru_cache(maxsize=64)
def _endpoints_statement(shape: PolicyShape) -> Select[Any]:
    visible = policy.webhook_endpoint_visible(template_principal(shape))
    return queries.endpoints_of_partners_statement(visible=visible)


def _deliveries_where(shape: Any, _: None) -> list[Any]:
    return [policy.webhook_delivery_visible(template_principal(shape))]


# The paged log (``Loaders.page``), newest first, policy included.
DELIVERIES_OF_ENDPOINT = Relation(queries.DELIVERIES_OF_ENDPOINTS, _deliveries_where)


class WebhookLoaders(LoaderBase):
    @functools.cached_property
    def webhook_endpoints(self) -> SqlLoader[int, list[WebhookEndpointRow]]:
        """By partner id."""
        return self._grouped(_endpoints_statement(self._shape), WebhookEndpointRow._make)
