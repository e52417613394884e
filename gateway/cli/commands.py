"""The ``conex-gateway`` subcommands: each reads the settings, does one task and returns its
exit status (``gateway.cli`` parses the arguments and turns errors into one line)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import sys
from pathlib import Path
from typing import Any

from db.migrate import current_revision, upgrade
from db.queries.account import count_accounts
from db.queries.api_token import insert_api_token, list_api_tokens, revoke_api_token
from db.urls import shown_url
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.cli.base import PROG, CommandFailed, ConfigurationError, open_database, until_signalled
from gateway.cli.serving import sigterm_exits_cleanly, uvicorn_options
from gateway.domain.enums import TokenKind
from gateway.observability.logs import configure_logging
from gateway.observability.metrics import prepare_multiprocess
from gateway.settings import VAR_DIR, Settings, listen_url, load_settings

TOKEN_PREFIX_LENGTH = 12  # what lists and logs may show of a token: kind prefix + 7 characters


def serve(args: argparse.Namespace) -> int:
    options = uvicorn_options(args)  # proxy headers, graceful shutdown (gateway/cli/serving.py)
    # The options become settings of every worker (each reads the environment).
    for option, variable in (("log_level", "CONEX_LOG_LEVEL"), ("log_format", "CONEX_LOG_FORMAT")):
        if getattr(args, option, None):
            os.environ[variable] = getattr(args, option)
    settings = load_settings()
    if "public_url" not in settings.model_fields_set:
        # The workers read it from the environment: links follow --host and --port.
        os.environ["CONEX_PUBLIC_URL"] = listen_url(args.host, args.port)
    asyncio.run(_check_database(settings))
    _check_address(args.host, args.port)
    # In dev this creates var/secret_key once, before several workers could race to do it.
    settings.signing_key()

    import uvicorn

    prepare_multiprocess(workers=args.workers, directory=VAR_DIR / "metrics")
    # After the checks: a configuration problem stays one line, with no library chatter.
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
    endpoint = f"http://{args.host}:{args.port}/graphql"
    if settings.env == "prod":  # anonymous browsers get no GraphiQL there (gateway/http)
        print(
            f"{PROG}: GraphQL API at {endpoint} (GraphiQL: staff sign in there with a staff token)",
            file=sys.stderr,
        )
    else:
        print(f"{PROG}: GraphiQL at {endpoint}", file=sys.stderr)
    # An import string, not an app object: each of several workers builds its own app.
    with sigterm_exits_cleanly():
        uvicorn.run(
            "gateway.cli.served:create_served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,  # the gateway's handler (configure_logging) formats Uvicorn's
            access_log=False,  # records; gateway.access writes the access line
            **options,
        )
    return 0


async def _check_database(settings: Settings) -> None:
    engine = await open_database(settings)
    await engine.dispose()


def _check_address(host: str, port: int) -> None:
    """Fail early, in one line, when Uvicorn could not listen on ``host:port``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigurationError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Uvicorn does
        try:
            sock.bind(address)
        except OSError as exc:
            raise ConfigurationError(
                f"--port {port}: cannot listen on {host}:{port}: {exc.strerror}"
            ) from None


def migrate(_: argparse.Namespace) -> int:
    settings = load_settings()
    revision = asyncio.run(_migrate(settings))
    print(f"{shown_url(settings.database_url)}: migrated to revision {revision}")
    return 0


async def _migrate(settings: Settings) -> str | None:
    engine = await open_database(settings, must_be_migrated=False)
    try:
        await upgrade(engine)
        return await current_revision(engine)
    finally:
        await engine.dispose()


def demo_data(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(asyncio.run(_demo_data(settings, args)))
    return 0


async def _demo_data(settings: Settings, args: argparse.Namespace) -> str:
    engine = await open_database(settings)
    try:
        if args.if_empty:
            async with engine.connect() as conn:
                accounts = await count_accounts(conn=conn)
            if accounts:
                return f"The database already has {accounts} accounts: no demo data loaded."
        # Imported here: only this command needs the demo dataset.
        from gateway.demo_data import MIN_ACCOUNTS, DemoDataConflict, load_demo_data

        options: dict[str, Any] = {}
        if args.accounts is not None:
            if args.accounts < MIN_ACCOUNTS:
                raise ConfigurationError(f"--accounts: the demo needs at least {MIN_ACCOUNTS}")
            options["accounts"] = args.accounts
        if args.seed is not None:
            options["seed"] = args.seed
        try:
            summary = await load_demo_data(engine, **options)
        except DemoDataConflict as exc:
            raise CommandFailed(f"demo-data: {exc}") from None
        return str(summary)
    finally:
        await engine.dispose()


def token_staff(args: argparse.Namespace) -> int:
    settings = load_settings()
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=args.expires_in_days)
    token_id, token = asyncio.run(
        _create_staff_token(settings, name=args.name, expires_at=expires_at)
    )
    print(f"Staff token {token_id} ({args.name!r}), expires {expires_at:%Y-%m-%d %H:%M} UTC:")
    print(token)
    print("It will not be shown again: store it now (only its hash is kept).")
    return 0


