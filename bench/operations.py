"""The contract operations the benchmark sends, and how many statements each one costs."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import statistics
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import fixtures
from bench.fixtures import DEMO_PASSWORD, SECRET_KEY
from bench.loadgen import Job, Target

# The repository's copy of the client contract (tests/test_contract_copy.py holds it equal to
# ../shared/contract), so that `make bench` runs on a clone without ../shared beside it.
CONTRACT = Path(__file__).resolve().parents[1] / "tests" / "contract"


def contract_queries() -> dict[str, str]:
    """Operation name → the operation with its fragments, as clients send (and hash) it."""
    from gateway.security.persisted import build_manifest

    manifest = build_manifest(CONTRACT)
    return {entry["name"]: entry["query"] for entry in manifest["operations"].values()}


@dataclass
class Operation:
    name: str
    token: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    kind: str = "static"  # static | apq | set-po | log-in
    mutation: bool = False


def operations(rows: fixtures.BenchRows) -> list[Operation]:
    from gateway.schema.relay import encode_id

    before = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    return [
        Operation("AccountHome", rows.home_token),
        Operation(
            "LicenseDetail", rows.home_token, {"id": encode_id("License", rows.detail_license)}
        ),
        Operation("QuoteDetail", rows.home_token, {"id": encode_id("Quote", rows.home_quotes[0])}),
        Operation("MobileLicenses", rows.fleet_token, kind="apq"),
        Operation("ExpiringMaintenance", rows.staff_token, {"before": before}),
        Operation("SetQuotePoNumber", rows.fleet_token, kind="set-po", mutation=True),
        Operation("LogIn", None, kind="log-in", mutation=True),
    ]


def request_body(op: Operation, query: str, rows: fixtures.BenchRows) -> dict[str, Any]:
    """One request of ``op`` (for counting; the load varies set-po and log-in per request)."""
    from gateway.security.persisted import sha256

    variables = dict(op.variables)
    if op.kind == "set-po":
        from gateway.schema.relay import encode_id

        variables = {"id": encode_id("Quote", rows.fleet_quotes[0]), "poNumber": "PO-count"}
    if op.kind == "log-in":
        variables = {"email": rows.login_emails[0], "password": DEMO_PASSWORD}
    body: dict[str, Any] = {"query": query, "operationName": op.name, "variables": variables}
    if op.kind == "apq":
        body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha256(query)}}
    return body


# --- in-process counts ----------------------------------------------------------------------


@dataclass
class Counts:
    statements: dict[str, int] = field(default_factory=dict)
    round_trips: dict[str, int] = field(default_factory=dict)
    baseline_round_trips: int | None = None
    baseline_matches: bool | None = None
    baseline_diff: str = ""
    argon2_ms: float | None = None


async def count_operations(
    url: str,
    rows: fixtures.BenchRows,
    ops: list[Operation],
    queries: dict[str, str],
    *,
    baseline: bool = True,
    log: Callable[[str], None] = print,
) -> Counts:
    """Statements (cursor events, as tests/helpers.py counts them) and, on PostgreSQL, wire
    round trips of one request of each operation, after two warm-up requests."""
    import httpx
    from sqlalchemy.engine import make_url

    from bench import wire
    from db.engine import create_engine
    from gateway.app import create_app
    from gateway.settings import Settings
    from tests.helpers import count_statements

    counts = Counts()
    parsed = make_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    async with contextlib.AsyncExitStack() as stack:
        wire_count = None
        engine_url = url
        if postgres:
            port, wire_count = await stack.enter_async_context(
                wire.counting_proxy(parsed.host or "127.0.0.1", parsed.port or 5432)
            )
            engine_url = parsed.set(host="127.0.0.1", port=port).render_as_string(
                hide_password=False
            )
        engine = create_engine(engine_url)
        stack.push_async_callback(engine.dispose)
        settings = Settings(
            env="prod",
            database_url=engine_url,
            secret_key=SECRET_KEY,
            rate_limit_capacity=10**9,
            rate_limit_restore_rate=10**9,
            safelist_path=Path(tempfile.gettempdir()) / "conex-bench-no-safelist.json",
        )
        app = create_app(settings, engine=engine)
        transport = httpx.ASGITransport(app=app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://bench")
        )
        versions = await fixtures.quote_versions(engine, rows.fleet_quotes[:1])
        for op in ops:
            query = queries[op.name]
            headers = {"Authorization": f"Bearer {op.token}"} if op.token else {}
            body = request_body(op, query, rows)
            if op.kind == "apq":  # register the text once, as the app does on a miss
                await client.post("/graphql", json={**body, "query": query}, headers=headers)
                body = {k: v for k, v in body.items() if k != "query"}
            for _ in range(3):  # warm caches (and an API token's once-a-minute last-use write)
                if op.kind == "set-po":
                    body["variables"]["expectedVersion"] = versions[rows.fleet_quotes[0]]
                if wire_count is not None:
                    wire_count.reset()
                with count_statements(engine) as counter:
                    response = await client.post("/graphql", json=body, headers=headers)
                answer = response.json()
                if op.kind == "set-po":
                    quote = ((answer.get("data") or {}).get("quoteSetPoNumber") or {}).get("quote")
                    if quote:
                        versions[rows.fleet_quotes[0]] = quote["version"]
            if response.status_code != 200 or "errors" in answer:
                log(f"{op.name}: {str(answer)[:300]}")
            if _not_implemented(answer):
                continue
            counts.statements[op.name] = counter.count
            if wire_count is not None:
                counts.round_trips[op.name] = wire_count.round_trips
        if postgres and baseline:
            await _compare_baseline(client, engine_url, rows, queries, counts, wire_count)
    if baseline:
        counts.argon2_ms = _argon2_ms()
    return counts


def _not_implemented(answer: dict[str, Any]) -> bool:
    return any(
        (e.get("extensions") or {}).get("code") == "NOT_IMPLEMENTED"
        for e in answer.get("errors") or []
    )


async def _compare_baseline(
    client: Any,
    url: str,
    rows: fixtures.BenchRows,
    queries: dict[str, str],
    counts: Counts,
    wire_count: Any,
) -> None:
    """The baseline must answer AccountHome with the gateway's very JSON."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    from bench import baseline

    response = await client.post(
        "/graphql",
        json={"query": queries["AccountHome"], "operationName": "AccountHome"},
        headers={"Authorization": f"Bearer {rows.home_token}"},
    )
    gateway_answer = response.json()
    gateway_answer.pop("extensions", None)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    async def no_reset(_: Any) -> None:
        return None

    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10, reset=no_reset)
    try:
        for _ in range(3):
            wire_count.reset()
            answer = await baseline.account_home(
                baseline.AsyncpgDriver(pool), f"Bearer {rows.home_token}", key=SECRET_KEY
            )
        counts.baseline_round_trips = wire_count.round_trips
    finally:
        await pool.close()
    import orjson

    ours = orjson.loads(orjson.dumps(answer))
    counts.baseline_matches = ours == gateway_answer
    if not counts.baseline_matches:
        import difflib

        a = json.dumps(gateway_answer, indent=1, sort_keys=True).splitlines()
        b = json.dumps(ours, indent=1, sort_keys=True).splitlines()
        counts.baseline_diff = "\n".join(list(difflib.unified_diff(a, b, lineterm=""))[:40])


