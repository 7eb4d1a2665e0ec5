"""The parsed form of a query: plain data the analyser and compiler read."""

from __future__ import annotations

from msgspec import Struct

Literal = str | float | int | bool


class QueryError(ValueError):
    """The query cannot run; the message says where and how to fix it."""


class Field(Struct, frozen=True):
    """A name as written: `$id`, `temperature`, `thermostat1.temperature`, or an alias."""

    path: str
    line: int
    column: int

    @property
    def is_meta(self) -> bool:
        return self.path.startswith("$")


class Projection(Struct, frozen=True):
    """One SELECT item; `field` is None for the wildcard."""

    field: Field | None
    aggregate: str | None  # lowercase function name
    alias: str | None
    line: int
    column: int

    @property
    def key(self) -> str:
        """The result key IoT Central gives this item."""
        if self.alias:
            return self.alias
        assert self.field is not None
        if self.aggregate:
            return f"{self.aggregate}_{self.field.path}"
        return self.field.path


class Comparison(Struct, frozen=True):
    field: Field
    operator: str  # one of = != < > <= >=  (`<>` is normalised to `!=`)
    value: Literal


class Membership(Struct, frozen=True):
    field: Field
    values: tuple[Literal, ...]


class Window(Struct, frozen=True):
    """WITHIN_WINDOW: a duration back from now, or a fixed [start, end] range."""

    seconds: float | None
    start: float | None
    end: float | None
    line: int
    column: int


class Logical(Struct, frozen=True):
    operator: str  # "and" | "or"
    terms: tuple[Condition, ...]


Condition = Comparison | Membership | Window | Logical


class OrderItem(Struct, frozen=True):
    field: Field
    descending: bool


class Query(Struct, frozen=True):
    top: int | None
    projections: tuple[Projection, ...]
    source: str
    where: Condition | None
    group_seconds: float | None
    order: tuple[OrderItem, ...]
