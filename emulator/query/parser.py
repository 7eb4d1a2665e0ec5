"""Text to Query: a lark LALR grammar, with syntax errors that give the position and the fix."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedInput
from lark.exceptions import UnexpectedToken, VisitError

from emulator.query import ast
from emulator.runtime.durations import parse_duration

_READABLE = {
    "SELECT": "SELECT",
    "TOP": "TOP",
    "FROM": "FROM",
    "AS": "AS",
    "WHERE": "WHERE",
    "AND": "AND",
    "OR": "OR",
    "IN": "IN",
    "WITHIN_WINDOW": "WITHIN_WINDOW",
    "GROUP": "GROUP BY",
    "BY": "BY",
    "WINDOW": "WINDOW",
    "ORDER": "ORDER BY",
    "AGGREGATE": "an aggregate (AVG, SUM, MIN, MAX, COUNT, FIRST, LAST)",
    "DIRECTION": "ASC or DESC",
    "BOOLEAN": "true or false",
    "META": "$id, $ts, $provisioned or $simulated",
    "NAME": "a telemetry or property name",
    "SOURCE": "a device template id",
    "DURATION": "an ISO-8601 duration such as PT10M or P1D",
    "INT": "a whole number",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "COMPARATOR": "a comparison (=, !=, <>, <, >, <=, >=)",
    "STAR": "'*'",
    "COMMA": "','",
    "DOT": "'.'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "$END": "the end of the query",
}


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, start="query", parser="lalr", propagate_positions=True)


def _expected(names: set[str]) -> str:
    readable = sorted({_READABLE.get(n.lstrip("_"), n) for n in names})
    return ", ".join(readable)


def _end_position(text: str) -> str:
    last_line = text.rsplit("\n", 1)[-1]
    return f"line {text.count(chr(10)) + 1}, column {len(last_line) + 1}"


def _describe(exc: UnexpectedInput, text: str) -> str:
    parser = getattr(exc, "interactive_parser", None)
    if parser is not None:
        expected = parser.accepts()
    else:
        expected = set(getattr(exc, "allowed", None) or getattr(exc, "expected", ()))
    where = f"line {exc.line}, column {exc.column}"
    if isinstance(exc, UnexpectedCharacters):
        found = f"unexpected character {text[exc.pos_in_stream]!r}"
    elif isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found = f"unexpected {exc.token.value!r}"
    else:
        where, found = _end_position(text), "the query ends too early"
    return f"Syntax error at {where}: {found}; expected {_expected(expected)}."


def _unquote(token: Token) -> str:
    quote = token.value[0]
    return token.value[1:-1].replace(quote * 2, quote)


def _timestamp(text: str, token: Token) -> float:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ast.QueryError(
            f"WITHIN_WINDOW at line {token.line}, column {token.column}: '{text}' is not an"
            " ISO-8601 time; write a range as '2021-06-13T13:00:00Z/2021-06-13T15:30:00Z'."
        ) from None
    if moment.tzinfo is None:
        raise ast.QueryError(
            f"WITHIN_WINDOW at line {token.line}, column {token.column}: '{text}' has no time"
            " zone; end it with Z (UTC) or an offset such as +02:00."
        )
    return moment.timestamp()


def _seconds(token: Token) -> float:
    try:
        seconds = parse_duration(token.value)
    except ValueError as exc:
        raise ast.QueryError(f"At line {token.line}, column {token.column}: {exc}.") from None
    if seconds <= 0:
        raise ast.QueryError(
            f"At line {token.line}, column {token.column}: the duration {token.value} is empty;"
            " give a positive one such as PT10M."
        )
    return seconds


class _ToAst(Transformer):
    """Builds ast nodes bottom-up; punctuation tokens are dropped here."""

    def query(self, items):  # type: ignore[no-untyped-def]
        clauses = dict(i for i in items if isinstance(i, tuple))
        source = next(i.value for i in items if isinstance(i, Token))
        return ast.Query(
            clauses.get("top"),
            clauses["projections"],
            source,
            clauses.get("where"),
            clauses.get("group"),
            clauses.get("order", ()),
        )

    def top(self, items):  # type: ignore[no-untyped-def]
        return ("top", int(items[0]))

    def projections(self, items):  # type: ignore[no-untyped-def]
        return ("projections", tuple(i for i in items if isinstance(i, ast.Projection)))

    def projection(self, items):  # type: ignore[no-untyped-def]
        head = items[0]
        alias = items[1].value if len(items) > 1 else None
        if isinstance(head, Token):  # the wildcard
            return ast.Projection(None, None, alias, head.line, head.column)
        if isinstance(head, tuple):
            function, field, token = head
            return ast.Projection(field, function, alias, token.line, token.column)
        return ast.Projection(head, None, alias, head.line, head.column)

    def aggregate(self, items):  # type: ignore[no-untyped-def]
        return (items[0].value.lower(), items[2], items[0])

    def field(self, items):  # type: ignore[no-untyped-def]
        first = items[0]
        if first.type == "META":
            return ast.Field(first.value.lower(), first.line, first.column)
        path = ".".join(t.value for t in items if t.type == "NAME")
        return ast.Field(path, first.line, first.column)

    def where(self, items):  # type: ignore[no-untyped-def]
        return ("where", items[0])

    def or_(self, items):  # type: ignore[no-untyped-def]
        return _logical("or", items)

    def and_(self, items):  # type: ignore[no-untyped-def]
        return _logical("and", items)

    def group_condition(self, items):  # type: ignore[no-untyped-def]
        return items[1]

    def comparison(self, items):  # type: ignore[no-untyped-def]
        field, operator, value = items
        op = "!=" if operator.value == "<>" else operator.value
        return ast.Comparison(field, op, value)

    def membership(self, items):  # type: ignore[no-untyped-def]
        field = items[0]
        values = tuple(i for i in items[1:] if not isinstance(i, Token))
        return ast.Membership(field, values)

    def window(self, items):  # type: ignore[no-untyped-def]
        token = items[1]
        if token.type == "DURATION":
            return ast.Window(_seconds(token), None, None, token.line, token.column)
        text = _unquote(token)
        if text.count("/") != 1:
            raise ast.QueryError(
                f"WITHIN_WINDOW at line {token.line}, column {token.column}: a time range is"
                " 'start/end', such as '2021-06-13T13:00:00Z/2021-06-13T15:30:00Z'."
            )
        start_text, end_text = text.split("/")
        start, end = _timestamp(start_text, token), _timestamp(end_text, token)
        if end <= start:
            raise ast.QueryError(
                f"WITHIN_WINDOW at line {token.line}, column {token.column}: the range ends"
                " before it starts; put the earlier time first."
            )
        return ast.Window(None, start, end, token.line, token.column)

    def literal(self, items):  # type: ignore[no-untyped-def]
        token = items[0]
        if token.type == "STRING":
            return _unquote(token)
        if token.type == "BOOLEAN":
            return token.value.lower() == "true"
        whole = token.value.lstrip("-").isdigit()
        return int(token.value) if whole else float(token.value)

    def group(self, items):  # type: ignore[no-untyped-def]
        return ("group", _seconds(next(t for t in items if t.type == "DURATION")))

    def order(self, items):  # type: ignore[no-untyped-def]
        return ("order", tuple(i for i in items if isinstance(i, ast.OrderItem)))

    def order_item(self, items):  # type: ignore[no-untyped-def]
        descending = len(items) > 1 and items[1].value.lower() == "desc"
        return ast.OrderItem(items[0], descending)


def _logical(operator: str, items: list) -> ast.Logical:  # type: ignore[type-arg]
    terms: list[ast.Condition] = []
    for item in items:
        if isinstance(item, ast.Logical) and item.operator == operator:
            terms.extend(item.terms)
        else:
            terms.append(item)
    return ast.Logical(operator, tuple(terms))


def parse(text: str) -> ast.Query:
    """The Query in `text`, or ast.QueryError saying where and what was expected."""
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise ast.QueryError(_describe(exc, text)) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ast.QueryError):
            raise exc.orig_exc from None
        raise
