"""Which pages may open the subscriptions WebSocket (issue #15): the origins of
``CONEX_PUBLIC_URL``, ``CONEX_WEB_URL`` and ``CONEX_CORS_ORIGINS``, even when those URLs
carry a path (the web UI under ``/app``); a handshake from any other origin is refused."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from gateway.settings import Settings
from tests.api.live.served import PROTOCOL, Subscriber, served
from tests.api.world import World


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://my.conex.example", True),  # CONEX_WEB_URL https://my.conex.example/app
        ("https://partners.conex.example", True),  # a CORS origin
        ("https://evil.example", False),
    ],
)
async def test_web_urls_with_a_path_still_let_their_origin_subscribe(
    world: World, settings: Settings, origin: str, allowed: bool
) -> None:
    async with served(
        settings,
        world.engine,
        web_url="https://my.conex.example/app",
        cors_origins=["https://partners.conex.example"],
    ) as live:
        try:
            async with connect(
                live.ws_url,
                subprotocols=[PROTOCOL],  # type: ignore[list-item]
                additional_headers={"Origin": origin},
            ) as ws:
                sub = Subscriber(ws)
                ack = await sub.init({"Authorization": f"Bearer {world.alice_token}"})
                refused = None
        except InvalidStatus as error:
            ack, refused = {}, error.response.status_code
    if allowed:
        assert ack == {"type": "connection_ack"}, ack
    else:
        assert refused == 403
