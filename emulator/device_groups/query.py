"""IoT Central's device-group filter language (`SELECT * FROM devices WHERE ...`), parsed with
a grammar into the shared condition tree and compiled to parameterized SQL over devices."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from lark import Lark, Token, exceptions
from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement

from emulator.devices.service import FILTER_FIELDS
from emulator.http.filters import (
    BOOLEAN_RULES,
    Condition,
    ConditionBuilder,
    compile_condition,
    syntax_error,
)


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
GROUP_FIELDS = {
    f"${name}": FILTER_FIELDS[name]
    for name in (
        "id",
        "displayName",
        "template",
        "simulated",
        "provisioned",
        "enabled",
        "organizations",
    )
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


@lru_cache(maxsize=512)
def parse_group_filter(text: str) -> Condition | None:
    """The condition of a group filter (None selects every device); BadRequest if malformed."""
    try:
        return _GroupTree().transform(_grammar().parse(text))
    except exceptions.UnexpectedInput as exc:
        raise syntax_error("device group filter", text, exc, _HINT) from None


def membership(text: str) -> ColumnElement[bool]:
    """The SQL condition selecting the devices a group filter matches."""
    condition = parse_group_filter(text)
    if condition is None:
        return true()
    return compile_condition(condition, GROUP_FIELDS, language="device group filter")
