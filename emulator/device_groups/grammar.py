"""The device-group filter language's syntax (`SELECT * FROM devices WHERE ...`), parsed with
lark into the shared condition tree; loaded with the first group filter."""

from __future__ import annotations

from functools import cache
from typing import Any

from lark import Lark, Token, exceptions

from emulator.http.filter_syntax import BOOLEAN_RULES, ConditionBuilder, syntax_error
from emulator.http.filters import Condition


@cache
def _grammar() -> Lark:
    """The parser, built on first use: building it is slow and most runs never filter."""
    return Lark(
        r"""
        start: SELECT "*" FROM DEVICES (WHERE or_expr)?
        value: DSTRING -> dstring
             | SSTRING -> string
             | TRUE -> true
             | FALSE -> false
             | NULL -> null
        SELECT.2: /select\b/i
        FROM.2: /from\b/i
        DEVICES.2: /devices\b/i
        WHERE.2: /where\b/i
        OP: /==|!=|<>|<=|>=|=|<|>/
        FIELD: /\$[A-Za-z][A-Za-z0-9_]*/
        DSTRING: /"(?:[^"\\]|\\.)*"/
        SSTRING: /'(?:[^']|'')*'/
        """
        + BOOLEAN_RULES,
        parser="lalr",
    )


_OPERATORS = {
    "=": "eq",
    "==": "eq",
    "!=": "ne",
    "<>": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
}
_HINT = (
    'Write it as SELECT * FROM devices WHERE $template = "dtmi:..." AND $provisioned = true,'
    " with the fields $id, $displayName, $template, $simulated, $provisioned, $enabled and"
    ' $organizations, CONTAINS($field, "text"), AND, OR, NOT and parentheses.'
)


class _GroupTree(ConditionBuilder):
    def start(self, items: list[Any]) -> Condition | None:
        rest = [i for i in items if not isinstance(i, Token)]
        return rest[0] if rest else None

    def operator(self, op: str) -> str:
        return _OPERATORS[op]

    def dstring(self, items: list[Token]) -> str:
        text = items[0][1:-1]
        return text.replace('\\"', '"').replace("\\\\", "\\")


def parse(text: str) -> Condition | None:
    """The condition of a group filter (None selects every device); BadRequest if malformed."""
    try:
        return _GroupTree().transform(_grammar().parse(text))
    except exceptions.UnexpectedInput as exc:
        raise syntax_error("device group filter", text, exc, _HINT) from None
