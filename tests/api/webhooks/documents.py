"""The partner portal's webhook operations, as ``../shared/contract/live/partner.graphql``
has them (the tests stand alone without ``../shared``), and the helpers the tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.client import ok, send

CREATE = """
mutation PartnerCreateWebhook($input: WebhookEndpointCreateInput!) {
  webhookEndpointCreate(input: $input) {
    endpoint { id url events createdAt }
    signingSecret
    userErrors { field code message }
  }
}
"""

LIST = """
query PartnerWebhooks {
  viewer {
    partner {
      webhookEndpoints {
        id
        url
        events
        disabledAt
        deliveries(first: 20) {
          edges { node { id eventId event status attempts lastAttemptAt responseStatus } }
        }
      }
    }
  }
}
"""

DELETE = """
mutation PartnerDeleteWebhook($id: ID!) {
  webhookEndpointDelete(id: $id) {
    deletedEndpointId
    userErrors { field code message }
  }
}
"""


async def create_endpoint(
    client: httpx.AsyncClient, token: str, url: str, events: list[str], **more: Any
) -> dict[str, Any]:
    """The create payload of an endpoint that must be accepted."""
    variables = {"input": {"url": url, "events": events, **more}}
    body = await send(client, "PartnerCreateWebhook", variables, token, query=CREATE)
    return ok(body, "webhookEndpointCreate")


async def endpoints(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    data = (await send(client, "PartnerWebhooks", token=token, query=LIST)).data
    found: list[dict[str, Any]] = data["viewer"]["partner"]["webhookEndpoints"]
    return found
