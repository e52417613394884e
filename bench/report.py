"""The results: measurements, the table, the verdicts against the targets, a profile summary."""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.loadgen import Outcome
from bench.operations import Counts

MB = 1024 * 1024

# Targets of the issue (PostgreSQL, 1 worker, 2 cores).
TARGET_RATIO = 0.5
TARGET_P99_OVER_P50 = 3.0
TARGET_RSS_GROWTH = 0.05
TARGET_REQUESTS = 10_000
TARGET_DEMO_DATA_SECONDS = 60.0


def percentile_ms(outcome: Outcome, p: float) -> float | None:
    """The p-th percentile latency (nearest rank), in milliseconds."""
    given = outcome.percentile_ms(p)
    if given is not None:
        return given
    if not outcome.latencies:
        return None
    ordered = sorted(outcome.latencies)
    rank = min(len(ordered), max(1, -(-len(ordered) * p // 100)))
    return float(ordered[int(rank) - 1]) * 1000


@dataclass
class Measurement:
    """One row of the table: an operation on a server."""

    operation: str
    server: str
    outcome: Outcome | None = None
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    rss_before: int | None = None
    rss_after: int | None = None
    statements: int | None = None
    round_trips: int | None = None
    connections: int | None = None
    cpu_ms: float | None = None  # worker CPU time per request
    note: str = ""

    @classmethod
    def of(
        cls,
        operation: str,
        server: str,
        outcome: Outcome,
        rss_before: int | None,
        rss_after: int | None,
    ) -> Measurement:
        m = cls(operation, server, outcome, rss_before=rss_before, rss_after=rss_after)
        m.connections = outcome.connections
        if outcome.requests and outcome.elapsed > 0:
            m.requests_per_second = outcome.requests / outcome.elapsed
            m.p50_ms = percentile_ms(outcome, 50)
            m.p99_ms = percentile_ms(outcome, 99)
        if outcome.not_implemented and outcome.not_implemented * 2 >= outcome.requests:
            m.note = "n/a: NOT_IMPLEMENTED"
            m.requests_per_second = m.p50_ms = m.p99_ms = None
            return m
        if m.errors:
            m.add_note(f"{m.errors} errors")
        if outcome.stale:
            m.add_note(f"{outcome.stale} STALE_VERSION (counted as answers)")
        if outcome.rate_limited:
            m.add_note(f"{outcome.rate_limited} rate-limited")
        return m

    @property
    def requests(self) -> int:
        return self.outcome.requests if self.outcome else 0

    @property
    def errors(self) -> int:
        o = self.outcome
        return 0 if o is None else o.http_errors + o.graphql_errors

    @property
    def p99_over_p50(self) -> float | None:
        return self.p99_ms / self.p50_ms if self.p99_ms and self.p50_ms else None

    def add_note(self, note: str) -> None:
        self.note = f"{self.note}; {note}" if self.note else note

    def line(self) -> str:
        return (
            f"{self.operation:<20} {self.server:<19} {_fmt(self.requests_per_second, 1):>8} req/s"
            f"  p50 {_fmt(self.p50_ms, 2)} ms  p99 {_fmt(self.p99_ms, 2)} ms"
            f"  worker CPU {_fmt(self.cpu_ms, 1)} ms/req"
            f"  ({self.requests} requests) {self.note}"
        )

    def as_dict(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "operation": self.operation,
            "server": self.server,
            "requests": o.requests if o else None,
            "seconds": round(o.elapsed, 3) if o else None,
            "connections": self.connections,
            "requests_per_second": self.requests_per_second,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "worker_cpu_ms_per_request": self.cpu_ms,
            "statements": self.statements,
            "round_trips": self.round_trips,
            "rss_before": self.rss_before,
            "rss_after": self.rss_after,
            "errors": self.errors,
            "stale": o.stale if o else None,
            "note": self.note,
        }


@dataclass
class MemoryCheck:
    """The workers' RSS after the warm-up and after ``requests`` more requests."""

    requests: int
    rss_start: int | None
    rss_end: int | None

    @property
    def growth(self) -> float | None:
        if not self.rss_start or not self.rss_end:
            return None
        return self.rss_end / self.rss_start - 1


# --- profile ---------------------------------------------------------------------------------


PACKAGES = {
    "graphql": "graphql-core",
    "gateway": "gateway (ours)",
    "db": "db (ours)",
}
MAIN_THREAD = "_run_module_as_main"  # Uvicorn's event loop; other threads (argon2's) aside
OURS = re.compile(r"\((gateway|db)/")


def _package(frame: str) -> str:
    """The top package of a py-spy frame ``function (path/to/file.py)``."""
    found = re.search(r"\(([^()]*)\)$", frame)
    path = found.group(1) if found else ""
    if "/" not in path:
        return "other (native, <string>)"
    top = path.split("/")[0]
    return PACKAGES.get(top, top)


def summarise_profile(collapsed: str, top: int = 30) -> str:
    """Self and inclusive sample shares of py-spy's collapsed stacks (``record -f raw``),
    main thread only: by package, by function, and for our own code."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = others = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        if not any(f.startswith(MAIN_THREAD) for f in frames):
            others += count
            continue
        total += count
        own[frames[-1]] += count
        packages[_package(frames[-1])] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not total:
        return "no samples\n"

    def table(counter: collections.Counter[str], title: str, n: int, keep: Any = None) -> list[str]:
        lines = [title, ""]
        rows = [(f, c) for f, c in counter.most_common() if keep is None or keep(f)][:n]
        lines += [f"{100 * count / total:6.1f}%  {frame}" for frame, count in rows]
        return [*lines, ""]

    lines = [
        f"{total} samples of the worker's event-loop thread while busy (py-spy; idle time and "
        f"{others} samples of other threads left out)",
        "",
        *table(packages, "Self time by package:", len(packages)),
        *table(own, f"Top {top} functions by self time:", top),
        *table(
            inclusive,
            f"Top {top} functions by inclusive time (leaving out those in every sample):",
            top,
            lambda frame: inclusive[frame] < total,
        ),
        *table(inclusive, "Our code (gateway/, db/) by inclusive time:", top, OURS.search),
    ]
    return "\n".join(lines)


# --- report --------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:.1f}"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def render_table(results: list[Measurement]) -> str:
    lines = [
        "| operation | server | req/s | p50 ms | p99 ms | p99/p50 | worker CPU ms/req "
        "| SQL stmts/req | PG round trips/req | RSS before MB | RSS after MB | notes |",
        "|" + "---|" * 12,
    ]
    for m in results:
        lines.append(
            f"| {m.operation} | {m.server} | {_fmt(m.requests_per_second, 0)} "
            f"| {_fmt(m.p50_ms, 1)} | {_fmt(m.p99_ms, 1)} | {_fmt(m.p99_over_p50, 2)} "
            f"| {_fmt(m.cpu_ms, 1)} "
            f"| {m.statements if m.statements is not None else 'n/a'} "
            f"| {m.round_trips if m.round_trips is not None else 'n/a'} "
            f"| {_mb(m.rss_before)} | {_mb(m.rss_after)} | {m.note} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = found.group(1) if found else ""
    load = None
    with contextlib.suppress(OSError):
        load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in load] if load else None,
    }


@dataclass
class Run:
    """Everything one benchmark run found."""

    results: list[Measurement]
    memory: MemoryCheck | None
    counts: Counts
    demo_seconds: float | None
    load: str
    statements_constant: bool | None
    args: argparse.Namespace
    backend: str
    machine: dict[str, Any] = field(default_factory=machine)

    def find(self, operation: str, server: str) -> Measurement | None:
        return next(
            (m for m in self.results if (m.operation, m.server) == (operation, server)), None
        )

    def ratio(self, server: str = "baseline") -> float | None:
        gateway = self.find("AccountHome", "gateway")
        other = self.find("AccountHome", server)
        if gateway and other and gateway.requests_per_second and other.requests_per_second:
            return gateway.requests_per_second / other.requests_per_second
        return None

    def verdicts(self) -> list[str]:
        out = []
        ratio = self.ratio()
        if ratio is not None:
            out.append(
                f"AccountHome throughput, gateway/baseline: {ratio:.2f} "
                f"(target >= {TARGET_RATIO}) {_verdict(ratio >= TARGET_RATIO)}"
            )
        engine_ratio = self.ratio("baseline-sqlalchemy")
        if engine_ratio is not None:
            out.append(
                f"AccountHome throughput, gateway/baseline-sqlalchemy: {engine_ratio:.2f} "
                "(for information: the same SQL through the gateway's engine and pool)"
            )
        spread = [
            (m.p99_over_p50, m.operation)
            for m in self.results
            if m.server == "gateway" and m.p99_over_p50 is not None
        ]
        if spread:
            worst, operation = max(spread)
            out.append(
                f"Worst gateway p99/p50: {worst:.2f} ({operation}; target <= "
                f"{TARGET_P99_OVER_P50:g}) {_verdict(worst <= TARGET_P99_OVER_P50)}"
            )
        memory = self.memory
        if memory is not None and memory.growth is not None:
            short = memory.requests < TARGET_REQUESTS
            out.append(
                f"Worker RSS over {memory.requests} requests after warm-up: "
                f"{_mb(memory.rss_start)} -> {_mb(memory.rss_end)} MB, "
                f"{100 * memory.growth:+.1f}% (target < {100 * TARGET_RSS_GROWTH:.0f}% over "
                f"{TARGET_REQUESTS}) "
                + (
                    "NOT CONCLUSIVE: fewer requests than the target in the time budget"
                    if short
                    else _verdict(memory.growth < TARGET_RSS_GROWTH)
                )
            )
        if self.statements_constant is not None:
            out.append(
                "AccountHome SQL statements per request, before and after the load: "
                f"{'the same' if self.statements_constant else 'DIFFERENT'} "
                f"{_verdict(self.statements_constant)} (tests/benchmark pins every operation)"
            )
        if self.demo_seconds is not None:
            out.append(
                f"demo-data --accounts {self.args.accounts}: {self.demo_seconds:.1f} s "
                f"(target < {TARGET_DEMO_DATA_SECONDS:g} s) "
                f"{_verdict(self.demo_seconds < TARGET_DEMO_DATA_SECONDS)}"
            )
        if self.counts.argon2_ms is not None:
            out.append(
                f"argon2 (LogIn's password check): {self.counts.argon2_ms:.1f} ms per verify, "
                "one core"
            )
        if self.counts.baseline_matches is not None:
            out.append(
                "Baseline AccountHome answer identical to the gateway's: "
                + ("yes" if self.counts.baseline_matches else "NO (see the log above)")
            )
        return out

    def render(self) -> str:
        m = self.machine
        a = self.args
        shown = [
            f"Conex gateway benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
            f"machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, {m['platform']}, "
            f"load average {m['load_average']}",
            f"database: {self.backend}, demo-data --accounts {a.accounts} --seed {a.seed}; "
            f"Uvicorn --workers {a.workers}; load: {self.load}, {a.concurrency} connections, "
            f"{a.warmup:g} s warm-up and {a.duration:g} s per row",
            "",
            render_table(self.results),
            "",
            *self.verdicts(),
        ]
        return "\n".join(shown) + "\n"

    def as_dict(self) -> dict[str, Any]:
        memory = self.memory
        return {
            "machine": self.machine,
            "options": {k: v for k, v in vars(self.args).items() if k != "database_url"},
            "backend": self.backend,
            "load": self.load,
            "demo_data_seconds": self.demo_seconds,
            "results": [m.as_dict() for m in self.results],
            "ratio": self.ratio(),
            "memory": None
            if memory is None
            else {
                "requests": memory.requests,
                "rss_start": memory.rss_start,
                "rss_end": memory.rss_end,
                "growth": memory.growth,
            },
            "statements_constant": self.statements_constant,
            "argon2_ms": self.counts.argon2_ms,
            "baseline_matches": self.counts.baseline_matches,
        }
