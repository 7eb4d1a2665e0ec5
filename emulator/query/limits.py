"""IoT Central's documented query limits; each breach names the limit and the way around it."""

from __future__ import annotations

from emulator.query import ast

MAX_QUERY_CHARACTERS = 350
MAX_PROJECTIONS = 15
MAX_WHERE_OPERATORS = 10
MAX_TELEMETRY_ROWS = 10_000
MAX_PROPERTY_ROWS = 1_000


def check_text(text: str) -> None:
    """Reject a query longer than IoT Central accepts, before parsing it."""
    if len(text) > MAX_QUERY_CHARACTERS:
        raise ast.QueryError(
            f"The query is {len(text)} characters long; the limit is {MAX_QUERY_CHARACTERS}"
            " characters. Select fewer items or use aliases and shorter filters."
        )


def count_operators(condition: ast.Condition | None) -> int:
    """Comparisons, IN and every AND/OR joining two terms; WITHIN_WINDOW is not an operator."""
    match condition:
        case None | ast.Window():
            return 0
        case ast.Logical(terms=terms):
            return len(terms) - 1 + sum(count_operators(t) for t in terms)
        case _:
            return 1


def check_shape(query: ast.Query) -> None:
    """The SELECT-list and WHERE limits, checked on the parsed query."""
    if len(query.projections) > MAX_PROJECTIONS:
        raise ast.QueryError(
            f"The SELECT list has {len(query.projections)} items; the limit is"
            f" {MAX_PROJECTIONS}. Split the query into several."
        )
    operators = count_operators(query.where)
    if operators > MAX_WHERE_OPERATORS:
        raise ast.QueryError(
            f"The WHERE clause uses {operators} operators; the limit is {MAX_WHERE_OPERATORS}."
            " Use IN [...] instead of chains of OR, or split the query."
        )


def row_limit(telemetry: bool) -> int:
    return MAX_TELEMETRY_ROWS if telemetry else MAX_PROPERTY_ROWS


def check_top(top: int | None, telemetry: bool) -> None:
    """TOP must be a positive count within the kind's row limit."""
    if top is None:
        return
    limit = row_limit(telemetry)
    if not 1 <= top <= limit:
        kind = "telemetry" if telemetry else "property"
        raise ast.QueryError(
            f"TOP {top} is outside 1..{limit}: a {kind} query returns at most {limit:,} rows."
        )


def check_rows(count: int, telemetry: bool) -> None:
    """Reject a result with more rows than the kind's limit."""
    limit = row_limit(telemetry)
    if count > limit:
        kind = "telemetry" if telemetry else "property"
        raise ast.QueryError(
            f"The query matches more than {limit:,} rows, the limit of a {kind} query."
            " Narrow it with WITHIN_WINDOW or WHERE, or take the first rows with TOP."
        )
