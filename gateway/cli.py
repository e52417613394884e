"""The ``conex-gateway`` command (also ``python -m gateway``): one subcommand per task.

A configuration problem (a bad ``CONEX_`` variable, an unreachable or unmigrated database, a
port that cannot be used) ends the command with one line on stderr naming the problem and
exit status 2: whoever starts the gateway reads what to fix, not a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.migrate import current_revision, head_revision, upgrade
from db.models import Account, ApiToken
from gateway.auth.tokens import new_opaque_token, token_hash
from gateway.domain.enums import TokenKind
from gateway.settings import VAR_DIR, Settings, SettingsError, load_settings

PROG = "conex-gateway"
EXIT_FAILED = 1
EXIT_CONFIGURATION = 2
CONNECT_TIMEOUT_SECONDS = 10.0
TOKEN_PREFIX_LENGTH = 12  # what lists and logs may show of a token: kind prefix + 7 characters


class ConfigurationError(Exception):
    """The environment or the arguments are wrong; printed as one line, exit status 2."""


class CommandFailed(Exception):
    """The command could not do what was asked (e.g. no such token); one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    # argparse prints usage plus the error (two lines or more); we promise one line.
    def error(self, message: str) -> NoReturn:
        raise ConfigurationError(f"{message} (see: {self.prog} --help)")


# --- argument types ---------------------------------------------------------------------


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535, got {port}")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0.1 and 3600, got {value:g}")
    return value


def _token_name(text: str) -> str:
    name = text.strip()
    if not 1 <= len(name) <= 200:
        raise argparse.ArgumentTypeError("must be 1 to 200 characters")
    return name


# --- the database -------------------------------------------------------------------------


def shown_url(url: str) -> str:
    """The database URL as it may be printed (no password)."""
    return make_url(url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT_SECONDS:g} s"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


async def open_database(settings: Settings, *, must_be_migrated: bool = True) -> AsyncEngine:
    """An engine on ``CONEX_DATABASE_URL`` once the database answered (and is at head).

    ``must_be_migrated=False`` is for ``migrate`` itself, which may also create the SQLite
    file and the default ``var/`` directory.
    """
    url = settings.database_url
    path = _sqlite_file(url)
    if path is not None:
        if must_be_migrated and not path.exists():
            raise ConfigurationError(
                f"CONEX_DATABASE_URL: {path} does not exist; run: {PROG} migrate"
            )
        if not path.parent.exists():
            if path.parent != VAR_DIR:
                raise ConfigurationError(
                    f"CONEX_DATABASE_URL: directory {path.parent} does not exist"
                )
            path.parent.mkdir(parents=True)
    try:
        engine = create_engine(
            url, pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout
        )
    except (ArgumentError, ValueError) as exc:
        raise ConfigurationError(f"CONEX_DATABASE_URL: {_reason(exc)}") from None
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            revision = await current_revision(engine)
    except (DBAPIError, OSError, TimeoutError) as exc:
        await engine.dispose()
        raise ConfigurationError(
            f"CONEX_DATABASE_URL: cannot use {shown_url(url)}: {_reason(exc)}"
        ) from None
    head = head_revision()
    if must_be_migrated and revision != head:
        await engine.dispose()
        raise ConfigurationError(
            f"CONEX_DATABASE_URL: {shown_url(url)} is at revision {revision or 'none'}, "
            f"not {head}; run: {PROG} migrate"
        )
    return engine


# --- commands -------------------------------------------------------------------------------


def serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    asyncio.run(_check_database(settings))
    _check_address(args.host, args.port)
    # In dev this creates var/secret_key once, before several workers could race to do it.
    settings.signing_key()

    import uvicorn

    print(f"{PROG}: GraphiQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    # An import string, not an app object: each of several workers builds its own app.
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
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
                accounts = (await conn.execute(select(func.count()).select_from(Account))).scalar()
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
    token_id, token = asyncio.run(_create_staff_token(settings, name=args.name))
    print(f"Staff token {token_id} ({args.name!r}):")
    print(token)
    print("It will not be shown again: store it now (only its hash is kept).")
    return 0


async def _create_staff_token(settings: Settings, *, name: str) -> tuple[int, str]:
    token = new_opaque_token(TokenKind.STAFF)
    engine = await open_database(settings)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(
                insert(ApiToken)
                .values(
                    kind=TokenKind.STAFF,
                    name=name,
                    prefix=token[:TOKEN_PREFIX_LENGTH],
                    token_hash=token_hash(token),
                    scopes=[],
                )
                .returning(ApiToken.id)
            )
            return int(result.scalar_one()), token
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
            revoked = await conn.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=dt.datetime.now(dt.UTC))
                .returning(ApiToken.name)
            )
            name = revoked.scalar()
            if name is not None:
                return f"Token {token_id} ({name!r}) revoked."
            found = await conn.execute(select(ApiToken.revoked_at).where(ApiToken.id == token_id))
            revoked_at = found.scalar()
        if revoked_at is None:
            raise CommandFailed(f"token {token_id}: no such token")
        return f"Token {token_id} was already revoked at {revoked_at:%Y-%m-%d %H:%M} UTC."
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
            rows = (
                await conn.execute(
                    select(
                        ApiToken.id,
                        ApiToken.kind,
                        ApiToken.prefix,
                        ApiToken.name,
                        ApiToken.partner_id,
                        ApiToken.created_at,
                        ApiToken.expires_at,
                        ApiToken.revoked_at,
                    ).order_by(ApiToken.id)
                )
            ).all()
    finally:
        await engine.dispose()
    lines = [f"{'ID':>5}  {'KIND':8} {'PREFIX':12}  {'CREATED':16}  {'STATE':24}  NAME"]
    for row in rows:
        if row.revoked_at is not None:
            state = f"revoked {row.revoked_at:%Y-%m-%d}"
        elif row.expires_at is not None:
            state = f"expires {row.expires_at:%Y-%m-%d}"
        else:
            state = "live"
        owner = f" (partner {row.partner_id})" if row.partner_id is not None else ""
        lines.append(
            f"{row.id:>5}  {row.kind:8} {row.prefix:12}  {row.created_at:%Y-%m-%d %H:%M}  "
            f"{state:24}  {row.name}{owner}"
        )
    return lines


