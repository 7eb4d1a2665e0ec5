"""The filter languages' syntax, parsed with lark: the boolean skeleton they share, the tree
builder, and the OData-like `filter`; loaded with the first filter a call sends."""

from __future__ import annotations

from functools import cache
from typing import Any

from lark import Lark, Token, Transformer, exceptions

from emulator.http.errors import BadRequest
from emulator.http.filters import Compare, Condition, Contains, Logical, Not

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


def parse_odata(text: str) -> Condition:
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
