"""The API tests' world (tests/api/conftest.py), reused: the fan-out tests mutate through it."""

from tests.api.conftest import database_url, world, world_kind, world_templates
from tests.api.world import World

__all__ = ["World", "database_url", "world", "world_kind", "world_templates"]
