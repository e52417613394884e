"""A served app for the live-update tests: the test's app under a real Uvicorn, on a free
loopback port, in the test's own event loop (so it shares the test's engine and world), with
its lifespan (which feeds the change broker); and a graphql-transport-ws client on the
``websockets`` library."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.app import create_app
from gateway.settings import Settings
from tests.served import free_port

PROTOCOL = Subprotocol("graphql-transport-ws")
QUIET = 0.6  # seconds a subscriber waits to be sure nothing more comes


@dataclass
class Live:
    url: str
    settings: Settings
    http: httpx.AsyncClient
    app: Starlette

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"


@contextlib.asynccontextmanager
async def served(settings: Settings, engine: AsyncEngine, **overrides: Any) -> AsyncIterator[Live]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    values = {"public_url": url, "ws_ping_interval": 0, **overrides}
    settings = settings.model_copy(update=values)
    app = create_app(settings, engine=engine)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield Live(url, settings, http, app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: Mapping[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, wait: float = 10.0) -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), wait)
            message: dict[str, Any] = json.loads(raw)
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": dict(payload or {})})
        return await self.receive()

    async def subscribe(self, sid: str, query: str, **payload: Any) -> None:
        await self.send({"id": sid, "type": "subscribe", "payload": {"query": query, **payload}})

    async def nothing(self, seconds: float = QUIET) -> None:
        """Nothing arrives for ``seconds``."""
        try:
            message = await self.receive(wait=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")

    async def closed(self, wait: float = 10.0) -> int | None:
        """The close code the server sent (waiting for it)."""
        try:
            while True:
                await self.receive(wait=wait)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None


@contextlib.asynccontextmanager
async def subscriber(
    live: Live, token: str | None = None, *, init: bool = True, **connect_options: Any
) -> AsyncIterator[Subscriber]:
    async with connect(live.ws_url, subprotocols=[PROTOCOL], **connect_options) as ws:
        sub = Subscriber(ws)
        if init:
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            ack = await sub.init(payload)
            assert ack == {"type": "connection_ack"}, ack
        yield sub
