"""R-REQ-1: where the gateway refuses a self-service change with CONTACT_SALES (or another
"please contact sales"), the error names the sales request to open, and opening it works."""

from __future__ import annotations

import re
from typing import Any

from gateway.domain.enums import Deployment, Tier
from tests.api.client import payload, send
from tests.api.sales_request.support import opened, quote_id
from tests.api.world import World, gid

HINT = re.compile(r"open a sales request of kind ([A-Z_]+)(?: about [^(]+)? \(salesRequestCreate\)")


async def test_r_req_1_contact_sales_names_the_request_to_open(client: Any, world: World) -> None:
    """R-QUOTE-3's CONTACT_SALES says: a QUOTE_CHANGE request about this quote."""
    quote = await world.quote(lines=[world.line(Deployment.CLOUD, tier=Tier.STARTER)])
    variables = {"id": gid("Quote", quote), "expectedVersion": 1, "input": {"currency": "USD"}}
    body = await send(client, "EditQuote", variables, world.alice_token)
    (error,) = payload(body, "quoteUpdate")["userErrors"]
    assert error["code"] == "CONTACT_SALES"
    found = HINT.search(error["message"])
    assert found is not None, error["message"]
    assert found.group(1) == "QUOTE_CHANGE" and "about this quote" in error["message"]
    request = await opened(client, world, found.group(1), **quote_id(quote))
    assert request["quote"]["id"] == gid("Quote", quote)


async def test_r_req_1_evaluating_data_center_names_the_request_to_open(
    client: Any, world: World
) -> None:
    variables = {
        "input": {
            "product": gid("Product", world.products[Deployment.DATA_CENTER]),
            "organization": {"name": "Bibliothèque de Lyon", "country": "FR"},
            "deploymentEntity": "Main Campus",
        }
    }
    body = await send(client, "StartEvaluation", variables, world.alice_token)
    (error,) = payload(body, "evaluationStart")["userErrors"]
    found = HINT.search(error["message"])
    assert found is not None and found.group(1) == "OTHER", error["message"]
    assert (await opened(client, world, found.group(1)))["kind"] == "OTHER"
