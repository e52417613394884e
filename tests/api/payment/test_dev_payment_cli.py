"""``conex-gateway dev-payment``: the development processor's signed webhook, posted to a
gateway served by Uvicorn on loopback (R-PAY-3: verified like Stripe's)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from db.models import Order
from gateway.app import create_app
from gateway.cli import main
from gateway.domain.enums import PaymentStatus
from gateway.settings import Settings
from tests.api.client import ok
from tests.api.payment.support import FIELD, pay, payments_of, quote_to_pay
from tests.api.world import World, rows


@pytest.fixture
def served(settings: Settings) -> Iterator[str]:
    """The gateway on the test database, served by Uvicorn on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = create_app(settings.model_copy(update={"public_url": url}))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield url
    server.should_exit = True
    thread.join(10)


def environment(monkeypatch: pytest.MonkeyPatch, settings: Settings, **extra: str) -> None:
    monkeypatch.setenv("CONEX_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONEX_SECRET_KEY", settings.secret_key or "")
    for name, value in extra.items():
        monkeypatch.setenv(f"CONEX_{name.upper()}", value)


async def test_r_pay_3_dev_payment_complete_posts_a_signed_webhook_that_pays_the_quote(
    client: Any,
    world: World,
    settings: Settings,
    served: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    quote = await quote_to_pay(world)
    result = ok(
        await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD
    )
    environment(monkeypatch, settings, public_url=served)
    status = await asyncio.to_thread(main, ["dev-payment", "complete", result["payment"]["id"]])
    assert status == 0, capsys.readouterr().err
    assert "webhook settled" in capsys.readouterr().out
    (payment,) = await payments_of(world, quote)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert len(await rows(world.engine, Order, Order.quote_id == quote)) == 1
    # Settled: nothing more to complete.
    again = await asyncio.to_thread(main, ["dev-payment", "complete", str(payment.id)])
    assert again == 1
    assert "SUCCEEDED: nothing to complete" in capsys.readouterr().err


async def test_r_pay_4_dev_payment_fail_opens_the_quote_again(
    client: Any,
    world: World,
    settings: Settings,
    served: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quote = await quote_to_pay(world)
    result = ok(
        await pay(client, world.alice_token, quote, "pm_card_authenticationRequired"), FIELD
    )
    environment(monkeypatch, settings, public_url=served)
    assert await asyncio.to_thread(main, ["dev-payment", "fail", result["payment"]["id"]]) == 0
    (payment,) = await payments_of(world, quote)
    assert payment.status == PaymentStatus.FAILED
    assert ok(await pay(client, world.alice_token, quote, "pm_card_visa"), FIELD)["order"]


def test_dev_payment_is_refused_in_prod(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    environment(
        monkeypatch,
        settings,
        env="prod",
        public_url="https://api.example",
        web_url="https://my.example",
    )
    assert main(["dev-payment", "complete", "1"]) == 2
    assert "only with CONEX_ENV=dev" in capsys.readouterr().err
