"""Settings read from the environment (prefix ``CONEX_``).

A bad value stops start-up with one line naming the variable (``SettingsError``).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from db.urls import InvalidDatabaseUrl, driver_name

log = logging.getLogger(__name__)

VAR_DIR = Path("var")
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
DEFAULT_PAGE_SIZE = 20  # rows of a connection page when neither `first` nor `last` is given


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONEX_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR}/conex.sqlite3"
    redis_url: str | None = None
    # With CONEX_REDIS_URL: committed changes go to the pub/sub channel `<prefix>:changes`
    # (gateway/live/redis_fanout.py); every gateway of one deployment uses the same prefix.
    redis_channel_prefix: str = "conex"
    secret_key: str | None = Field(default=None, repr=False)
    mail_dir: Path = VAR_DIR / "mail"
    smtp_url: str | None = Field(default=None, repr=False)
    # Who sends the outbox: `serve` itself (inline) or `send-mail --watch` (worker); unset:
    # inline in dev, worker in prod (gateway/integrations/mail.py).
    mail_delivery: Literal["inline", "worker"] | None = None
    # Who sends partner webhooks: `serve` itself (inline) or `webhooks --watch` (worker);
    # unset: inline in dev, worker in prod (gateway/integrations/webhooks.py).
    webhook_delivery: Literal["inline", "worker"] | None = None
    # The API's own links (signed /documents links); `serve` defaults it to where it listens.
    public_url: str = "http://127.0.0.1:8000"
    # The web UI: base of the reset-password and invitation links in mail (CONEX_PUBLIC_URL
    # when unset, in dev only).
    web_url: str | None = None
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_pool_timeout: float = Field(default=2.0, gt=0)
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # A staff browser session (GraphiQL sign-in, gateway/auth/staff_session.py).
    staff_session_minutes: int = Field(default=240, ge=5, le=720)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    # Operation limits (README "Limits"): checked before any resolver runs.
    max_depth: int = Field(default=12, ge=2, le=100)
    max_aliases: int = Field(default=30, ge=0, le=1000)
    max_tokens: int = Field(default=5000, ge=100, le=100_000)
    max_root_fields: int = Field(default=20, ge=1, le=200)
    max_query_cost: int = Field(default=1000, ge=10, le=1_000_000)
    max_batch_operations: int = Field(default=0, ge=0, le=100)  # 0: batched requests off
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024)
    request_timeout: float = Field(default=15.0, gt=0, le=300)
    statement_timeout_ms: int = Field(default=5000, ge=100, le=600_000)
    # Leaky bucket of cost points per principal (Shopify-style).
    rate_limit_capacity: int = Field(default=2000, ge=10)
    rate_limit_restore_rate: int = Field(default=100, ge=1)  # points per second
    # The catalog (products, prices, releases, the DZD rate) is re-read at most this often per
    # worker; 0: on every request (gateway.loaders.CatalogCache).
    catalog_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    safelist_enforced: bool = False  # partner and mobile clients run only safelisted operations
    safelist_path: Path = VAR_DIR / "persisted-operations.json"  # beside the other local state
    # Browser origins allowed to call the API (gateway/http/cors.py): comma-separated or JSON.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Operating (README "Operating"): logs, metrics, traces.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] | None = None  # unset: text in dev, json in prod
    # OTLP/HTTP collector (base URL, traces to its /v1/traces); unset: no tracing at all.
    otel_exporter_otlp_endpoint: str | None = None
    # Online payment (R-PAY-*, gateway/integrations/payments.py): Stripe when the key is set.
    stripe_secret_key: str | None = Field(default=None, repr=False)
    stripe_webhook_secret: str | None = Field(default=None, repr=False)
    stripe_api_base: str | None = None  # another Stripe API address (a local fake, in tests)
    # Subscriptions over WebSocket (gateway/http/websocket.py, README "Live updates").
    ws_init_timeout: float = Field(default=10.0, gt=0, le=300)  # seconds to send connection_init
    ws_max_subscriptions: int = Field(default=20, ge=1, le=1000)  # per connection
    ws_max_subscriptions_per_principal: int = Field(default=100, ge=1, le=100_000)  # per worker
    ws_max_message_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    ws_ping_interval: float = Field(default=25.0, ge=0, le=3600)  # 0: no server pings
    # R-PAY-4: a payment still waiting this long (3-D Secure never finished, or a crash before
    # the processor's answer) is reconciled with the processor (actions.payment_reconcile).
    payment_action_timeout_minutes: int = Field(default=30, ge=5, le=1440)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = normalise_database_url(value)
        try:
            driver = driver_name(value)
        except InvalidDatabaseUrl as exc:
            raise ValueError(str(exc)) from None
        if driver not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"unsupported database {driver!r}; use sqlite+aiosqlite:///PATH "
                "or postgresql+asyncpg://USER@HOST/DB"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("redis_channel_prefix")
    @classmethod
    def _channel_prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}", value):
            raise ValueError("1 to 64 letters, digits, '_', '.', ':' or '-', not a separator first")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("use smtp://user:pass@host:port or smtps://user:pass@host:port")
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError("the port is not a number") from None
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    return json.loads(text)
                except json.JSONDecodeError:
                    raise ValueError("not a JSON list of origins") from None
            return [part for part in text.split(",") if part.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        return [check_origin(origin) for origin in value]

    @field_validator("otel_exporter_otlp_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("public_url", "web_url", "otel_exporter_otlp_endpoint")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an absolute http:// or https:// URL")
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError(f"{value!r}: the port is not a number") from None
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return value.strip().rstrip("/")

    @field_validator("stripe_secret_key")
    @classmethod
    def _stripe_key(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sk_", "rk_")):
            raise ValueError("not a Stripe secret key (sk_… or rk_…)")
        return value or None

    @field_validator("stripe_webhook_secret")
    @classmethod
    def _stripe_webhook_secret(cls, value: str | None) -> str | None:
        if value and not value.startswith("whsec_"):
            raise ValueError("not a Stripe webhook signing secret (whsec_…)")
        return value or None

    @field_validator("stripe_api_base")
    @classmethod
    def _stripe_api_base(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an absolute http:// or https:// URL")
        return value.strip().rstrip("/")

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @property
    def default_page_size(self) -> int:
        """A page without `first` or `last`: never more than the largest page."""
        return min(DEFAULT_PAGE_SIZE, self.max_page_size)

    @property
    def web_base_url(self) -> str:
        return self.web_url or self.public_url

    @property
    def effective_mail_delivery(self) -> str:
        return self.mail_delivery or ("worker" if self.env == "prod" else "inline")

    @property
    def effective_webhook_delivery(self) -> str:
        return self.webhook_delivery or ("worker" if self.env == "prod" else "inline")

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.env == "prod" else "text")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_key(self) -> str:
        """The secret key; in dev, generated once into ``var/`` with a warning."""
        if self.secret_key:
            return self.secret_key
        if self.env == "prod":
            raise SettingsError("CONEX_SECRET_KEY: required when CONEX_ENV=prod")
        path = VAR_DIR / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
            log.warning("CONEX_SECRET_KEY is not set: generated a development key in %s", path)
        self.secret_key = path.read_text().strip()
        return self.secret_key


def check_origin(value: str) -> str:
    """``scheme://host[:port]`` exactly as a browser sends it in ``Origin``; else ValueError."""
    origin = value.strip()
    if "*" in origin:
        raise ValueError(f"{origin!r}: wildcards are not allowed; list each origin")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{origin!r}: not an origin (scheme://host[:port])")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"{origin!r}: the port is not a number") from None
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{origin!r}: an origin has no path, query or user (scheme://host[:port])")
    return origin.lower()


def normalise_database_url(value: str) -> str:
    """Accept the plain scheme names and pick the async driver we ship."""
    for plain, driver in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if value.startswith(plain):
            return driver + value[len(plain) :]
    return value


def load_settings(**overrides: object) -> Settings:
    """Read the environment; a bad value raises ``SettingsError`` naming the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "CONEX_" + str(error["loc"][0]).upper() if error["loc"] else "CONEX_*"
        message = error["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name}: {message}") from None
    if settings.env == "prod":
        settings.signing_key()
        # Behind a load balancer neither can be guessed from where a worker listens.
        for name in ("public_url", "web_url"):
            if name not in settings.model_fields_set:
                raise SettingsError(f"CONEX_{name.upper()}: required when CONEX_ENV=prod")
    return settings


def listen_url(host: str, port: int) -> str:
    """The URL of ``serve --host --port``: the default of CONEX_PUBLIC_URL."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