def send_mail(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.smtp_url:
        from gateway.integrations.mail import SmtpConfig

        try:
            SmtpConfig.from_url(settings.smtp_url)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
    destination = "SMTP" if settings.smtp_url else f"files in {settings.mail_dir}"
    if args.watch:
        print(f"Sending the outbox to {destination} every {args.interval:g} s; Ctrl-C stops.")
    sent = asyncio.run(_send_mail(settings, watch=args.watch, interval=args.interval))
    if not args.watch:
        print(f"Sent {sent} message(s) to {destination}.")
    return 0


async def _send_mail(settings: Settings, *, watch: bool, interval: float) -> int:
    from gateway.integrations.mail import run_mail_sender, send_pending

    engine = await open_database(settings)
    try:
        if watch:
            await run_mail_sender(engine, settings, interval=interval)
            return 0
        return await send_pending(engine, settings)
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


# --- the parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="The Conex account gateway. Configured by CONEX_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> Any:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("serve", serve, "serve the GraphQL API (GraphiQL at /graphql) with Uvicorn")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sub.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    sub.add_argument("--workers", type=_positive, default=1, help="worker processes (1)")

    command("migrate", migrate, "migrate CONEX_DATABASE_URL to the newest schema revision")

    sub = command("demo-data", demo_data, "load a generated demo dataset and print its logins")
    sub.add_argument("--accounts", type=_positive, help="how many customer accounts")
    sub.add_argument("--seed", type=int, help="random seed, for the same dataset every time")
    sub.add_argument(
        "--if-empty", action="store_true", help="load only when the database has no accounts"
    )

    tokens = command(
        "token", _missing_subcommand, "create staff tokens; list and revoke API tokens"
    )
    token_commands = tokens.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    sub = token_commands.add_parser(
        "staff", help="create a staff token and print it once", description="create a staff token"
    )
    sub.add_argument("--name", type=_token_name, required=True, help="who or what uses it")
    sub.set_defaults(handler=token_staff)
    sub = token_commands.add_parser("revoke", help="revoke a token by id", description="revoke")
    sub.add_argument("--id", type=_positive, required=True, help="the token id (see token list)")
    sub.set_defaults(handler=token_revoke)
    sub = token_commands.add_parser("list", help="list tokens (never their secret)")
    sub.set_defaults(handler=token_list)

    sub = command("send-mail", send_mail, "deliver the queued outgoing mail (SMTP or .eml files)")
    sub.add_argument("--watch", action="store_true", help="keep sending until interrupted")
    sub.add_argument(
        "--interval", type=_seconds, default=10.0, help="seconds between sends with --watch (10)"
    )

    command(
        "purge-idempotency-keys",
        purge_idempotency_keys,
        "delete Idempotency-Key records older than 24 hours (run daily, e.g. from cron)",
    )

    persisted = command("persisted", _missing_subcommand, "persisted-query safelist")
    persisted_commands = persisted.add_subparsers(
        dest="persisted_command", required=True, metavar="ACTION"
    )
    sub = persisted_commands.add_parser(
        "build",
        help="write the safelist manifest of a contract's operations",
        description="write the safelist manifest (hash -> operation) of a contract's operations",
    )
    sub.add_argument("contract_dir", help="directory of the clients' .graphql documents")
    sub.add_argument("--output", help="manifest file (CONEX_SAFELIST_PATH)")
    sub.set_defaults(handler=persisted_build)

    sub = command("export-schema", export_schema, "write the GraphQL schema (SDL) to a file")
    sub.add_argument(
        "--output", default="schema.graphql", help="file to write, '-' for stdout (schema.graphql)"
    )
    return parser


def _missing_subcommand(_: argparse.Namespace) -> int:  # pragma: no cover - argparse requires one
    raise ConfigurationError("a subcommand is required")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except (ConfigurationError, SettingsError) as exc:
        _complain(exc)
        return EXIT_CONFIGURATION
    except CommandFailed as exc:
        _complain(exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _complain(exc: Exception) -> None:
    message = " ".join(str(exc).split())  # one line, whatever the message held
    print(f"{PROG}: {message}", file=sys.stderr)
