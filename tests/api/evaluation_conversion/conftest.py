from __future__ import annotations

from typing import Any

import pytest

from tests.api.account.world import World, build_world


@pytest.fixture
async def world(engine: Any, settings: Any) -> World:
    return await build_world(engine, settings)
