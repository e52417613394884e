"""``make bench-live``: N concurrent ``QuoteChanges`` subscribers on one gateway worker (issue #15).

1. A database: a temporary SQLite file, or ``--database-url`` (PostgreSQL; its name must
   contain ``bench``), migrated with ``python -m gateway migrate``; one customer, one quote of
   theirs, and one access token per subscriber (``tests/factories.py``).
2. One Uvicorn worker serving ``gateway.app:create_app`` in ``prod`` (``bench/servers.py``),
   in-process live updates or, with ``--redis-url``, through Redis pub/sub (a fresh channel
   prefix per run).
3. ``--subscribers`` graphql-transport-ws connections (``websockets``), one subscription each,
   opened in batches; the worker's RSS (VmRSS) before the first and after the last gives the
   memory per connection (one warm-up subscriber and event come first, so that the first
   subscription's one-off imports and caches are not counted).
4. ``--events`` mutations (``SetQuotePoNumber`` over HTTP, one at a time): each must reach
   every subscriber before the next is sent. Delivery latency is measured from the moment the
   mutation is sent: it includes the mutation's own handling up to its commit, so it is an
   upper bound of commit → client (the mutation's round trip is printed beside it).

Every subscriber re-reads the quote under its own principal at each event (R-LIVE-1), so an
event costs the worker N reads: the figure is the fan-out's, not a broadcast's. The clients
run in this one process and event loop, on the same machine as the worker: on a small or
loaded machine they share its CPUs (the load average is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `python bench/subscriptions.py`
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.typing import Subprotocol  # noqa: E402

from bench.fixtures import SECRET_KEY  # noqa: E402
from bench.servers import Server, gateway_env, python_env, serving  # noqa: E402

PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIPTION = """subscription QuoteChanges {
  quoteChanged {
    kind
    quote { id number status version poNumber total { amount currency } }
  }
}"""
MUTATION = """mutation SetQuotePoNumber($id: ID!, $poNumber: String, $expectedVersion: Int!) {
  quoteSetPoNumber(id: $id, poNumber: $poNumber, expectedVersion: $expectedVersion) {
    quote { id poNumber version }
    userErrors { field code message }
  }
}"""
EVENT_TIMEOUT = 120.0  # seconds for one event to reach every subscriber


@dataclass
class Subscriber:
    ws: ClientConnection
    received: list[float] = field(default_factory=list)  # perf_counter of each "next"


class Run:
    def __init__(self, count: int) -> None:
        self.count = count
        self.subscribers: list[Subscriber] = []
        self.expected = 0  # events every subscriber should have by now
        self.reached = 0  # subscribers that have them
        self.all_reached = asyncio.Event()
        self.errors: list[str] = []

    def heard(self, sub: Subscriber) -> None:
        sub.received.append(time.perf_counter())
        if len(sub.received) == self.expected:
            self.reached += 1
            if self.reached == len(self.subscribers):
                self.all_reached.set()

    def expect_one_more(self) -> None:
        self.expected += 1
        self.reached = 0
        self.all_reached.clear()


async def read(run: Run, sub: Subscriber) -> None:
    async for raw in sub.ws:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "next":
            if message["payload"].get("errors"):
                run.errors.append(json.dumps(message["payload"]["errors"])[:300])
            run.heard(sub)
        elif kind == "ping":
            await sub.ws.send(json.dumps({"type": "pong"}))
        elif kind in ("error", "complete"):
            run.errors.append(json.dumps(message)[:300])


async def subscribe(url: str, token: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[PROTOCOL], open_timeout=60, max_queue=None)
    init = {"Authorization": f"Bearer {token}"}
    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if ack.get("type") != "connection_ack":
        raise SystemExit(f"bench-live: connection refused: {ack}")
    payload = {"query": SUBSCRIPTION, "operationName": "QuoteChanges"}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def prepare(database_url: str, subscribers: int) -> tuple[str, list[str]]:
    """The quote's global id and one access token per subscriber (one customer's sessions)."""
    from db.engine import create_engine
    from gateway.domain.enums import Deployment
    from gateway.schema.relay import encode_id
    from tests import factories as f

    engine = create_engine(database_url)
    try:
        products = await f.catalog(engine)
        organization = await f.organization(engine)
        customer = await f.account(engine, email=f"bench.live.{uuid.uuid4().hex[:8]}@example.com")
        quote = await f.quote(
            engine,
            organization_id=organization,
            billing=customer,
            lines=[{"product_id": products[Deployment.SERVER]}],
        )
        tokens = [
            await f.customer_token(engine, customer, SECRET_KEY, minutes=60)
            for _ in range(subscribers + 1)
        ]
    finally:
        await engine.dispose()
    return encode_id("Quote", quote), tokens


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


async def measure(server: Server, quote_gid: str, tokens: list[str], args: Any) -> dict[str, Any]:
    ws_url = f"ws://127.0.0.1:{server.port}/graphql"
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=60)
    run = Run(args.subscribers)
    version = 1
    round_trips: list[float] = []
    starts: list[float] = []
    readers: list[asyncio.Task[None]] = []

    async def mutate() -> None:
        nonlocal version
        run.expect_one_more()
        variables = {"id": quote_gid, "poNumber": f"PO-{version}", "expectedVersion": version}
        started = time.perf_counter()
        answer = await http.post(
            "/graphql",
            json={"query": MUTATION, "variables": variables},
            headers={"Authorization": f"Bearer {tokens[0]}"},
        )
        round_trips.append(time.perf_counter() - started)
        body = answer.json()
        if body.get("errors") or body["data"]["quoteSetPoNumber"]["userErrors"]:
            raise SystemExit(f"bench-live: the mutation failed: {body}")
        version += 1
        starts.append(started)
        await asyncio.wait_for(run.all_reached.wait(), EVENT_TIMEOUT)

    async def add(token: str) -> None:
        sub = Subscriber(await subscribe(ws_url, token))
        run.subscribers.append(sub)
        readers.append(asyncio.create_task(read(run, sub)))

    # Warm-up: one subscriber, one event (imports, the schema's first subscription, caches).
    await add(tokens[-1])
    await asyncio.sleep(0.5)
    await mutate()
    rss_before = server.rss() or 0
    load_before = loadavg()
    opening = time.perf_counter()
    for first in range(0, args.subscribers, args.batch):
        batch = tokens[1 + first : 1 + min(args.subscribers, first + args.batch)]
        await asyncio.gather(*(add(t) for t in batch))
    opened = time.perf_counter() - opening
    await asyncio.sleep(2.0)  # every subscription listening before the first event
    rss_after = server.rss() or 0
    for sub in run.subscribers:  # the warm-up event is not measured
        sub.received.clear()
    run.expected = 0
    cpu_before = server.cpu_seconds() or 0.0
    measuring = time.perf_counter()
    for _ in range(args.events):
        await mutate()
        await asyncio.sleep(args.interval)
    elapsed = time.perf_counter() - measuring
    cpu = (server.cpu_seconds() or 0.0) - cpu_before
    load_during = loadavg()
    latencies = [
        (sub.received[i] - starts[i + 1]) * 1000
        for sub in run.subscribers
        for i in range(args.events)
    ]
    last = [
        max(sub.received[i] for sub in run.subscribers) - starts[i + 1] for i in range(args.events)
    ]
    for sub in run.subscribers:
        await sub.ws.close()
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await http.aclose()
    return {
        "subscribers": len(run.subscribers),
        "events": args.events,
        "deliveries": len(latencies),
        "errors": run.errors[:5],
        "open_seconds": round(opened, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p90": round(percentile(latencies, 90), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies), 1),
        },
        "last_subscriber_ms_p50": round(statistics.median(last) * 1000, 1),
        "mutation_round_trip_ms_p50": round(statistics.median(round_trips[1:]) * 1000, 1),
        "worker_cpu_ms_per_delivery": round(cpu * 1000 / max(1, len(latencies)), 3),
        "worker_cpu_share": round(cpu / elapsed, 2),
        "rss_before_mib": round(rss_before / 2**20, 1),
        "rss_after_mib": round(rss_after / 2**20, 1),
        "rss_per_connection_kib": round((rss_after - rss_before) / 1024 / args.subscribers, 1),
        "load_average_before": load_before,
        "load_average_after": load_during,
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between events")
    parser.add_argument("--batch", type=int, default=50, help="connections opened at once")
    parser.add_argument("--database-url", help="PostgreSQL (name containing 'bench')")
    parser.add_argument("--redis-url", help="live updates through Redis pub/sub")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="conex-bench-live-") as work:
        url = args.database_url or f"sqlite+aiosqlite:///{work}/bench.sqlite3"
        if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
            raise SystemExit("bench-live: --database-url must name a database containing 'bench'")
        subprocess.run(
            [sys.executable, "-m", "gateway", "migrate"],
            cwd=work,
            env=python_env(url),
            check=True,
            capture_output=True,
        )
        quote_gid, tokens = asyncio.run(prepare(url, args.subscribers))
        env = {
            **gateway_env(),
            "CONEX_WS_MAX_SUBSCRIPTIONS_PER_PRINCIPAL": str(args.subscribers + 1),
            "CONEX_DB_POOL_SIZE": "20",
        }
        if args.redis_url:
            env["CONEX_REDIS_URL"] = args.redis_url
            env["CONEX_REDIS_CHANNEL_PREFIX"] = f"bench-{uuid.uuid4().hex}"
        with serving("gateway.app:create_app", url, 1, "/healthz", **env) as server:
            figures = asyncio.run(measure(server, quote_gid, tokens, args))
    figures["database"] = "postgresql" if args.database_url else "sqlite"
    figures["fan_out"] = "redis" if args.redis_url else "in-process"
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
