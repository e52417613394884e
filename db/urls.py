"""Database URLs as the gateway reads them (``CONEX_DATABASE_URL``): parsed by SQLAlchemy here,
so that settings and the command line import no ``sqlalchemy``."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# What SQLAlchemy raises for a URL it cannot use (``make_url``, ``db.engine.create_engine``):
# ``ArgumentError`` for text that is no URL, ``ValueError`` for a port that is not a number.
URL_ERRORS: tuple[type[Exception], ...] = (ArgumentError, ValueError)


class InvalidDatabaseUrl(ValueError):
    """The text is not a database URL; the message says why."""


def driver_name(url: str) -> str:
    """The URL's dialect and driver (``sqlite+aiosqlite``), or :class:`InvalidDatabaseUrl`."""
    try:
        return make_url(url).drivername
    except ArgumentError as exc:
        raise InvalidDatabaseUrl(f"not a database URL ({exc})") from None
    except ValueError:  # the port is parsed as an int
        raise InvalidDatabaseUrl("not a database URL (the port is not a number)") from None


def shown_url(url: str) -> str:
    """The database URL as it may be printed (no password)."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_database(url: str) -> str | None:
    """The database file of a SQLite URL; ``None`` for an in-memory or another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database
