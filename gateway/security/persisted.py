"""Persisted queries: Apollo's automatic persisted queries, and a safelist.

APQ: a client sends ``extensions.persistedQuery.sha256Hash``; the gateway answers
PERSISTED_QUERY_NOT_FOUND until the client sends the query text once with its hash (which
is verified), then serves the hash alone. The cache is Redis when configured (shared by
every worker), else in-process; while Redis does not answer, a hash is not found (the client
sends the text again) and nothing is cached.

Safelist: ``conex-gateway persisted build ../shared/contract`` writes a manifest of the
contract's operations (hash → operation). The manifest's operations are always known by
hash; with ``CONEX_SAFELIST_ENFORCED=true`` partner tokens and the mobile app
(``X-Conex-Client: mobile``) may run nothing else.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_CACHED = 10_000
APQ_TTL_SECONDS = 7 * 24 * 3600


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class QueryStore:
    """Hash → query text: the safelist first, then the APQ cache (Redis or in-process LRU)."""

    def __init__(self, safelist: dict[str, str], redis: Any | None = None) -> None:
        self.safelist = safelist
        self._redis = redis
        self._memory: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        if digest in self.safelist:
            return self.safelist[digest]
        if self._redis is not None:
            try:
                found = await self._redis.get(f"conex:apq:{digest}")
            except (RedisError, OSError) as exc:  # the client sends the text again
                log.warning("APQ cache: Redis is unreachable (%s)", type(exc).__name__)
                return None
            return found.decode() if isinstance(found, bytes) else found
        query = self._memory.get(digest)
        if query is not None:
            self._memory.move_to_end(digest)
        return query

    async def put(self, digest: str, query: str) -> None:
        if digest in self.safelist:
            return
        if self._redis is not None:
            try:
                await self._redis.set(f"conex:apq:{digest}", query, ex=APQ_TTL_SECONDS)
            except (RedisError, OSError) as exc:  # not cached: asked for the text next time
                log.warning("APQ cache: Redis is unreachable (%s)", type(exc).__name__)
            return
        self._memory[digest] = query
        self._memory.move_to_end(digest)
        while len(self._memory) > MAX_CACHED:
            self._memory.popitem(last=False)


def build_manifest(contract_dir: Path) -> dict[str, Any]:
    """One entry per operation of the contract: the operation with the fragments it uses,
    as a standalone document, keyed by the SHA-256 of that text (what clients hash). The
    contract's folders count too (``selfservice/``, ``live/``: operations the clients added
    later, e.g. the partner's webhook mutations and subscription), so that one build of the
    contract directory safelists every operation its clients send."""
    from graphql import print_ast
    from graphql.language import DocumentNode, FragmentDefinitionNode
    from graphql.utilities import separate_operations

    operations: dict[str, Any] = {}
    for path in sorted(contract_dir.rglob("*.graphql")):
        if path.name == "inputs.graphql":
            continue
        document = parse(path.read_text())
        for name, separated in separate_operations(document).items():
            ordered = DocumentNode(
                definitions=(
                    *(d for d in separated.definitions if isinstance(d, OperationDefinitionNode)),
                    *(d for d in separated.definitions if isinstance(d, FragmentDefinitionNode)),
                )
            )
            query = print_ast(ordered)
            operations[sha256(query)] = {"name": name, "client": path.stem, "query": query}
    return {"version": 1, "operations": operations}


def load_safelist(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    manifest = json.loads(path.read_text())
    return {digest: entry["query"] for digest, entry in manifest["operations"].items()}
