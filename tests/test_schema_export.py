"""The committed schema.graphql is the export of the code (CONVENTIONS habit 2)."""

from __future__ import annotations

import difflib
from pathlib import Path

from gateway.schema.schema import build_schema

COMMITTED = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_committed_schema_equals_the_export() -> None:
    exported = str(build_schema(guarded=False)) + "\n"
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != exported:
        diff = difflib.unified_diff(
            committed.splitlines(), exported.splitlines(), "schema.graphql", "export", lineterm=""
        )
        raise AssertionError(
            "schema.graphql is not the export of the code; run `make schema` and commit it:\n"
            + "\n".join(list(diff)[:80])
        )
