"""The API tests' world (tests/api/conftest.py), reused: the benchmark's shapes are built on it."""

from tests.api.conftest import database_url, world, world_kind, world_templates
from tests.api.world import World

__all__ = ["World", "database_url", "world", "world_kind", "world_templates"]
