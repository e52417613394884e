"""``serve --proxy-headers --forwarded-allow-ips``: behind a trusted proxy the client's address
is X-Forwarded-For's — in the access line, the log-in limiter's records and the cost throttle
of anonymous requests; without the options, or from a peer that is not a trusted proxy, the
header is ignored (unlike Uvicorn's default, which believes 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import served
from tests.served import Served

# Five aliased roots: requested cost 50, actual 20 (4 support plans each).
PLANS = "{ " + " ".join(f"p{i}: supportPlans {{ tier }}" for i in range(5)) + " }"
LOG_IN = (
    'mutation { logIn(input: {email: "nobody@example.com", password: "wrong-password-1"})'
    " { userErrors { code } } }"
)
# 50 points, 1 back per second: a second PLANS within 20 s of the first finds 30 (+ seconds).
THROTTLE = {"CONEX_RATE_LIMIT_CAPACITY": "50", "CONEX_RATE_LIMIT_RESTORE_RATE": "1"}

#: How serve is started → whether X-Forwarded-For from this test (127.0.0.1) is believed.
MODES = {
    "trusted proxy": (("--proxy-headers", "--forwarded-allow-ips", "127.0.0.1,10.0.0.0/8"), True),
    "no proxy options": ((), False),
    "peer not a trusted proxy": (("--proxy-headers", "--forwarded-allow-ips", "192.0.2.1"), False),
}


@pytest.fixture
def database(sqlite_template: Path) -> Path:
    """The worker's migrated SQLite template (tests/conftest.py): each server gets a copy."""
    return sqlite_template


def post(gateway: Served, query: str, forwarded_for: str) -> httpx.Response:
    return httpx.post(
        f"{gateway.url}/graphql",
        json={"query": query},
        headers={"X-Forwarded-For": forwarded_for},
        timeout=20,
    )


def access_line(gateway: Served, response: httpx.Response) -> dict[str, Any]:
    request_id = response.headers["x-request-id"]
    return gateway.wait_for_record(
        lambda r: r.get("logger") == "gateway.access" and r.get("request_id") == request_id
    )


@pytest.mark.parametrize("mode", list(MODES))
def test_the_client_address_is_forwarded_only_by_a_trusted_proxy(
    database: Path, tmp_path: Path, mode: str
) -> None:
    options, forwarded = MODES[mode]
    with served.serve(database, tmp_path, *options, settings=THROTTLE) as gateway:
        # The access line. A chain of proxies: the left-most entry is whatever the client
        # wrote; the gateway takes the nearest address no trusted proxy wrote (10.1.2.3 is one).
        hello = post(gateway, "{ __typename }", "198.51.100.66, 203.0.113.7, 10.1.2.3")
        assert hello.status_code == 200, hello.text
        expected = "203.0.113.7" if forwarded else "127.0.0.1"
        assert access_line(gateway, hello)["client"] == expected

        # The cost throttle of anonymous requests: one bucket per (forwarded) address.
        first = post(gateway, PLANS, "203.0.113.20")
        assert first.status_code == 200, first.text
        assert first.json()["extensions"]["cost"]["actualQueryCost"] == 20
        again = post(gateway, PLANS, "203.0.113.20")
        assert again.status_code == 429, again.text  # 30 points left of 50
        other = post(gateway, PLANS, "203.0.113.21")
        # Its own bucket behind a trusted proxy; the peer's (already spent) otherwise.
        assert other.status_code == (200 if forwarded else 429), other.text

        # The log-in limiter per address, and its record.
        log_in = post(gateway, LOG_IN, "203.0.113.30")
        assert log_in.json()["data"]["logIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
        expected = "203.0.113.30" if forwarded else "127.0.0.1"
        refused = gateway.wait_for_record(
            lambda r: str(r.get("message", "")).startswith("log-in refused for a client at")
        )
        assert refused["message"] == f"log-in refused for a client at {expected}"
        assert refused["request_id"] == log_in.headers["x-request-id"]
        assert access_line(gateway, log_in)["client"] == expected