def _argon2_ms() -> float:
    """Milliseconds of one argon2 verify of the demo password (the log-in's fixed cost)."""
    from gateway.auth.passwords import hash_password, verify_password

    stored = hash_password(DEMO_PASSWORD)
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        verify_password(stored, DEMO_PASSWORD)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


# --- load jobs ------------------------------------------------------------------------------


async def _versions(url: str, quote_ids: list[int]) -> dict[int, int]:
    from db.engine import create_engine

    engine = create_engine(url)
    try:
        return await fixtures.quote_versions(engine, quote_ids)
    finally:
        await engine.dispose()


class Jobs:
    """The load job of each operation against one server (fresh quote versions each time)."""

    def __init__(
        self,
        port: int,
        url: str,
        rows: fixtures.BenchRows,
        queries: dict[str, str],
        args: argparse.Namespace,
    ) -> None:
        self.port = port
        self.url = url
        self.rows = rows
        self.queries = queries
        self.args = args

    def job(self, op: Operation, *, duration: float | None, requests: int | None = None) -> Job:
        from gateway.schema.relay import encode_id

        headers = {"Authorization": f"Bearer {op.token}"} if op.token else {}
        body = request_body(op, self.queries[op.name], self.rows)
        job = Job(
            target=Target("127.0.0.1", self.port, "/graphql", headers),
            kind="static",
            body=body,
            connections=self.args.concurrency,
            duration=duration,
            requests=requests,
        )
        if op.kind == "apq":  # the hash alone (the text was registered once)
            job.body = {k: v for k, v in body.items() if k != "query"}
        elif op.kind == "set-po":
            # wrk stops with requests in flight; let the server finish them before reading.
            time.sleep(1.0)
            versions = asyncio.run(_versions(self.url, self.rows.fleet_quotes))
            job.kind = "set-po"
            job.set_po_query = self.queries[op.name]
            job.quotes = [(encode_id("Quote", pk), versions[pk]) for pk in self.rows.fleet_quotes]
        elif op.kind == "log-in":
            job.kind = "log-in"
            job.log_in_query = self.queries[op.name]
            job.emails = self.rows.login_emails
            job.password = fixtures.DEMO_PASSWORD
            # Each log-in holds one of the address's 20 attempt slots while argon2 runs.
            job.connections = min(self.args.concurrency, 16)
        return job

    def register_persisted(self, op: Operation, workers: int) -> None:
        """APQ: send the text with its hash (on fresh connections, so every worker sees it)."""
        body = request_body(op, self.queries[op.name], self.rows)
        headers = {"Authorization": f"Bearer {op.token}"} if op.token else {}
        for _ in range(1 if workers == 1 else 20 * workers):
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/graphql",
                data=json.dumps(body).encode(),
                headers={**headers, "Content-Type": "application/json", "Connection": "close"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