async def _create_staff_token(
    settings: Settings, *, name: str, expires_at: dt.datetime
) -> tuple[int, str]:
    token = new_opaque_token(TokenKind.STAFF)
    engine = await open_database(settings)
    try:
        async with engine.begin() as conn:
            row = await insert_api_token(
                conn,
                kind=TokenKind.STAFF,
                name=name,
                prefix=token[:TOKEN_PREFIX_LENGTH],
                token_hash=token_hash(token),
                scopes=[],
                expires_at=expires_at,
            )
            return int(row.id), token
    finally:
        await engine.dispose()


def token_revoke(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(asyncio.run(_revoke_token(settings, token_id=args.id)))
    return 0


async def _revoke_token(settings: Settings, *, token_id: int) -> str:
    engine = await open_database(settings)
    try:
        async with engine.begin() as conn:
            revoked = await revoke_api_token(
                conn=conn, token_id=token_id, now=dt.datetime.now(dt.UTC)
            )
        if revoked.name is not None:
            return f"Token {token_id} ({revoked.name!r}) revoked."
        if revoked.already_revoked_at is None:
            raise CommandFailed(f"token {token_id}: no such token")
        return (
            f"Token {token_id} was already revoked at "
            f"{revoked.already_revoked_at:%Y-%m-%d %H:%M} UTC."
        )
    finally:
        await engine.dispose()


def token_list(_: argparse.Namespace) -> int:
    settings = load_settings()
    for line in asyncio.run(_list_tokens(settings)):
        print(line)
    return 0


async def _list_tokens(settings: Settings) -> list[str]:
    engine = await open_database(settings)
    try:
        async with engine.connect() as conn:
            rows = await list_api_tokens(conn=conn)
    finally:
        await engine.dispose()
    now = dt.datetime.now(dt.UTC)
    lines = [
        f"{'ID':>5}  {'KIND':8} {'PREFIX':12}  {'CREATED':16}  {'STATE':18}  "
        f"{'EXPIRES':16}  {'LAST USED':16}  NAME"
    ]
    for row in rows:
        if row.revoked_at is not None:
            state = f"revoked {row.revoked_at:%Y-%m-%d}"
        elif row.expires_at is not None and row.expires_at <= now:
            state = "expired"
        else:
            state = "live"
        expires = f"{row.expires_at:%Y-%m-%d %H:%M}" if row.expires_at else "never"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        owner = f" (partner {row.partner_id})" if row.partner_id is not None else ""
        lines.append(
            f"{row.id:>5}  {row.kind:8} {row.prefix:12}  {row.created_at:%Y-%m-%d %H:%M}  "
            f"{state:18}  {expires:16}  {used:16}  {row.name}{owner}"
        )
    return lines


def send_mail(args: argparse.Namespace) -> int:
    """Deliver the outbox once, or with ``--watch`` until SIGTERM or SIGINT: the mail worker
    of ``CONEX_MAIL_DELIVERY=worker`` (gateway/integrations/mail.py)."""
    from gateway.integrations.mail import destination

    settings = load_settings()  # a bad CONEX_SMTP_URL is one line here
    where = destination(settings)
    if args.watch:
        configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
        print(
            f"Delivering the outbox to {where} (a look every {args.interval:g} s); "
            "SIGTERM or Ctrl-C stops.",
            file=sys.stderr,
        )
    sent = asyncio.run(_send_mail(settings, watch=args.watch, interval=args.interval))
    if args.watch:
        print("Stopped: the outbox is left to the next deliverer.", file=sys.stderr)
    else:
        print(f"Sent {sent} message(s) to {where}.")
    return 0


async def _send_mail(settings: Settings, *, watch: bool, interval: float) -> int:
    from gateway.integrations.mail import run_mail_sender, send_pending

    engine = await open_database(settings)
    try:
        if not watch:
            return await send_pending(engine, settings)
        await until_signalled(
            lambda stop: run_mail_sender(engine, settings, interval=interval, stop=stop)
        )
        return 0
    finally:
        await engine.dispose()


def purge_idempotency_keys(_: argparse.Namespace) -> int:
    settings = load_settings()
    purged = asyncio.run(_purge_idempotency_keys(settings))
    print(f"Purged {purged} expired idempotency key(s).")
    return 0


async def _purge_idempotency_keys(settings: Settings) -> int:
    from gateway.http.idempotency import purge_expired

    engine = await open_database(settings)
    try:
        return await purge_expired(engine, now=dt.datetime.now(dt.UTC))
    finally:
        await engine.dispose()


def persisted_build(args: argparse.Namespace) -> int:
    import json

    from gateway.security.persisted import build_manifest

    contract = Path(args.contract_dir)
    if not contract.is_dir():
        raise ConfigurationError(f"{contract}: not a directory of .graphql documents")
    output = Path(args.output) if args.output else load_settings().safelist_path
    manifest = build_manifest(contract)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CommandFailed(f"--output {output}: {exc.strerror}") from None
    print(f"Wrote {output} ({len(manifest['operations'])} operations from {contract})")
    return 0


def export_schema(args: argparse.Namespace) -> int:
    from gateway.schema.schema import build_schema

    sdl = str(build_schema(guarded=False)) + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
        return 0
    path = Path(args.output)
    try:
        path.write_text(sdl, encoding="utf-8")
    except OSError as exc:
        raise CommandFailed(f"--output {path}: {exc.strerror}") from None
    print(f"Wrote {path} ({sdl.count(chr(10))} lines)")
    return 0
