"""R-LIVE-2's address rule at delivery time, with resolution faked: the host is resolved when
sending, every address must be public in prod, and the post goes to the address checked."""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from gateway.integrations.webhook_http import (
    Address,
    AddressRefused,
    Resolver,
    checked_address,
    post_webhook,
)


def resolving_to(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[Address]:
        return [ipaddress.ip_address(a) for a in addresses]

    return resolve


@pytest.mark.parametrize(
    "addresses",
    [("10.0.0.5",), ("93.184.216.34", "127.0.0.1"), ("::ffff:192.168.0.1",), ("fe80::1",)],
)
async def test_r_live_2_prod_refuses_a_name_resolving_to_a_private_address(
    addresses: tuple[str, ...],
) -> None:
    with pytest.raises(AddressRefused):
        await checked_address(
            "https://hooks.example/x", prod=True, resolve=resolving_to(*addresses)
        )


async def test_r_live_2_prod_refuses_plain_http_and_names_that_do_not_resolve() -> None:
    with pytest.raises(AddressRefused, match="https only"):
        await checked_address("http://hooks.example/", prod=True, resolve=resolving_to("8.8.8.8"))
    with pytest.raises(AddressRefused, match="does not resolve"):
        await checked_address("https://hooks.example/", prod=True, resolve=resolving_to())


async def test_r_live_2_dev_allows_a_local_receiver() -> None:
    address = await checked_address(
        "http://localhost:9000/", prod=False, resolve=resolving_to("127.0.0.1")
    )
    assert str(address) == "127.0.0.1"


async def test_r_live_2_the_post_goes_to_the_checked_address_and_follows_no_redirect() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    result = await post_webhook(
        "https://hooks.example:8443/in?x=1",
        b"{}",
        {"webhook-id": "msg_1_1"},
        prod=True,
        resolve=resolving_to("93.184.216.34"),
        transport=httpx.MockTransport(answer),
    )
    (request,) = seen  # no second request: the redirect is not followed
    assert request.url.host == "93.184.216.34" and request.url.port == 8443
    assert request.url.path == "/in" and request.url.query == b"x=1"
    assert request.headers["host"] == "hooks.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.example"
    assert (result.status, result.error, result.ok) == (302, "HTTP 302", False)


async def test_r_live_2_a_refused_address_sends_nothing() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    result = await post_webhook(
        "https://hooks.example/",
        b"{}",
        {},
        prod=True,
        resolve=resolving_to("10.0.0.1"),
        transport=httpx.MockTransport(answer),
    )
    assert result.status is None and result.error is not None
    assert result.error.startswith("refused:")
