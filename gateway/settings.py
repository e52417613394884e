"""Settings read from the environment (prefix ``CONEX_``).

A bad value stops start-up with one line naming the variable (``SettingsError``).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

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
    secret_key: str | None = Field(default=None, repr=False)
    mail_dir: Path = VAR_DIR / "mail"
    smtp_url: str | None = Field(default=None, repr=False)
    public_url: str = "http://127.0.0.1:8000"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_pool_timeout: float = Field(default=2.0, gt=0)
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
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
    safelist_path: Path = Path("persisted-operations.json")
    # Operating (README "Operating"): logs, metrics, traces.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["text", "json"] | None = None  # unset: text in dev, json in prod

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = normalise_database_url(value)
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL ({exc})") from None
        except ValueError:  # the port is parsed as an int
            raise ValueError("not a database URL (the port is not a number)") from None
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"unsupported database {url.drivername!r}; use sqlite+aiosqlite:///PATH "
                "or postgresql+asyncpg://USER@HOST/DB"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value or None

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
    return settings
