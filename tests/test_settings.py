"""Settings: a bad value stops start-up with one message that names the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings, SettingsError, load_settings

GOOD_KEY = "k" * 40


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CONEX_ENV", "staging"),
        ("CONEX_DATABASE_URL", "nonsense"),
        ("CONEX_DATABASE_URL", "mysql://root@localhost/conex"),
        ("CONEX_DATABASE_URL", "postgresql+psycopg2://postgres@localhost/conex"),
        ("CONEX_DATABASE_URL", "postgresql+asyncpg://postgres@localhost:port/conex"),
        ("CONEX_REDIS_URL", "http://127.0.0.1:6379"),
        ("CONEX_REDIS_CHANNEL_PREFIX", "two words"),
        ("CONEX_REDIS_CHANNEL_PREFIX", ":conex"),
        ("CONEX_SECRET_KEY", "too-short"),
        ("CONEX_DB_POOL_SIZE", "0"),
        ("CONEX_DB_POOL_SIZE", "ten"),
        ("CONEX_DB_POOL_TIMEOUT", "-1"),
        ("CONEX_ACCESS_TOKEN_MINUTES", "0"),
        ("CONEX_REFRESH_TOKEN_DAYS", "366"),
        ("CONEX_MAX_PAGE_SIZE", "100000"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}: "), message
    assert "\n" not in message
    assert "Value error" not in message  # pydantic's wording is not ours


def test_a_bad_override_names_its_variable() -> None:
    with pytest.raises(SettingsError, match=r"^CONEX_DATABASE_URL: "):
        load_settings(database_url="nonsense")


def test_prod_without_a_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONEX_ENV", "prod")
    with pytest.raises(SettingsError, match=r"^CONEX_SECRET_KEY: required when CONEX_ENV=prod"):
        load_settings()


def test_prod_with_a_secret_key_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONEX_ENV", "prod")
    monkeypatch.setenv("CONEX_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("CONEX_PUBLIC_URL", "https://api.conex.example")
    monkeypatch.setenv("CONEX_WEB_URL", "https://my.conex.example")
    settings = load_settings()
    assert settings.env == "prod"
    assert settings.signing_key() == GOOD_KEY
    assert GOOD_KEY not in repr(settings)


def test_defaults_are_a_local_sqlite_database_in_dev() -> None:
    settings = load_settings()
    assert settings.env == "dev"
    assert settings.database_url == "sqlite+aiosqlite:///var/conex.sqlite3"
    assert settings.is_sqlite
    assert settings.redis_url is None


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@db/conex", "postgresql+asyncpg://u@db/conex"),
        ("postgres://u@db/conex", "postgresql+asyncpg://u@db/conex"),
        ("sqlite:///var/x.sqlite3", "sqlite+aiosqlite:///var/x.sqlite3"),
    ],
)
def test_plain_database_schemes_get_the_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("CONEX_DATABASE_URL", given)
    assert load_settings().database_url == used


def test_an_empty_redis_url_means_no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONEX_REDIS_URL", "")
    assert load_settings().redis_url is None


def test_dev_without_a_secret_key_generates_one_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    first = Settings().signing_key()
    again = Settings().signing_key()
    assert first == again
    assert len(first) >= 32
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0  # readable by its owner only


def test_the_readme_documents_every_variable() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [
        f"CONEX_{name.upper()}"
        for name in Settings.model_fields
        if f"`CONEX_{name.upper()}`" not in readme
    ]
    assert missing == [], "add these to the Configuration table of README.md"
