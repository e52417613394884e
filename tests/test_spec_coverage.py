"""Every business rule of SPEC.md is proved by a test that names it.

A rule is cited when a test function's name holds its id (``test_r_maint_4_…``) or the
test's docstring, or its module's docstring, names it (``R-MAINT-4``). A new rule in SPEC
without a test fails here.

SPEC.md lives in ``../shared``: without it beside the checkout these tests are skipped, except
under ``CONEX_REQUIRE_SHARED=1`` (CI), where its absence fails them.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from tests.helpers import SHARED, require_shared

TESTS = Path(__file__).resolve().parent
SPEC = SHARED / "SPEC.md"
RULE = re.compile(r"\*\*(R-[A-Z]+-\d+)\*\*")
CITED = re.compile(r"\bR-[A-Z]+-\d+\b")


def spec_rules() -> list[str]:
    """The rule ids of SPEC.md; none when ../shared is absent (the tests then skip or fail)."""
    if not SPEC.exists():
        return []
    return sorted(set(RULE.findall(SPEC.read_text(encoding="utf-8"))))


def spec() -> None:
    """Skip without ../shared, fail under CONEX_REQUIRE_SHARED=1; fail if SPEC.md is gone."""
    require_shared("SPEC rule coverage")
    assert SPEC.is_file(), f"{SPEC} is missing from ../shared"


@functools.cache
def cited_rules() -> frozenset[str]:
    cited: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_doc = ast.get_docstring(tree) or ""
        tests = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        ]
        if tests:
            cited.update(CITED.findall(module_doc))
        for node in tests:
            cited.update(CITED.findall(ast.get_docstring(node) or ""))
            name = node.name.upper().replace("_", "-")
            cited.update(CITED.findall(name.replace("TEST-", "", 1)))
    return frozenset(cited)


def test_spec_has_rules() -> None:
    spec()
    assert len(spec_rules()) > 40


# Without SPEC.md one placeholder case, which skips (or fails under CONEX_REQUIRE_SHARED=1)
# with the reason, rather than pytest's anonymous "empty parameter set".
@pytest.mark.parametrize("rule", spec_rules() or ["no-spec"])
def test_every_spec_rule_is_cited_by_a_test(rule: str) -> None:
    spec()
    assert rule in cited_rules(), f"no test names {rule}"
