"""The grammar: every clause, case-insensitive keywords, literals, and where errors point."""

from __future__ import annotations

import pytest

from emulator.query import ast
from emulator.query.limits import count_operators
from emulator.query.parser import parse


def test_every_clause_parses_into_the_tree() -> None:
    q = parse(
        "select top 5 $id as ID, avg(thermostat1.temperature) AS t, count(humidity)"
        " from dtmi:com:example:Thermostat;1"
        " where within_window(PT10M) and ($id in ['a', 'b'] or humidity <> -2.5)"
        " group by window(PT1M) order by ID desc, t"
    )
    assert q.top == 5 and q.source == "dtmi:com:example:Thermostat;1"
    assert [p.key for p in q.projections] == ["ID", "t", "count_humidity"]
    assert q.projections[1].aggregate == "avg"
    assert q.projections[1].field.path == "thermostat1.temperature"  # type: ignore[union-attr]
    assert q.group_seconds == 60
    assert [(o.field.path, o.descending) for o in q.order] == [("ID", True), ("t", False)]
    assert isinstance(q.where, ast.Logical) and q.where.operator == "and"
    window, either = q.where.terms
    assert isinstance(window, ast.Window) and window.seconds == 600
    assert isinstance(either, ast.Logical) and either.operator == "or"
    assert either.terms[0] == ast.Membership(either.terms[0].field, ("a", "b"))  # type: ignore[union-attr]
    assert either.terms[1].operator == "!=" and either.terms[1].value == -2.5  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["average", "orders", "country", "topValue", "asset", "byte"])
def test_names_that_start_with_keywords_stay_names(name: str) -> None:
    q = parse(f"SELECT {name} FROM t WHERE {name} = 1 ORDER BY {name}")
    assert q.projections[0].field.path == name  # type: ignore[union-attr]


def test_and_binds_tighter_than_or_and_chains_flatten() -> None:
    where = parse("SELECT a FROM t WHERE a = 1 OR b = 2 AND c = 3 OR d = 4").where
    assert isinstance(where, ast.Logical) and where.operator == "or" and len(where.terms) == 3
    assert isinstance(where.terms[1], ast.Logical) and where.terms[1].operator == "and"
    assert count_operators(where) == 7


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ("12", 12),
        ("-3", -3),
        ("2.50", 2.5),
        ("1e3", 1000.0),
        ("'it''s'", "it's"),
        ('"say ""hi"""', 'say "hi"'),
        ("TRUE", True),
        ("false", False),
    ],
)
def test_literals(literal: str, value: object) -> None:
    where = parse(f"SELECT a FROM t WHERE a = {literal}").where
    assert isinstance(where, ast.Comparison) and where.value == value
    assert type(where.value) is type(value)


def test_time_range_window() -> None:
    where = parse(
        "SELECT a FROM t WHERE WITHIN_WINDOW('2021-06-13T13:00:00Z/2021-06-13T15:30:00Z')"
    ).where
    assert isinstance(where, ast.Window)
    assert (where.start, where.end) == (1623589200.0, 1623598200.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT a FROM t WHERE WITHIN_WINDOW('2021-06-13T13:00:00/2021-06-13T15:30:00Z')",
            "no time zone",
        ),
        ("SELECT a FROM t WHERE WITHIN_WINDOW('yesterday')", "'start/end'"),
        ("SELECT a FROM t WHERE WITHIN_WINDOW('a/b')", "not an ISO-8601 time"),
        ("SELECT a FROM t WHERE WITHIN_WINDOW(P1Y)", "not an ISO-8601 duration"),
        ("SELECT a\n  FROM t\n  WHERE a = = 1", "line 3, column 13: unexpected '='"),
        ("SELECT a, FROM t", "line 1, column 16: unexpected 't'"),
        ("SELECT a FROM t ORDER BY a sideways", "line 1, column 28"),
    ],
)
def test_errors_point_at_the_problem(text: str, expected: str) -> None:
    with pytest.raises(ast.QueryError) as err:
        parse(text)
    assert expected in str(err.value)
