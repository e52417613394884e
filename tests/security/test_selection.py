"""The one selection walker that the limits, the cost and the idempotency check share."""

from __future__ import annotations

from graphql import OperationDefinitionNode, parse, specified_rules, validate

from gateway.http.idempotency import mutation_fields
from gateway.security.limits import operation_limits
from gateway.security.selection import Selected, fields, fragments_of


def walk(document: str) -> list[Selected]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    return list(fields(operation.selection_set, fragments_of(parsed)))


def names(selected: list[Selected]) -> list[str]:
    return [s.field.name.value for s in selected]


def test_plain_fields_in_order_and_not_below_them() -> None:
    assert names(walk("{ a { b } c }")) == ["a", "c"]


def test_aliases_keep_the_schema_name_and_the_node() -> None:
    (first, second) = walk("{ x: a y: a }")
    assert [first.field.name.value, second.field.name.value] == ["a", "a"]
    assert [s.field.alias.value for s in (first, second) if s.field.alias] == ["x", "y"]


def test_inline_fragments_are_opened_with_their_type_condition() -> None:
    selected = walk("{ a ... on T { b ... { c } ... on U { d } } }")
    assert names(selected) == ["a", "b", "c", "d"]
    assert [s.conditions for s in selected] == [(), ("T",), ("T",), ("T", "U")]


def test_a_fragment_counts_each_time_it_is_spread() -> None:
    selected = walk("{ ...F a ...F } fragment F on Query { b }")
    assert names(selected) == ["b", "a", "b"]
    assert [s.seen for s in selected] == [frozenset({"F"}), frozenset(), frozenset({"F"})]
    assert selected[0].conditions == ("Query",)


def test_nested_spreads_carry_the_path_of_fragments() -> None:
    selected = walk("{ ...F } fragment F on Query { ...G } fragment G on Query { a }")
    assert names(selected) == ["a"]
    assert selected[0].seen == frozenset({"F", "G"})
    assert selected[0].conditions == ("Query", "Query")


def test_a_fragment_below_a_field_continues_with_the_seen_of_its_path() -> None:
    parsed = parse("{ ...F } fragment F on Query { a { ...F } }")
    operation = parsed.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    fragments = fragments_of(parsed)
    (a,) = fields(operation.selection_set, fragments)
    # Below ``a``, F is already on the path: the cycle stops there.
    assert list(fields(a.field.selection_set, fragments, a.seen)) == []


def test_cycles_end_the_walk() -> None:
    assert names(
        walk("{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }")
    ) == [
        "a",
        "b",
    ]
    assert names(walk("{ ...A } fragment A on Query { ...A x }")) == ["x"]


def test_unknown_fragments_are_skipped() -> None:
    assert names(walk("{ a ...Missing }")) == ["a"]


def test_a_root_fragment_cycle_is_reported_as_a_cycle_not_aborted() -> None:
    """The root-field limit walked fragments without a guard: a cycle at the root recursed
    until graphql-core aborted validation. Now the cycle is the error the client sees."""
    from gateway.schema.schema import build_schema

    schema = build_schema(guarded=False)

    rule = operation_limits(max_depth=12, max_aliases=30, max_root_fields=20)
    document = parse("query { ...A } fragment A on Query { products { id } ...A }")
    errors = validate(schema._schema, document, [*specified_rules, rule])
    assert [e.message for e in errors] == ["Cannot spread fragment 'A' within itself."]


def test_idempotency_reads_mutation_fields_through_the_walker() -> None:
    query = """mutation { ...F r: logOut { userErrors { code } } }
      fragment F on Mutation {
        ... on Mutation { logIn(email: "e", password: "p") { expiresAt } } ...F
      }"""
    assert mutation_fields(query, None) == frozenset({"logIn", "logOut"})
    assert mutation_fields("{ products { id } }", None) is None
