"""Every business rule of SPEC.md is proved by a test that names it.

A rule is cited when a test function's name holds its id (``test_r_maint_4_…``) or the
test's docstring, or its module's docstring, names it (``R-MAINT-4``). A new rule in SPEC
without a test fails here.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SPEC = TESTS.parent.parent / "shared" / "SPEC.md"
RULE = re.compile(r"\*\*(R-[A-Z]+-\d+)\*\*")
CITED = re.compile(r"\bR-[A-Z]+-\d+\b")


def spec_rules() -> list[str]:
    if not SPEC.exists():
        pytest.fail(f"{SPEC} is missing: the suite runs with ../shared beside the checkout")
    return sorted(set(RULE.findall(SPEC.read_text(encoding="utf-8"))))


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
    assert len(spec_rules()) > 40


@pytest.mark.parametrize("rule", spec_rules())
def test_every_spec_rule_is_cited_by_a_test(rule: str) -> None:
    assert rule in cited_rules(), f"no test names {rule}"
