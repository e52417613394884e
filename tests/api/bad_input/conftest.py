"""Every bad-input case starts from the world with the shared objects (tests/api/world.py),
on an app whose request-cost budget no run of cases exhausts (the cost throttle is tested in
tests/api/hardening)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import Settings
from tests.conftest import TEST_SECRET_KEY


@pytest.fixture
def world_kind() -> str:
    return "objects"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="dev",
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        mail_dir=tmp_path / "mail",
        redis_url=None,
        rate_limit_capacity=1_000_000,
    )
