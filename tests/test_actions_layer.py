"""The layers hold (issue #12): thin resolvers over Strawberry-free actions, a pure domain,
no module over 400 lines, no SQL written outside db/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gateway.actions.ids import global_id
from gateway.schema.relay import encode_id
from gateway.schema.schema import build_schema

GATEWAY = Path(__file__).resolve().parents[1] / "gateway"
RESOLVER_MAX_LINES = 30
MODULE_MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _modules(folder: str) -> list[Path]:
    return sorted((GATEWAY / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("actions"), ids=lambda p: p.name)
def test_actions_import_no_graphql_layer(path: Path) -> None:
    bad = {
        name
        for name in _imports(path)
        if name.split(".")[0] in {"strawberry", "graphql"}
        or name.startswith(("gateway.schema", "gateway.resolvers"))
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("domain"), ids=lambda p: p.name)
def test_domain_imports_nothing_outside_the_domain(path: Path) -> None:
    bad = {
        name
        for name in _imports(path)
        if name.split(".")[0] in {"sqlalchemy", "strawberry", "graphql", "db"}
        or (name.startswith("gateway.") and not name.startswith("gateway.domain"))
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("resolvers"), ids=lambda p: p.name)
def test_resolvers_write_no_sql(path: Path) -> None:
    bad = {name for name in _imports(path) if name.split(".")[0] == "sqlalchemy"}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("resolvers"), ids=lambda p: p.name)
def test_resolver_functions_are_thin(path: Path) -> None:
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > RESOLVER_MAX_LINES
    ]
    assert not long, f"{path.name}: {long}"


def _all_modules() -> list[Path]:
    root = GATEWAY.parent
    return sorted(
        p
        for folder in ("gateway", "db")
        for p in (root / folder).rglob("*.py")
        if "migrations" not in p.parts
    )


def test_no_module_is_over_400_lines() -> None:
    big = [
        f"{p.relative_to(GATEWAY.parent)} ({n} lines)"
        for p in _all_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_MAX_LINES
    ]
    assert not big


SQL_TEXT = ("text(", "select(", "insert(", "update(", "delete(")


def test_no_sql_is_written_outside_db() -> None:
    """Statements are built in db/ only: no SQLAlchemy statement constructor is called, nor
    raw SQL text written, by a gateway module that imports sqlalchemy's builders (the
    loaders take their statements from db/queries)."""
    found = []
    for path in _all_modules():
        if path.relative_to(GATEWAY.parent).parts[0] == "db":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        builders = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
            for alias in node.names
        } & {name.rstrip("(") for name in SQL_TEXT}
        calls = [
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in builders
        ]
        if calls:
            found.append(f"{path.relative_to(GATEWAY.parent)}: {sorted(set(calls))}")
    assert not found


@pytest.mark.parametrize(("type_name", "pk"), [("Organization", 1), ("License", 2**31 - 1)])
def test_audit_ids_are_the_api_ids(type_name: str, pk: int) -> None:
    assert global_id(type_name, pk) == encode_id(type_name, pk)


def _input_fields(name: str) -> set[str]:
    found = build_schema(guarded=False)._schema.get_type(name)
    assert found is not None
    return set(found.fields)  # type: ignore[attr-defined]


def test_r_maint_6_new_or_upgrade_line_cannot_be_synced_below_12_months() -> None:
    """R-MAINT-6: synchronisation is asked for on a renewal, and (R-MAINT-9) on an upgrade
    request, where it only flags the quote: the upgrade keeps its 12 months from payment
    (tests/api/co_term/). No input of a new line can ask to shorten it."""
    assert "syncWithSens" in _input_fields("RenewalQuoteRequestInput")
    assert "syncWithSens" in _input_fields("UpgradeQuoteRequestInput")
    assert "syncWithSens" not in _input_fields("QuoteCreateInput")
    assert "syncWithSens" not in _input_fields("QuoteUpdateInput")
    assert "syncWithSens" not in _input_fields("QuoteLineInput")
