"""The ``conex-gateway`` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import ApiToken
from gateway.cli import main
from gateway.schema.schema import build_schema

CONSOLE_SCRIPT = Path(sys.executable).with_name("conex-gateway")


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONEX_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert line.startswith("conex-gateway: "), line
    for part in expected:
        assert part in line, line
    return line


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


@pytest.fixture
def migrated_url(sqlite_url: str, sqlite_template: Path, tmp_path: Path) -> str:
    """``sqlite_url`` holding a copy of the worker's migrated template (tests/conftest.py),
    for commands that need a migrated database: ``migrate`` itself is run by the tests below
    that are about it, not once more per test (~3 s of CPU a run)."""
    shutil.copyfile(sqlite_template, tmp_path / "cli.sqlite3")
    return sqlite_url


# --- configuration errors: one line, status 2 ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "nonsense",
        "mysql://root@localhost/conex",
        "postgresql+asyncpg://postgres@127.0.0.1:notaport/conex",
    ],
)
def test_serve_with_a_bad_database_url_is_one_line(tmp_path: Path, url: str) -> None:
    result = run("serve", cwd=tmp_path, env={"CONEX_DATABASE_URL": url})
    assert_one_line_error(result, "CONEX_DATABASE_URL: ")


def test_serve_with_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/conex"
    result = run("serve", cwd=tmp_path, env={"CONEX_DATABASE_URL": url})
    assert_one_line_error(result, "CONEX_DATABASE_URL: cannot use")


def test_serve_on_an_unmigrated_database_says_to_migrate(tmp_path: Path, sqlite_url: str) -> None:
    result = run("serve", cwd=tmp_path, env={"CONEX_DATABASE_URL": sqlite_url})
    assert_one_line_error(result, "CONEX_DATABASE_URL: ", "conex-gateway migrate")


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_with_a_bad_port_is_one_line(tmp_path: Path, port: str) -> None:
    result = run("serve", "--port", port, cwd=tmp_path)
    assert_one_line_error(result, "--port")


def test_serve_on_a_busy_port_is_one_line(tmp_path: Path, migrated_url: str) -> None:
    env = {"CONEX_DATABASE_URL": migrated_url}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run("serve", "--port", port, cwd=tmp_path, env=env)
    assert_one_line_error(result, f"--port {port}")


def test_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    result = run("migrate", cwd=tmp_path, env={"CONEX_ENV": "production"})
    assert_one_line_error(result, "CONEX_ENV: ")


def test_no_command_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run(cwd=tmp_path), "--help")


def test_main_returns_2_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "99999"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- the commands ---------------------------------------------------------------------------------


def test_the_console_script_is_installed(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "migrate", "demo-data", "token", "export-schema"):
        assert command in result.stdout


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    import importlib.metadata
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"conex-gateway {project['project']['version']}"
    assert importlib.metadata.version("conex-gateway") == project["project"]["version"]


def test_migrate_creates_the_default_var_directory(tmp_path: Path) -> None:
    result = run("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "migrated to revision" in result.stdout
    assert (tmp_path / "var" / "conex.sqlite3").is_file()
    again = run("migrate", cwd=tmp_path)  # at head already: nothing to do, no error
    assert again.returncode == 0, again.stderr


def test_migrate_then_staff_token_stores_only_the_hash(tmp_path: Path, sqlite_url: str) -> None:
    env = {"CONEX_DATABASE_URL": sqlite_url}
    migrated = run("migrate", cwd=tmp_path, env=env)
    assert migrated.returncode == 0, migrated.stderr

    created = run("token", "staff", "--name", "ops dashboard", cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    (token,) = [line for line in created.stdout.splitlines() if line.startswith("cnxs_")]
    assert "will not be shown again" in created.stdout

    database = tmp_path / "cli.sqlite3"
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT kind, name, prefix, token_hash FROM api_tokens").fetchall()
    assert rows == [
        ("STAFF", "ops dashboard", token[:12], hashlib.sha256(token.encode()).hexdigest())
    ]
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("cli.sqlite3*"))
    assert token.encode() not in stored

    listed = run("token", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert token[:12] in listed.stdout
    assert token not in listed.stdout


async def test_staff_token_then_revoke(
    tmp_path: Path, database_url: str, engine: AsyncEngine
) -> None:
    env = {"CONEX_DATABASE_URL": database_url}
    created = run("token", "staff", "--name", "ci", cwd=tmp_path, env=env)
    assert created.returncode == 0, created.stderr
    async with engine.connect() as conn:
        (row,) = (await conn.execute(select(ApiToken.id, ApiToken.revoked_at))).all()
    assert row.revoked_at is None

    revoked = run("token", "revoke", "--id", str(row.id), cwd=tmp_path, env=env)
    assert revoked.returncode == 0, revoked.stderr
    async with engine.connect() as conn:
        revoked_at = (await conn.execute(select(ApiToken.revoked_at))).scalar_one()
    assert revoked_at is not None

    unknown = run("token", "revoke", "--id", str(row.id + 1), cwd=tmp_path, env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines() == [f"conex-gateway: token {row.id + 1}: no such token"]


async def test_staff_tokens_expire_and_list_shows_expiry_and_last_use(
    tmp_path: Path, database_url: str, engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    env = {"CONEX_DATABASE_URL": database_url}
    default = run("token", "staff", "--name", "ops", cwd=tmp_path, env=env)
    short = run("token", "staff", "--name", "ci", "--expires-in-days", "7", cwd=tmp_path, env=env)
    assert default.returncode == 0, default.stderr
    assert short.returncode == 0, short.stderr
    (token,) = [line for line in short.stdout.splitlines() if line.startswith("cnxs_")]
    async with engine.connect() as conn:
        rows = (await conn.execute(select(ApiToken).order_by(ApiToken.id))).all()
    lifetimes = [(row.expires_at - row.created_at).total_seconds() / 86400 for row in rows]
    assert [round(days) for days in lifetimes] == [90, 7]
    assert "expires " in short.stdout

    used = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert used.status_code == 200
    listed = run("token", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    header, ops, ci = listed.stdout.splitlines()
    assert "EXPIRES" in header and "LAST USED" in header
    now = dt.datetime.now(dt.UTC)
    assert f"{now + dt.timedelta(days=90):%Y-%m-%d}" in ops
    assert "live" in ops and "never" in ops  # never used
    assert f"{now + dt.timedelta(days=7):%Y-%m-%d}" in ci
    assert ci.count(f"{now:%Y-%m-%d}") == 2  # created and last used today

    async with engine.begin() as conn:
        await conn.execute(update(ApiToken).values(expires_at=now - dt.timedelta(days=1)))
    expired = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert expired.status_code == 401
    listed = run("token", "list", cwd=tmp_path, env=env)
    assert all("expired" in line for line in listed.stdout.splitlines()[1:])


def test_staff_token_lifetime_is_checked(tmp_path: Path) -> None:
    for days in ("0", "3651", "ninety"):
        result = run("token", "staff", "--name", "x", "--expires-in-days", days, cwd=tmp_path)
        assert_one_line_error(result, "--expires-in-days")


def test_demo_data_if_empty_loads_once(tmp_path: Path, migrated_url: str) -> None:
    env = {"CONEX_DATABASE_URL": migrated_url}
    loaded = run("demo-data", "--if-empty", "--accounts", "10", cwd=tmp_path, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "alice@example.com" in loaded.stdout  # the summary names the demo logins
    again = run("demo-data", "--if-empty", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert "no demo data loaded" in again.stdout


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    result = run("export-schema", "--output", "out.graphql", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.graphql").read_text() == str(build_schema(guarded=False)) + "\n"


def test_export_schema_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export-schema", "--output", "-"]) == 0
    assert capsys.readouterr().out == str(build_schema(guarded=False)) + "\n"


def test_send_mail_writes_the_outbox_as_files_in_dev(tmp_path: Path, migrated_url: str) -> None:
    env = {"CONEX_DATABASE_URL": migrated_url, "CONEX_MAIL_DIR": str(tmp_path / "mail")}
    with sqlite3.connect(tmp_path / "cli.sqlite3") as conn:
        conn.execute(
            "INSERT INTO outgoing_mail (to_address, subject, body, template, created_at, attempts)"
            " VALUES ('a@example.com', 'Your quote', 'Hello', 'quote', CURRENT_TIMESTAMP, 0)"
        )
    result = run("send-mail", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Sent 1 message(s)" in result.stdout
    (message,) = (tmp_path / "mail").glob("*.eml")
    assert "Subject: Your quote" in message.read_text()


def test_persisted_build_writes_a_manifest_of_the_contract(tmp_path: Path) -> None:
    contract = tmp_path / "contract"
    contract.mkdir()
    (contract / "web.graphql").write_text("query Me { __typename }\n")
    (contract / "inputs.graphql").write_text("enum Ignored { A }\n")
    output = tmp_path / "persisted-operations.json"
    assert main(["persisted", "build", str(contract), "--output", str(output)]) == 0
    manifest = json.loads(output.read_text())
    assert [op["name"] for op in manifest["operations"].values()] == ["Me"]


def test_persisted_build_writes_under_var_by_default(tmp_path: Path) -> None:
    contract = tmp_path / "contract"
    contract.mkdir()
    (contract / "web.graphql").write_text("query Me { __typename }\n")
    result = run("persisted", "build", str(contract), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "persisted-operations.json").is_file()
    assert not (tmp_path / "persisted-operations.json").exists()
