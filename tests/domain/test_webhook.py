"""R-LIVE-2's pure rules: the endpoint input, the prod address rule, the retry schedule and
the derived signing secret."""

from __future__ import annotations

import datetime as dt
import ipaddress
import random

import pytest

from gateway.domain.enums import PartnerScope, WebhookEvent
from gateway.domain.errors import DomainErrors, ErrorCode
from gateway.domain.webhook import (
    endpoint_fails_too_long,
    gives_up,
    is_public_address,
    parse_endpoint_create,
    retry_delay,
    signing_secret,
)

REFUSED = [
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "127.0.0.1",
    "0.0.0.0",
    "169.254.169.254",  # link-local: cloud metadata
    "100.64.0.1",  # shared address space
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fe80::1",  # link-local
    "fc00::1",  # unique local
    "ff02::1",  # multicast
    "::ffff:10.0.0.1",  # IPv4-mapped private
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:db8::1",  # documentation
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", REFUSED)
def test_r_live_2_private_loopback_link_local_and_reserved_addresses_are_refused(
    address: str,
) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_r_live_2_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_r_live_2_the_endpoint_input() -> None:
    every = frozenset(PartnerScope)
    command = parse_endpoint_create(
        url=" https://hooks.example/x ",
        events=[WebhookEvent.QUOTE_PAID, WebhookEvent.QUOTE_CREATED, WebhookEvent.QUOTE_PAID],
        alert_email="Ops@Example.com",
        scopes=every,
        prod=True,
    )
    assert command.url == "https://hooks.example/x"
    assert command.events == (WebhookEvent.QUOTE_CREATED, WebhookEvent.QUOTE_PAID)
    assert command.events_column == ",QUOTE_CREATED,QUOTE_PAID,"
    assert command.alert_email == "ops@example.com"
    # dev takes a local receiver over http
    local = parse_endpoint_create(
        url="http://127.0.0.1:9000/h",
        events=[WebhookEvent.LICENSE_ISSUED],
        alert_email=None,
        scopes=every,
        prod=False,
    )
    assert local.url == "http://127.0.0.1:9000/h"


def test_r_live_2_every_bad_field_at_once() -> None:
    with pytest.raises(DomainErrors) as raised:
        parse_endpoint_create(
            url="http://hooks.example/x",
            events=[WebhookEvent.ORDER_CREATED],
            alert_email="nope",
            scopes=frozenset({PartnerScope.WEBHOOKS_WRITE}),
            prod=True,
        )
    found = {(e.field, e.code) for e in raised.value.errors}
    assert found == {
        (("input", "url"), ErrorCode.HTTPS_REQUIRED),
        (("input", "events"), ErrorCode.SCOPE_REQUIRED),
        (("input", "alertEmail"), ErrorCode.INVALID),
    }


def test_r_live_2_backoff_doubles_with_jitter_up_to_two_hours() -> None:
    rand = random.Random(7)
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (10, 5120), (20, 7200)]:
        for _ in range(20):
            delay = retry_delay(attempts, rand=rand).total_seconds()
            assert ceiling / 2 <= delay <= ceiling
    # tries over 24 hours: about a dozen, not thousands
    total, attempts = dt.timedelta(), 0
    while total < dt.timedelta(hours=24):
        attempts += 1
        total += retry_delay(attempts, rand=rand)
    assert 12 <= attempts <= 30


def test_r_live_2_24_hours_of_failures() -> None:
    start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert not gives_up(start, start + dt.timedelta(hours=23, minutes=59))
    assert gives_up(start, start + dt.timedelta(hours=24))
    assert not endpoint_fails_too_long(None, start)
    assert endpoint_fails_too_long(start, start + dt.timedelta(hours=24))


def test_r_live_2_the_signing_secret_is_derived_from_the_key_and_the_salt() -> None:
    one = signing_secret("k" * 40, "salt-1")
    assert one.startswith("whsec_") and one == signing_secret("k" * 40, "salt-1")
    assert one != signing_secret("k" * 40, "salt-2")
    assert one != signing_secret("j" * 40, "salt-1")
