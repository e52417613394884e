"""The matrix starts every test from the world with the shared objects (tests/api/world.py)."""

from __future__ import annotations

import pytest

from gateway.schema.schema import GatewaySchema, build_schema


@pytest.fixture
def world_kind() -> str:
    return "objects"


@pytest.fixture(scope="session")
def shared_schema() -> GatewaySchema:
    """The process's one schema (``build_schema`` is cached), which every app of the root
    ``app`` fixture has: graphql-core's validation cache keys on the schema, and each
    contract document holds every operation of its client, so a fresh schema per cell would
    build and validate it all again ~1,200 times."""
    return build_schema()
