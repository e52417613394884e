"""``conex-gateway webhooks [--watch] [--interval 2]``: deliver partner webhooks (R-LIVE-2).

Once: every due delivery, then exit. ``--watch``: the webhook worker of
``CONEX_WEBHOOK_DELIVERY=worker`` (gateway/integrations/webhooks.py), until SIGTERM or Ctrl-C
(the batch under way finishes first, the status is 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from gateway.cli.base import open_database, until_signalled
from gateway.observability.logs import configure_logging
from gateway.settings import Settings, load_settings


def webhooks(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.watch:
        configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
        print(
            f"Delivering partner webhooks (a look every {args.interval:g} s); "
            "SIGTERM or Ctrl-C stops.",
            file=sys.stderr,
        )
    sent = asyncio.run(_webhooks(settings, watch=args.watch, interval=args.interval))
    if args.watch:
        print("Stopped: the deliveries left are the next deliverer's.", file=sys.stderr)
    else:
        print(f"Delivered {sent} webhook(s).")
    return 0


async def _webhooks(settings: Settings, *, watch: bool, interval: float) -> int:
    from gateway.integrations.webhooks import run_webhook_sender, send_pending

    engine = await open_database(settings)
    try:
        if not watch:
            return await send_pending(engine, settings)
        await until_signalled(
            lambda stop: run_webhook_sender(engine, settings, interval=interval, stop=stop)
        )
        return 0
    finally:
        await engine.dispose()
