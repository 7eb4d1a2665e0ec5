"""List filters: the preview OData-like `filter` and `orderby`, parsed into a small condition tree
that compiles to parameterized SQLAlchemy expressions (device groups' language shares the tree)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct
from sqlalchemy import and_, func, literal, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from emulator.http.errors import BadRequest

# The condition tree -----------------------------------------------------------------------


class Compare(Struct, frozen=True):
    field: str
    op: str  # eq ne lt le gt ge
    value: Any
    position: int


class Contains(Struct, frozen=True):
    field: str
    value: Any
    position: int


class Logical(Struct, frozen=True):
    op: str  # and | or
    items: tuple[Condition, ...]


class Not(Struct, frozen=True):
    item: Condition


Condition = Compare | Contains | Logical | Not


class FilterField(Struct, frozen=True):
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


# Parsing -----------------------------------------------------------------------------------


def parse_filter(text: str) -> Condition:
    """Parse `contains(displayName, 'x') and simulated eq true` and the like."""
    from emulator.http.filter_syntax import parse_odata  # lark loads on the first filter

    return parse_odata(text)


class Ordering(Struct, frozen=True):
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
