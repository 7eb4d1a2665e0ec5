"""The parsed form of a query: plain data the analyser and compiler read."""

from __future__ import annotations

from dataclasses import dataclass

Literal = str | float | int | bool


class QueryError(ValueError):
    """The query cannot run; the message says where and how to fix it."""


@dataclass(frozen=True)
class Field:
    """A name as written: `$id`, `temperature`, `thermostat1.temperature`, or an alias."""

    path: str
    line: int
    column: int

    @property
    def is_meta(self) -> bool:
        return self.path.startswith("$")


@dataclass(frozen=True)
class Projection:
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


@dataclass(frozen=True)
class Comparison:
    field: Field
    operator: str  # one of = != < > <= >=  (`<>` is normalised to `!=`)
    value: Literal


@dataclass(frozen=True)
class Membership:
    field: Field
    values: tuple[Literal, ...]


@dataclass(frozen=True)
class Window:
    """WITHIN_WINDOW: a duration back from now, or a fixed [start, end] range."""

    seconds: float | None
    start: float | None
    end: float | None
    line: int
    column: int


@dataclass(frozen=True)
class Logical:
    operator: str  # "and" | "or"
    terms: tuple[Condition, ...]


Condition = Comparison | Membership | Window | Logical


@dataclass(frozen=True)
class OrderItem:
    field: Field
    descending: bool


@dataclass(frozen=True)
class Query:
    top: int | None
    projections: tuple[Projection, ...]
    source: str
    where: Condition | None
    group_seconds: float | None
    order: tuple[OrderItem, ...]
