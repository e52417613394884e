"""R-LIVE-2: ``conex-gateway webhooks`` — once, and ``--watch`` as the webhook worker of
``CONEX_WEBHOOK_DELIVERY=worker`` until SIGTERM (exit status 0), against the test's database
and a real receiver on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import PIPE
from pathlib import Path
from typing import Any

from db.models import WebhookDelivery
from gateway.domain.enums import WebhookDeliveryStatus
from tests.api.client import ok, send
from tests.api.webhooks.documents import create_endpoint
from tests.api.webhooks.receiver import receiver
from tests.api.world import World, gid, rows
from tests.conftest import TEST_SECRET_KEY

EVENTS = ["QUOTE_UPDATED"]


def _environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    env.update(
        CONEX_ENV="dev",
        CONEX_DATABASE_URL=database_url,
        CONEX_SECRET_KEY=TEST_SECRET_KEY,
        CONEX_WEBHOOK_DELIVERY="worker",
    )
    return env


async def _touch(client: Any, world: World, quote_id: int, version: int) -> None:
    variables = {
        "id": gid("Quote", quote_id),
        "poNumber": f"PO-{version}",
        "expectedVersion": version,
    }
    ok(await send(client, "SetQuotePoNumber", variables, world.alice_token), "quoteSetPoNumber")


async def test_r_live_2_the_webhooks_command_and_its_worker(
    client: Any, world: World, database_url: str, tmp_path: Path
) -> None:
    env = _environment(database_url)
    with receiver() as hook:
        created = await create_endpoint(client, world.partner_tokens["ALL"], hook.url, EVENTS)
        hook.secret = created["signingSecret"]
        (quote_id,) = await world.add_quotes(1)
        await _touch(client, world, quote_id, 1)
        once = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway",
            "webhooks",
            env=env,
            cwd=tmp_path,
            stdout=PIPE,
            stderr=PIPE,
        )
        out, err = await asyncio.wait_for(once.communicate(), 60)
        assert once.returncode == 0, err.decode()
        assert "Delivered 1 webhook(s)." in out.decode()
        assert [r.verified for r in hook.requests] == [True]

        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway",
            "webhooks",
            "--watch",
            "--interval",
            "0.2",
            env=env,
            cwd=tmp_path,
            stdout=PIPE,
            stderr=PIPE,
        )
        try:
            await _touch(client, world, quote_id, 2)
            for _ in range(600):
                if len(hook.requests) >= 2:
                    break
                await asyncio.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            _, raw = await asyncio.wait_for(worker.communicate(), 30)
            stderr = raw.decode()
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert worker.returncode == 0, stderr
    assert "Delivering partner webhooks" in stderr and "Stopped" in stderr
    assert "Traceback" not in stderr
    assert [r.verified for r in hook.requests] == [True, True]
    statuses = {d.status for d in await rows(world.engine, WebhookDelivery)}
    assert statuses == {WebhookDeliveryStatus.DELIVERED}
