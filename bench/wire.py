"""Round trips to PostgreSQL, counted on the wire by a small TCP proxy (diagnostics only).

SQL statement counts (cursor events) miss what a driver and a pool send around them:
asyncpg's BEGIN and ROLLBACK, SQLAlchemy's pre-ping. A client waits for the server after
each simple ``Query`` ('Q') and after each ``Sync`` ('S') of the extended protocol, so those
two messages count the round trips; ``Parse`` ('P') counts statements prepared anew.
Only used while counting (never under load: the proxy adds latency).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass

SSL_REQUEST = 80877103


@dataclass
class WireCount:
    round_trips: int = 0
    simple_queries: int = 0
    prepares: int = 0
    connections: int = 0

    def reset(self) -> None:
        self.round_trips = self.simple_queries = self.prepares = 0


class _FrontendParser:
    """Reads the client's side of one connection: startup first, then typed messages."""

    def __init__(self, count: WireCount) -> None:
        self.count = count
        self.buffer = bytearray()
        self.started = False

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                (length,) = struct.unpack("!I", self.buffer[:4])
                if len(self.buffer) < length:
                    return
                (code,) = struct.unpack("!I", self.buffer[4:8])
                del self.buffer[:length]
                if code != SSL_REQUEST:  # the startup message itself
                    self.started = True
                continue
            if len(self.buffer) < 5:
                return
            kind = self.buffer[0:1]
            (length,) = struct.unpack("!I", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            del self.buffer[: 1 + length]
            if kind == b"Q":
                self.count.round_trips += 1
                self.count.simple_queries += 1
            elif kind == b"S":
                self.count.round_trips += 1
            elif kind == b"P":
                self.count.prepares += 1


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: _FrontendParser | None
) -> None:
    try:
        while data := await reader.read(65536):
            if parser is not None:
                parser.feed(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@contextlib.asynccontextmanager
async def counting_proxy(host: str, port: int) -> AsyncIterator[tuple[int, WireCount]]:
    """A proxy to ``host:port`` on a free local port: ``(port, counts)``."""
    count = WireCount()
    tasks: set[asyncio.Task[None]] = set()

    async def handle(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        count.connections += 1
        server_reader, server_writer = await asyncio.open_connection(host, port)
        parser = _FrontendParser(count)
        for coro in (
            _pipe(client_reader, server_writer, parser),
            _pipe(server_reader, client_writer, None),
        ):
            task = asyncio.ensure_future(coro)
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    listening = server.sockets[0].getsockname()[1]
    try:
        yield listening, count
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
