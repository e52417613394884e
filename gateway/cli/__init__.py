"""The ``conex-gateway`` command (also ``python -m gateway``): one subcommand per task.

A configuration problem (a bad ``CONEX_`` variable, an unreachable or unmigrated database, a
port that cannot be used) ends the command with one line on stderr naming the problem and
exit status 2: whoever starts the gateway reads what to fix, not a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from gateway.cli.base import (
    EXIT_CONFIGURATION,
    EXIT_FAILED,
    PROG,
    CommandFailed,
    ConfigurationError,
)
from gateway.cli.serving import (
    GRACEFUL_TIMEOUT,
    KEEP_ALIVE_TIMEOUT,
    LOCAL_PROXIES,
    trusted_proxies,
    whole_seconds,
)
from gateway.settings import SettingsError

__all__ = ["CommandFailed", "ConfigurationError", "build_parser", "main"]


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The handler ``gateway.cli.<module>.<name>``, imported when it runs.

    A subcommand's module imports the database, Alembic or the schema (~2 s of CPU); parsing
    does not need them, so ``--help``, ``--version`` and a bad argument are answered without.
    """

    def handler(args: argparse.Namespace) -> int:
        function: Callable[[argparse.Namespace], int] = getattr(
            importlib.import_module(f"gateway.cli.{module}"), name
        )
        return function(args)

    handler.__name__ = handler.__qualname__ = name
    return handler


serve = _lazy("commands", "serve")
migrate = _lazy("commands", "migrate")
demo_data = _lazy("commands", "demo_data")
token_staff = _lazy("commands", "token_staff")
token_revoke = _lazy("commands", "token_revoke")
token_list = _lazy("commands", "token_list")
send_mail = _lazy("commands", "send_mail")
purge_idempotency_keys = _lazy("commands", "purge_idempotency_keys")
persisted_build = _lazy("commands", "persisted_build")
export_schema = _lazy("commands", "export_schema")
dev_payment = _lazy("payments", "dev_payment")
payments_reconcile = _lazy("payments", "payments_reconcile")
webhooks = _lazy("webhooks", "webhooks")


def payment_pk(text: str) -> int:
    """A payment's global id or its number (``gateway.cli.payments.payment_pk``)."""
    from gateway.cli.payments import payment_pk as parse

    return parse(text)


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


STAFF_TOKEN_DAYS = 90  # a staff token outlives no quarter unless asked to
MAX_TOKEN_DAYS = 3650


def _token_days(text: str) -> int:
    days = _positive(text)
    if days > MAX_TOKEN_DAYS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_TOKEN_DAYS}, got {days}")
    return days


# --- the parser ---------------------------------------------------------------------------


def package_version() -> str:
    """The installed distribution's version (pyproject.toml's, once installed)."""
    try:
        return importlib.metadata.version("conex-gateway")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout never installed
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="The Conex account gateway. Configured by CONEX_* environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> Any:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    sub = command("serve", serve, "serve the GraphQL API (GraphiQL at /graphql) with Uvicorn")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sub.add_argument("--port", type=_port, default=8000, help="port to listen on (8000)")
    sub.add_argument("--workers", type=_positive, default=1, help="worker processes (1)")
    sub.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        help="lowest level logged (CONEX_LOG_LEVEL, info)",
    )
    sub.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="log lines as text or JSON objects (CONEX_LOG_FORMAT; text in dev, json in prod)",
    )
    sub.add_argument(
        "--proxy-headers",
        action="store_true",
        help="take the client's address and scheme from X-Forwarded-For and X-Forwarded-Proto "
        "when the peer is a trusted proxy (off)",
    )
    sub.add_argument(
        "--forwarded-allow-ips",
        type=trusted_proxies,
        metavar="IPS",
        help="the trusted proxies: comma-separated IP addresses or networks, e.g. 10.0.0.0/8 "
        f"(with --proxy-headers; {','.join(LOCAL_PROXIES)})",
    )
    sub.add_argument(
        "--graceful-timeout",
        type=whole_seconds,
        default=GRACEFUL_TIMEOUT,
        metavar="SECONDS",
        help="on SIGTERM, seconds to let requests in flight finish before they are cut "
        f"({GRACEFUL_TIMEOUT})",
    )
    sub.add_argument(
        "--timeout-keep-alive",
        type=whole_seconds,
        default=KEEP_ALIVE_TIMEOUT,
        metavar="SECONDS",
        help="seconds an idle keep-alive connection stays open; above the load balancer's "
        f"idle timeout ({KEEP_ALIVE_TIMEOUT})",
    )

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
    sub.add_argument(
        "--expires-in-days",
        type=_token_days,
        default=STAFF_TOKEN_DAYS,
        help=f"days until the token expires (1-{MAX_TOKEN_DAYS}; {STAFF_TOKEN_DAYS})",
    )
    sub.set_defaults(handler=token_staff)
    sub = token_commands.add_parser("revoke", help="revoke a token by id", description="revoke")
    sub.add_argument("--id", type=_positive, required=True, help="the token id (see token list)")
    sub.set_defaults(handler=token_revoke)
    sub = token_commands.add_parser("list", help="list tokens (never their secret)")
    sub.set_defaults(handler=token_list)

    sub = command("send-mail", send_mail, "deliver the queued outgoing mail (SMTP or .eml files)")
    sub.add_argument(
        "--watch", action="store_true", help="the mail worker: keep delivering until SIGTERM"
    )
    sub.add_argument(
        "--interval", type=_seconds, default=2.0, help="seconds between looks with --watch (2)"
    )

    sub = command("webhooks", webhooks, "deliver the partner webhooks that are due (R-LIVE-2)")
    sub.add_argument(
        "--watch", action="store_true", help="the webhook worker: keep delivering until SIGTERM"
    )
    sub.add_argument(
        "--interval", type=_seconds, default=2.0, help="seconds between looks with --watch (2)"
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

    sub = command(
        "dev-payment",
        dev_payment,
        "development only: complete or fail a payment waiting for the payer, by a signed webhook",
    )
    sub.add_argument("action", choices=("complete", "fail"), help="how the payer's action ends")
    sub.add_argument("payment", type=payment_pk, help="the payment's id (or its number)")
    sub.add_argument("--url", help="the running gateway (CONEX_PUBLIC_URL)")

    sub = command(
        "payments",
        _missing_subcommand,
        "online payments: reconcile the abandoned ones with the processor (R-PAY-4)",
    )
    payment_commands = sub.add_subparsers(dest="payments_command", required=True)
    sub = payment_commands.add_parser(
        "reconcile",
        help="ask the processor about payments in progress too long; settle or cancel them",
        description="settle or cancel every payment in progress for longer than "
        "CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES (abandoned 3-D Secure, a crash)",
    )
    sub.add_argument(
        "--older-than",
        type=_positive,
        metavar="MINUTES",
        help="in progress for longer than this (CONEX_PAYMENT_ACTION_TIMEOUT_MINUTES)",
    )
    sub.set_defaults(handler=payments_reconcile)

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
