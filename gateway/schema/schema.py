"""Composes Query and Mutation (placeholder until the read API lands)."""

from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


schema = strawberry.Schema(query=Query)
