"""``make bench``: the gateway under load, beside a hand-written baseline, on a demo dataset.

1. Build the database (unless ``--skip-build``): PostgreSQL ``CONEX_BENCH_DATABASE_URL``
   (created if missing, emptied if it exists), or ``--sqlite`` a temporary file; then
   ``python -m gateway migrate`` and ``python -m gateway demo-data --accounts N`` (timed).
2. Add the benchmark's own accounts and tokens (``bench/fixtures.py``).
3. Count the SQL statements (and, on PostgreSQL, the wire round trips) of one request of each
   operation in-process; check that the baseline answers AccountHome as the gateway does.
4. Serve the gateway with Uvicorn (``--workers``) on a free port; warm every operation up,
   then load each one for ``--duration`` seconds over ``--concurrency`` keep-alive
   connections, reading the workers' RSS before and after. The memory check compares the
   RSS after the warm-up with the RSS once ``--requests`` requests were served (AccountHome
   tops the measured rows up, for at most ``--memory-seconds``). wrk drives the load when
   installed, else the processes of ``bench/loadgen.py``.
5. The same for the baseline (``bench/baseline.py``) under the same server and load:
   ``/hello``, and AccountHome over raw asyncpg and over SQLAlchemy's engine.
6. Print the table, the AccountHome gateway/baseline throughput ratio and the targets.

``--profile FILE`` adds a py-spy profile of the gateway worker under AccountHome load
(py-spy must be installed; it is not a dependency of the project). ``--gateway-app`` serves
another factory, e.g. ``bench.experiments:create_app`` to measure a candidate change.
Results and their reading: bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `python bench/run.py`
    sys.path.insert(0, str(ROOT))

from bench import fixtures, report  # noqa: E402
from bench.drive import Driver  # noqa: E402
from bench.loadgen import Job, Target  # noqa: E402
from bench.operations import (  # noqa: E402
    Counts,
    Jobs,
    Operation,
    contract_queries,
    count_operations,
    operations,
)
from bench.report import Measurement, MemoryCheck  # noqa: E402
from bench.servers import Server, gateway_env, python_env, serving  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/conex_bench"
GATEWAY_APP = "gateway.app:create_app"
BASELINE_APP = "bench.baseline:create_app"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- options ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description=(
            "Benchmark the gateway: build a demo database, serve the gateway with Uvicorn, "
            "load the contract's operations and a hand-written baseline, and print a table "
            "(requests/s, p50, p99, SQL statements per request, worker RSS before/after)."
        ),
        epilog=(
            "Environment: CONEX_BENCH_DATABASE_URL, the PostgreSQL database (default "
            f"{DEFAULT_DATABASE_URL}); it is emptied and rebuilt unless --skip-build, so its "
            "name must contain 'bench'. Results of a run: bench/RESULTS.md."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    add(
        "--database-url",
        default=os.environ.get("CONEX_BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the PostgreSQL database (CONEX_BENCH_DATABASE_URL)",
    )
    add("--skip-build", action="store_true", help="reuse the database as it is (demo data in)")
    add("--accounts", type=int, default=10_000, help="demo-data --accounts")
    add("--seed", type=int, default=1, help="demo-data --seed")
    add("--workers", type=int, default=1, help="Uvicorn worker processes (gateway, baseline)")
    add("--duration", type=float, default=8.0, help="measured seconds per operation")
    add("--warmup", type=float, default=2.0, help="seconds of warm-up load per operation")
    add("--concurrency", type=int, default=8, help="keep-alive connections, each kept busy")
    add(
        "--requests",
        type=int,
        default=10_000,
        help="requests served between the two RSS readings of the memory check (0: no top-up)",
    )
    add(
        "--memory-seconds",
        type=float,
        default=60.0,
        help="at most this long topping the memory check up with AccountHome",
    )
    add("--loadgen", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    add(
        "--loadgen-processes",
        type=int,
        default=2,
        help="processes of the Python load generator, or wrk threads",
    )
    add("--only", action="append", metavar="OPERATION", help="measure only these (repeatable)")
    add("--no-baseline", action="store_true", help="do not measure the baseline")
    add(
        "--profile",
        metavar="FILE",
        help="profile the gateway worker under AccountHome load with py-spy; write the top "
        "functions to FILE and the collapsed stacks to FILE.raw",
    )
    add("--json", metavar="FILE", help="also write the results as JSON")
    add(
        "--gateway-app",
        default=GATEWAY_APP,
        help="the app factory Uvicorn serves (to measure a candidate change)",
    )
    args = parser.parse_args(argv)
    for name in ("workers", "concurrency", "loadgen_processes", "accounts"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.duration <= 0 or args.warmup < 0 or args.requests < 0 or args.memory_seconds < 0:
        parser.error("--duration must be positive; --warmup, --requests, --memory-seconds >= 0")
    if args.sqlite and args.skip_build:
        parser.error("--sqlite builds a fresh temporary database: no --skip-build")
    return args


# --- the database -------------------------------------------------------------------------------


async def recreate_postgres(url: str) -> None:
    """Drop and create the bench database (so demo-data loads into an empty one)."""
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:
        raise SystemExit(
            f"bench: refusing to rebuild database {name!r}: its name must contain 'bench' "
            "(or pass --skip-build to use it as it is)"
        )
    admin = parsed.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _gateway(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        env=python_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def build_database(url: str, args: argparse.Namespace) -> float:
    """Migrate, then load the demo data: the seconds ``demo-data`` took."""
    if _gateway(url, "demo-data", "--help").returncode != 0:
        raise SystemExit("bench: `python -m gateway demo-data` is not available yet")
    migrated = _gateway(url, "migrate")
    if migrated.returncode != 0:
        raise SystemExit(f"bench: migrate failed:\n{migrated.stderr}")
    log(f"demo-data --accounts {args.accounts} --seed {args.seed} ...")
    started = time.perf_counter()
    loaded = _gateway(url, "demo-data", "--accounts", str(args.accounts), "--seed", str(args.seed))
    seconds = time.perf_counter() - started
    if loaded.returncode != 0:
        raise SystemExit(f"bench: demo-data failed:\n{loaded.stdout}{loaded.stderr}")
    log(f"demo-data took {seconds:.1f} s")
    return seconds


async def _prepare(url: str) -> fixtures.BenchRows:
    from db.engine import create_engine

    engine = create_engine(url)
    try:
        rows = await fixtures.ensure_rows(engine, today=dt.date.today())
        await fixtures.issue_tokens(engine, rows, key=fixtures.SECRET_KEY)
        return rows
    finally:
        await engine.dispose()


# --- measuring -----------------------------------------------------------------------------------


def measure(
    driver: Driver, server: Server, job: Job, *, name: str, server_name: str
) -> Measurement:
    rss_before = server.rss()
    cpu_before = server.cpu_seconds()
    outcome = driver.run(job)
    cpu_after = server.cpu_seconds()
    m = Measurement.of(name, server_name, outcome, rss_before, server.rss())
    if cpu_before is not None and cpu_after is not None and outcome.requests:
        m.cpu_ms = 1000 * (cpu_after - cpu_before) / outcome.requests
    if m.errors and outcome.sample:
        log(f"{name} on {server_name}: first failed answer: {outcome.sample[:300]!r}")
    log(m.line())
    return m


# --- the gateway ---------------------------------------------------------------------------------


def measure_gateway(
    driver: Driver,
    url: str,
    rows: fixtures.BenchRows,
    ops: list[Operation],
    queries: dict[str, str],
    counts: Counts,
    args: argparse.Namespace,
) -> tuple[list[Measurement], MemoryCheck | None]:
    results: list[Measurement] = []
    memory = None
    # Log-in's argon2 holds 64 MiB per hash in flight: it runs after the memory check.
    reads = [op for op in ops if op.kind != "log-in" and op.name in counts.statements]
    later = [op for op in ops if op.kind == "log-in" and op.name in counts.statements]
    missing = [op for op in ops if op.name not in counts.statements]  # NOT_IMPLEMENTED
    with serving(args.gateway_app, url, args.workers, "/healthz", **gateway_env()) as server:
        jobs = Jobs(server.port, url, rows, queries, args)
        for op in reads:
            if op.kind == "apq":
                jobs.register_persisted(op, args.workers)
        log(f"warm-up: {args.warmup:g} s of each operation ...")
        for op in reads:
            if args.warmup > 0:
                driver.run(jobs.job(op, duration=args.warmup))
        rss_start = server.rss()
        served = 0
        for op in reads:
            m = gateway_row(driver, server, jobs, op, counts, args)
            served += m.requests
            results.append(m)
        home = next((op for op in reads if op.name == "AccountHome"), None)
        if home is not None and served < args.requests and args.memory_seconds > 0:
            served += top_up(driver, server, jobs, home, args.requests - served, results, args)
        memory = MemoryCheck(served, rss_start, server.rss())
        for op in later:
            if args.warmup > 0:
                driver.run(jobs.job(op, duration=args.warmup))
            results.append(gateway_row(driver, server, jobs, op, counts, args))
        for op in missing:
            results.append(Measurement(op.name, "gateway", note="n/a: NOT_IMPLEMENTED"))
        if home is not None and args.profile:
            profile(server, driver, jobs.job(home, duration=None), Path(args.profile), args)
    order = {op.name: i for i, op in enumerate(ops)}
    results.sort(key=lambda m: order[m.operation])
    return results, memory


def gateway_row(
    driver: Driver,
    server: Server,
    jobs: Jobs,
    op: Operation,
    counts: Counts,
    args: argparse.Namespace,
) -> Measurement:
    job = jobs.job(op, duration=args.duration)
    m = measure(driver, server, job, name=op.name, server_name="gateway")
    m.statements = counts.statements.get(op.name)
    m.round_trips = counts.round_trips.get(op.name)
    if op.kind == "log-in" and counts.argon2_ms is not None:
        m.add_note(f"argon2 {counts.argon2_ms:.0f} ms/verify; {m.connections} connections")
    return m


def top_up(
    driver: Driver,
    server: Server,
    jobs: Jobs,
    home: Operation,
    missing: int,
    results: list[Measurement],
    args: argparse.Namespace,
) -> int:
    """AccountHome until ``missing`` more requests were served, or the time budget ran out."""
    rate = (
        next((m.requests_per_second for m in results if m.operation == "AccountHome"), None) or 50.0
    )
    seconds = min(args.memory_seconds, 1.1 * missing / rate)
    if driver.wrk is None and 1.1 * missing / rate <= args.memory_seconds:
        job = jobs.job(home, duration=args.memory_seconds, requests=missing)
    else:
        job = jobs.job(home, duration=max(1.0, seconds))
    log(f"memory check: {missing} more requests wanted, AccountHome for up to {seconds:.0f} s")
    outcome = driver.run(job)
    return outcome.requests


def profile(server: Server, driver: Driver, job: Job, out: Path, args: argparse.Namespace) -> None:
    """py-spy samples the worker while AccountHome runs; the summary goes to ``out``."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        log("--profile: py-spy is not installed (pip install py-spy): no profile")
        return
    seconds = max(10.0, args.duration)
    raw = out.with_name(out.name + ".raw")
    pid = server.worker_pids()[0]
    command = [py_spy, "record", "-p", str(pid), "-d", str(round(seconds) + 1), "-r", "250"]
    spy = subprocess.Popen(
        [*command, "-f", "raw", "-o", str(raw)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.0)  # py-spy attaches
    log(f"profiling the gateway worker (pid {pid}) under AccountHome for {seconds:.0f} s ...")
    driver.run(replace(job, duration=seconds, requests=None))
    _, problem = spy.communicate(timeout=60)
    if not raw.exists():
        log(f"--profile: py-spy wrote nothing: {problem.decode(errors='replace')[-500:]}")
        return
    out.write_text(report.summarise_profile(raw.read_text()))
    log(f"profile: {out} (collapsed stacks: {raw})")


# --- the baseline ------------------------------------------------------------------------------


def measure_baseline(
    driver: Driver,
    url: str,
    rows: fixtures.BenchRows,
    queries: dict[str, str],
    counts: Counts,
    args: argparse.Namespace,
) -> list[Measurement]:
    results = []
    body = {"query": queries["AccountHome"], "operationName": "AccountHome", "variables": {}}
    headers = {"Authorization": f"Bearer {rows.home_token}"}
    with serving(BASELINE_APP, url, args.workers, "/hello") as server:
        for path, server_name in (
            ("/hello", "hello"),
            ("/account-home", "baseline"),
            ("/account-home-sqlalchemy", "baseline-sqlalchemy"),
        ):
            hello = server_name == "hello"
            job = Job(
                target=Target("127.0.0.1", server.port, path, {} if hello else headers),
                kind="static",
                body=None if hello else body,
                method="GET" if hello else "POST",
                connections=args.concurrency,
                duration=args.duration,
            )
            if args.warmup > 0:
                driver.run(replace(job, duration=args.warmup))
            name = "hello" if hello else "AccountHome"
            m = measure(driver, server, job, name=name, server_name=server_name)
            m.statements = 0 if hello else counts.statements.get("AccountHome")
            if server_name == "baseline":
                m.round_trips = counts.baseline_round_trips
            results.append(m)
    return results


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Ctrl-C and kill both unwind: the servers started here are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    temp_dir = tempfile.mkdtemp(prefix="conex-bench-") if args.sqlite else None
    if temp_dir is not None:
        url = f"sqlite+aiosqlite:///{temp_dir}/bench.sqlite3"
    else:
        from gateway.settings import normalise_database_url

        url = normalise_database_url(args.database_url)
    postgres = url.startswith("postgresql")
    demo_seconds = None
    try:
        if not args.skip_build:
            if postgres:
                asyncio.run(recreate_postgres(url))
            demo_seconds = build_database(url, args)
        rows = asyncio.run(_prepare(url))
        queries = contract_queries()
        ops = operations(rows)
        if args.only:
            unknown = set(args.only) - {op.name for op in ops}
            if unknown:
                raise SystemExit(f"bench: unknown operation(s): {', '.join(sorted(unknown))}")
            ops = [op for op in ops if op.name in args.only]
        log("counting SQL statements and round trips per operation (in-process) ...")
        counts = asyncio.run(count_operations(url, rows, ops, queries, log=log))
        if counts.baseline_matches is False:
            log("WARNING: the baseline's AccountHome differs from the gateway's:")
            log(counts.baseline_diff)
        driver = Driver(args.loadgen, args.loadgen_processes)
        log(f"load: {driver.name}, {args.concurrency} connections")
        try:
            results, memory = measure_gateway(driver, url, rows, ops, queries, counts, args)
            constant = None
            if "AccountHome" in counts.statements:
                home = [op for op in ops if op.name == "AccountHome"]
                again = asyncio.run(count_operations(url, rows, home, queries, baseline=False))
                constant = again.statements.get("AccountHome") == counts.statements["AccountHome"]
            if postgres and not args.no_baseline and "AccountHome" in counts.statements:
                results += measure_baseline(driver, url, rows, queries, counts, args)
        finally:
            driver.close()
    finally:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)

    run = report.Run(
        results=results,
        memory=memory,
        counts=counts,
        demo_seconds=demo_seconds,
        load=driver.name,
        statements_constant=constant,
        args=args,
        backend="postgresql" if postgres else "sqlite",
    )
    print(run.render())
    if args.json:
        Path(args.json).write_text(json.dumps(run.as_dict(), indent=2) + "\n")
    log(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
