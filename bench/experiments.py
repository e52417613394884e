"""Measure the gateway as it is, or a candidate change applied by monkeypatching, before
writing it (bench/RESULTS.md).

Serve a patched app under load:

    BENCH_EXPERIMENTS=gc-stats bench/run.py --skip-build --only AccountHome \\
        --gateway-app bench.experiments:create_app

or measure AccountHome's CPU time per request in-process (``python bench/experiments.py``;
the least noisy figure on a shared machine: run it from two checkouts, interleaved, for a
before/after).

Experiments (comma-separated in ``BENCH_EXPERIMENTS``):

- ``gc-stats``: count the time spent collecting; written as JSON to ``$BENCH_GC_STATS``
  when the worker exits.

The candidates measured here before (operation-limits rule built once, gc.freeze and
thresholds, no pre-ping, autocommit reads, the catalog cached) have landed; add the next
one here, measure it, and remove it once it lands or is refused.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parents[1]

KNOWN = ("gc-stats",)


def apply(names: set[str]) -> None:
    unknown = names - set(KNOWN)
    if unknown:
        raise SystemExit(f"BENCH_EXPERIMENTS: unknown {sorted(unknown)}; known: {KNOWN}")


def create_app() -> Starlette:
    names = {n.strip() for n in os.environ.get("BENCH_EXPERIMENTS", "").split(",") if n.strip()}
    apply(names)
    from gateway.app import create_app as create_gateway

    app = create_gateway()
    if "gc-stats" in names:
        _gc_stats(app, os.environ.get("BENCH_GC_STATS", "gc-stats.json"))
    return app


def _gc_stats(app: Starlette, path: str) -> None:
    import contextlib
    import json

    seconds = {"total": 0.0, "longest": 0.0}
    collections = [0, 0, 0]
    started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        spent = time.perf_counter() - started[0]
        seconds["total"] += spent
        seconds["longest"] = max(seconds["longest"], spent)
        collections[info["generation"]] += 1

    gc.callbacks.append(on_gc)
    lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def written_on_shutdown(app: Any) -> Any:
        try:
            async with lifespan(app) as state:
                yield state
        finally:  # Uvicorn ends on the signal it caught: atexit would not run
            write()

    def write() -> None:
        Path(path).write_text(json.dumps({**seconds, "collections": collections}))

    app.router.lifespan_context = written_on_shutdown


# --- in-process measurement: python bench/experiments.py -----------------------------------
#
# Under load on a small shared machine the throughput of one candidate is noisy; the CPU
# time of sequential requests, in-process, is not. Each set of experiments runs in its own
# process (the patches are global).

SETS = ("",)


async def _measure(names: set[str], url: str, requests: int) -> dict[str, float]:
    import datetime as dt

    import httpx
    from sqlalchemy.engine import make_url

    from bench import fixtures, wire
    from bench.operations import contract_queries
    from gateway.app import create_app as create_gateway
    from gateway.settings import Settings

    parsed = make_url(url)
    collected = {"gc_seconds": 0.0}
    started = [0.0]

    def on_gc(phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            collected["gc_seconds"] += time.perf_counter() - started[0]

    async with wire.counting_proxy(parsed.host or "127.0.0.1", parsed.port or 5432) as proxy:
        port, wire_count = proxy
        proxied = parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        settings = Settings(
            env="prod",
            database_url=proxied,
            secret_key=fixtures.SECRET_KEY,
            rate_limit_capacity=10**9,
            rate_limit_restore_rate=10**9,
        )
        app = create_gateway(settings)
        engine = app.state.engine
        rows = await fixtures.ensure_rows(engine, today=dt.date.today())
        await fixtures.issue_tokens(engine, rows, key=fixtures.SECRET_KEY)
        body = {"query": contract_queries()["AccountHome"], "operationName": "AccountHome"}
        headers = {"Authorization": f"Bearer {rows.home_token}"}
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),  # start-up as Uvicorn runs it (gc tuning)
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            for _ in range(30):  # warm every cache
                await client.post("/graphql", json=body, headers=headers)
            gc.callbacks.append(on_gc)
            best = None
            for _ in range(3):
                wire_count.reset()
                collected["gc_seconds"] = 0.0
                cpu = time.process_time()
                for _ in range(requests):
                    response = await client.post("/graphql", json=body, headers=headers)
                    assert response.status_code == 200 and "errors" not in response.json()
                spent = time.process_time() - cpu
                if best is None or spent < best[0]:
                    best = (spent, collected["gc_seconds"], wire_count.round_trips)
            gc.callbacks.remove(on_gc)
        await engine.dispose()
    assert best is not None
    return {
        "cpu_ms": 1000 * best[0] / requests,
        "gc_ms": 1000 * best[1] / requests,
        "round_trips": best[2] / requests,
    }


def main() -> None:
    import argparse
    import asyncio
    import json
    import subprocess
    import sys

    parser = argparse.ArgumentParser(
        prog="bench/experiments.py",
        description="AccountHome's CPU time per request in-process, for each set of "
        "experiments (each in its own process). Needs the bench database (bench/run.py).",
    )
    parser.add_argument("sets", nargs="*", help=f"comma-separated experiments (default: {SETS})")
    parser.add_argument("--requests", type=int, default=40, help="requests per repetition")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "CONEX_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/conex_bench"
        ),
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        names = {n for n in args.child.split(",") if n}
        apply(names)
        print(json.dumps(asyncio.run(_measure(names, args.database_url, args.requests))))
        return
    print("| experiments | worker CPU ms/req | of which GC ms/req | PG round trips/req |")
    print("|---|---|---|---|")
    for experiment in args.sets or SETS:
        done = subprocess.run(
            [
                *(sys.executable, __file__, "--child", experiment),
                *("--requests", str(args.requests), "--database-url", args.database_url),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if done.returncode != 0:
            raise SystemExit(f"{experiment or 'none'}: {done.stderr[-2000:]}")
        found = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {experiment or '(none: the gateway as it is)'} | {found['cpu_ms']:.1f} "
            f"| {found['gc_ms']:.1f} | {found['round_trips']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
