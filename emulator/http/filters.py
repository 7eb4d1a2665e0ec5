"""List filters: the preview OData-like `filter` and `orderby`, parsed into a small condition tree
that compiles to parameterized SQLAlchemy expressions (device groups' language shares the tree)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from lark import Lark, Token, Transformer, exceptions
from sqlalchemy import and_, func, literal, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from emulator.http.errors import BadRequest

# The condition tree -----------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # eq ne lt le gt ge
    value: Any
    position: int


@dataclass(frozen=True)
class Contains:
    field: str
    value: Any
    position: int


@dataclass(frozen=True)
class Logical:
    op: str  # and | or
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Compare | Contains | Logical | Not


@dataclass(frozen=True)
class FilterField:
    """A filterable field: its column and the JSON type its values have."""

    column: ColumnElement[Any]
    kind: str  # "string" | "boolean"


# Compiling ---------------------------------------------------------------------------------

_OPS = {
    "eq": lambda c, v: c == v,
    "ne": lambda c, v: c != v,
    "lt": lambda c, v: c < v,
    "le": lambda c, v: c <= v,
    "gt": lambda c, v: c > v,
    "ge": lambda c, v: c >= v,
}


def compile_condition(
    condition: Condition, fields: Mapping[str, FilterField], *, language: str = "filter"
) -> ColumnElement[bool]:
    """A SQL expression for the condition; BadRequest for unknown fields or mistyped values."""
    if isinstance(condition, Logical):
        parts = [compile_condition(c, fields, language=language) for c in condition.items]
        return and_(*parts) if condition.op == "and" else or_(*parts)
    if isinstance(condition, Not):
        return not_(compile_condition(condition.item, fields, language=language))
    field = fields.get(condition.field)
    if field is None:
        raise BadRequest(
            f"The {language} uses '{condition.field}' at position {condition.position + 1}, which"
            f" cannot be filtered on; use one of: {', '.join(fields)}."
        )
    value = condition.value
    if isinstance(condition, Contains):
        if field.kind != "string" or not isinstance(value, str):
            raise BadRequest(
                f"contains at position {condition.position + 1} needs a text field and a quoted"
                f" text value; '{condition.field}' is {field.kind}."
            )
        # Case-insensitive substring match; instr() needs no escaping of % or _.
        return func.instr(func.lower(field.column), literal(value.lower())) > 0
    if value is None:
        if condition.op not in ("eq", "ne"):
            raise BadRequest(f"null can only be compared with eq or ne ({language}).")
        return field.column.is_(None) if condition.op == "eq" else field.column.is_not(None)
    expected = bool if field.kind == "boolean" else str
    if not isinstance(value, expected):
        shown = "true or false" if field.kind == "boolean" else "a quoted text"
        raise BadRequest(
            f"'{condition.field}' at position {condition.position + 1} of the {language} is"
            f" {field.kind}; compare it with {shown}, not {value!r}."
        )
    return _OPS[condition.op](field.column, literal(value))


# Parse errors ------------------------------------------------------------------------------


def syntax_error(
    language: str, text: str, exc: exceptions.UnexpectedInput, hint: str
) -> BadRequest:
    """A 400 naming where `text` stopped making sense."""
    position = exc.pos_in_stream if exc.pos_in_stream is not None else -1
    at_end = isinstance(exc, exceptions.UnexpectedToken) and exc.token.type == "$END"
    if position < 0 or at_end:
        position = len(text)
    found = f"'{text[position : position + 12]}'" if position < len(text) else "the end"
    return BadRequest(
        f"The {language} is not valid at position {position + 1} (found {found}). {hint}"
    )


def _unquote_single(token: str) -> str:
    return token[1:-1].replace("''", "'")


# The boolean skeleton both filter languages share, which ConditionBuilder turns into a tree:
# each language adds its start rule, its values and its OP, FIELD and string terminals.
BOOLEAN_RULES = r"""
        ?or_expr: and_expr (OR and_expr)*
        ?and_expr: unary (AND unary)*
        ?unary: NOT unary -> negate
              | atom
        ?atom: comparison | call | "(" or_expr ")"
        comparison: FIELD OP value
        call: FUNC "(" FIELD "," value ")"
        OR.2: /or\b/i
        AND.2: /and\b/i
        NOT.2: /not\b/i
        TRUE.2: /true\b/i
        FALSE.2: /false\b/i
        NULL.2: /null\b/i
        FUNC.3: /contains(?=\s*\()/i
        %import common.WS
        %ignore WS
"""


# OData-like filter --------------------------------------------------------------------------


@cache
def _odata() -> Lark:
    """The parser, built on first use: building it is slow and most runs never filter."""
    return Lark(
        r"""
        ?start: or_expr
        value: STRING -> string
             | TRUE -> true
             | FALSE -> false
             | NULL -> null
        OP.2: /(eq|ne|lt|le|gt|ge)\b/i
        FIELD: /@?[A-Za-z_][A-Za-z0-9_]*/
        STRING: /'(?:[^']|'')*'/
        """
        + BOOLEAN_RULES,
        parser="lalr",
        propagate_positions=False,
    )


class ConditionBuilder(Transformer):  # type: ignore[type-arg]
    """Builds the condition tree from a parse tree; languages override the leaves."""

    def or_expr(self, items: list[Any]) -> Logical:
        return Logical("or", tuple(i for i in items if not isinstance(i, Token)))

    def and_expr(self, items: list[Any]) -> Logical:
        return Logical("and", tuple(i for i in items if not isinstance(i, Token)))

    def negate(self, items: list[Any]) -> Not:
        return Not(items[1])

    def operator(self, op: str) -> str:
        return op.lower()

    def comparison(self, items: list[Any]) -> Compare:
        field, op, value = items
        return Compare(str(field), self.operator(str(op)), value, field.start_pos)

    def call(self, items: list[Any]) -> Contains:
        _, field, value = items
        return Contains(str(field), value, field.start_pos)

    def string(self, items: list[Token]) -> str:
        return _unquote_single(items[0])

    def true(self, _: list[Token]) -> bool:
        return True

    def false(self, _: list[Token]) -> bool:
        return False

    def null(self, _: list[Token]) -> None:
        return None


def parse_filter(text: str) -> Condition:
    """Parse `contains(displayName, 'x') and simulated eq true` and the like."""
    try:
        return ConditionBuilder().transform(_odata().parse(text))
    except exceptions.UnexpectedInput as exc:
        raise syntax_error(
            "filter",
            text,
            exc,
            "Write comparisons as field eq|ne|lt|le|gt|ge 'text'|true|false, the function"
            " contains(field, 'text'), joined with and/or/not and parentheses.",
        ) from None


@dataclass(frozen=True)
class Ordering:
    """An `orderby` choice: the name of a sort key and its direction."""

    field: str
    descending: bool

    @property
    def token(self) -> str:
        return f"{self.field} {'desc' if self.descending else 'asc'}"


def parse_orderby(text: str | None, allowed: tuple[str, ...], default: str) -> Ordering:
    """`displayName desc` -> Ordering; BadRequest for other fields or forms."""
    if text is None or not text.strip():
        return Ordering(default, False)
    parts = text.split()
    direction = parts[1].lower() if len(parts) == 2 else "asc"
    if len(parts) > 2 or parts[0] not in allowed or direction not in ("asc", "desc"):
        raise BadRequest(
            f"orderby '{text}' is not supported; use one of {', '.join(allowed)},"
            " optionally followed by asc or desc."
        )
    return Ordering(parts[0], direction == "desc")
