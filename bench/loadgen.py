"""A closed-loop HTTP/1.1 load generator: processes × asyncio keep-alive connections.

The fallback when ``wrk`` is not installed. Each process runs its share of the connections
on its own event loop (uvloop when available); each connection sends one request, reads the
whole response (``Content-Length`` bodies, as Uvicorn sends them) and sends the next. Only
the standard library is needed, and only raw sockets are used, so one process answers many
thousand requests a second: more than one gateway worker serves.

A ``Source`` makes each connection's requests and reads the answers:

- ``static``: the same bytes every time (queries);
- ``set-po``: SetQuotePoNumber over the quotes this connection owns, each request with the
  version the previous answer returned (no two connections share a quote: no stale versions,
  but a STALE_VERSION answer is counted, not failed);
- ``log-in``: LogIn rotating over emails (one password), so no email is throttled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import re
import time
from array import array
from dataclasses import dataclass, field
from typing import Any

VERSION = re.compile(rb'"version":(\d+)')


@dataclass
class Target:
    host: str
    port: int
    path: str
    headers: dict[str, str]


@dataclass
class Job:
    """One measured run: what to send and for how long (``duration``) or how many times."""

    target: Target
    kind: str  # static | set-po | log-in
    body: dict[str, Any] | None = None  # static; None with method GET
    method: str = "POST"
    quotes: list[tuple[str, int]] = field(default_factory=list)  # set-po: (global id, version)
    set_po_query: str = ""
    emails: list[str] = field(default_factory=list)  # log-in
    log_in_query: str = ""
    password: str = ""
    connections: int = 10
    duration: float | None = 10.0
    requests: int | None = None  # instead of duration: stop after this many in all


@dataclass
class Outcome:
    """What one run measured (merged over processes)."""

    latencies: array[float] = field(default_factory=lambda: array("d"))
    elapsed: float = 0.0
    ok: int = 0
    http_errors: int = 0
    graphql_errors: int = 0
    stale: int = 0
    not_implemented: int = 0
    rate_limited: int = 0
    sample: bytes = b""  # one answer, for the report when something fails
    connections: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile_ms(self, p: float) -> float | None:
        """Given by the generator itself (wrk); None: compute it from ``latencies``."""
        return None

    def merge(self, other: Outcome) -> None:
        self.latencies.extend(other.latencies)
        self.elapsed = max(self.elapsed, other.elapsed)
        for name in ("ok", "http_errors", "graphql_errors", "stale", "not_implemented"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rate_limited += other.rate_limited
        self.sample = self.sample or other.sample

    def count(self, status: int, body: bytes) -> None:
        if status != 200:
            self.http_errors += 1
            if status == 429 or b"RATE_LIMITED" in body:
                self.rate_limited += 1
        elif b'"errors"' in body:
            self.graphql_errors += 1
            if b"NOT_IMPLEMENTED" in body:
                self.not_implemented += 1
        elif b"STALE_VERSION" in body:
            self.stale += 1
        elif b"RATE_LIMITED" in body:
            self.rate_limited += 1
        else:
            self.ok += 1
            return
        if not self.sample:
            self.sample = body[:600]


def http_request(target: Target, method: str, body: bytes | None) -> bytes:
    lines = [f"{method} {target.path} HTTP/1.1", f"Host: {target.host}:{target.port}"]
    lines += [f"{name}: {value}" for name, value in target.headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (body or b"")


class Source:
    """The requests of one connection."""

    def __init__(self, job: Job, connection: int, connections: int) -> None:
        self.job = job
        self.kind = job.kind
        if self.kind == "static":
            body = json.dumps(job.body).encode() if job.body is not None else None
            self.fixed = http_request(job.target, job.method, body)
        elif self.kind == "set-po":
            # Every connection owns the quotes i ≡ connection (mod connections).
            self.quotes = [list(q) for q in job.quotes[connection::connections]]
            if not self.quotes:
                raise ValueError("set-po: fewer quotes than connections")
        elif self.kind == "log-in":
            self.emails = job.emails[connection::connections] or job.emails
        else:
            raise ValueError(f"unknown job kind {self.kind!r}")
        self.n = 0
        self.current: list[Any] | None = None

    def next(self) -> bytes:
        self.n += 1
        if self.kind == "static":
            return self.fixed
        if self.kind == "set-po":
            self.current = self.quotes[self.n % len(self.quotes)]
            gid, version = self.current
            body = {
                "query": self.job.set_po_query,
                "operationName": "SetQuotePoNumber",
                "variables": {"id": gid, "poNumber": f"PO-{self.n}", "expectedVersion": version},
            }
        else:
            email = self.emails[self.n % len(self.emails)]
            body = {
                "query": self.job.log_in_query,
                "operationName": "LogIn",
                "variables": {"email": email, "password": self.job.password},
            }
        return http_request(self.job.target, "POST", json.dumps(body).encode())

    def answered(self, body: bytes) -> None:
        if self.kind == "set-po" and self.current is not None:
            found = VERSION.search(body)
            if found:  # the new version; on STALE_VERSION the message names it too
                self.current[1] = int(found.group(1))
            else:
                now = re.search(rb"it is now at (\d+)", body)
                if now:
                    self.current[1] = int(now.group(1))


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length is None:
        raise RuntimeError("the server answered without Content-Length")
    return status, await reader.readexactly(length)


async def _connection(
    job: Job, source: Source, deadline: float, quota: int | None, outcome: Outcome
) -> None:
    reader, writer = await asyncio.open_connection(job.target.host, job.target.port)
    latencies = outcome.latencies
    clock = time.perf_counter
    sent = 0
    try:
        while (quota is None or sent < quota) and clock() < deadline:
            request = source.next()
            started = clock()
            writer.write(request)
            status, body = await _read_response(reader)
            latencies.append(clock() - started)
            sent += 1
            outcome.count(status, body)
            source.answered(body)
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _run_process(job: Job, first: int, count: int, start_at: float) -> Outcome:
    outcome = Outcome()
    sources = [Source(job, first + i, job.connections) for i in range(count)]
    quotas: list[int | None] = [None] * count
    if job.requests is not None:  # share the total out: the first connections take one more
        base, extra = divmod(job.requests, job.connections)
        quotas = [base + (1 if first + i < extra else 0) for i in range(count)]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    started = time.perf_counter()
    deadline = started + (job.duration if job.duration is not None else 3600.0)
    await asyncio.gather(
        *(_connection(job, s, deadline, q, outcome) for s, q in zip(sources, quotas, strict=True))
    )
    outcome.elapsed = time.perf_counter() - started
    return outcome


def _process_main(args: tuple[Job, int, int, float]) -> Outcome:
    job, first, count, start_at = args
    try:
        import uvloop

        return uvloop.run(_run_process(job, first, count, start_at))
    except ImportError:
        return asyncio.run(_run_process(job, first, count, start_at))


class LoadGenerator:
    """A pool of load processes, started once and reused for every run."""

    def __init__(self, processes: int = 2) -> None:
        self.processes = max(1, processes)
        methods = multiprocessing.get_all_start_methods()
        # fork: the workers start at once, without importing the caller's modules again.
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = context.Pool(self.processes)
        self._pool.map(_ready, range(self.processes))

    def __enter__(self) -> LoadGenerator:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        # Pool.terminate() could hang for ever on a worker stuck on a lock it inherited at
        # fork (seen once at the end of a run): let idle workers leave, kill the rest.
        workers = list(self._pool._pool)  # type: ignore[attr-defined]
        self._pool.close()
        deadline = time.monotonic() + 5.0
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join(1.0)
        self._pool.join()

    def run(self, job: Job) -> Outcome:
        """Run ``job`` on the processes (never more than connections); merge the results."""
        processes = min(self.processes, job.connections)
        shares = [
            job.connections // processes + (1 if i < job.connections % processes else 0)
            for i in range(processes)
        ]
        firsts = [sum(shares[:i]) for i in range(processes)]
        start_at = time.time() + 0.1  # every process starts on the same tick
        results = self._pool.map(
            _process_main,
            [(job, f, n, start_at) for f, n in zip(firsts, shares, strict=True)],
            chunksize=1,
        )
        merged = Outcome(connections=job.connections)
        for result in results:
            merged.merge(result)
        return merged


def _ready(_: int) -> bool:
    return True
