"""The read API's small world, reused: the benchmark's shapes are built on it."""

from tests.api.read.conftest import World, world

__all__ = ["World", "world"]
