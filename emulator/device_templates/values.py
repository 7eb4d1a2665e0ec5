"""Checking a value against a capability's schema, coercing what IoT Central coerces."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from typing import Any

from emulator.device_templates.capabilities import Schema
from emulator.runtime.durations import parse_duration

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_NUMBER_TEXT = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def check_value(schema: Schema, value: Any) -> Any:
    """`value` as the schema wants it, or ValueError naming the expected type."""
    checker = _CHECKERS.get(schema.kind)
    if checker is None:
        return value
    return checker(schema, value)


def _fail(expected: str, value: Any) -> ValueError:
    shown = repr(value) if not isinstance(value, str) else f'"{value}"'
    return ValueError(f"expected {expected}, got {shown[:80]}")


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _boolean(schema: Schema, value: Any) -> bool:
    if _is_bool(value):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _fail("a boolean (true or false)", value)


def _number(schema: Schema, value: Any) -> float | int:
    if isinstance(value, int | float) and not _is_bool(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail(f"a finite {schema.kind}", value)
        return value
    if isinstance(value, str) and _NUMBER_TEXT.match(value):
        return float(value)
    raise _fail(f"a number ({schema.kind})", value)


def _integer(schema: Schema, value: Any) -> int:
    number = _number(schema, value) if not isinstance(value, int) or _is_bool(value) else value
    if isinstance(number, float):
        if not number.is_integer():
            raise _fail(f"a whole number ({schema.kind})", value)
        number = int(number)
    low, high = _INT32 if schema.kind == "integer" else _INT64
    if not low <= number <= high:
        raise _fail(f"a {schema.kind} between {low} and {high}", value)
    return number


def _string(schema: Schema, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _fail("a string", value)


def _parsed(expected: str, parse: Any) -> Any:
    def check(schema: Schema, value: Any) -> str:
        if isinstance(value, str):
            try:
                parse(value)
                return value
            except ValueError:
                pass
        raise _fail(expected, value)

    return check


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))


def _object(schema: Schema, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("an object", value)
    known = {f.name: f.schema for f in schema.fields}
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            names = ", ".join(known)
            raise ValueError(f"the object has no field '{key}' (fields: {names})")
        try:
            result[key] = check_value(known[key], item)
        except ValueError as exc:
            raise ValueError(f"field '{key}': {exc}") from None
    return result


def _map(schema: Schema, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("an object (map)", value)
    assert schema.map_value is not None
    result = {}
    for key, item in value.items():
        try:
            result[key] = check_value(schema.map_value, item)
        except ValueError as exc:
            raise ValueError(f"map entry '{key}': {exc}") from None
    return result


def _array(schema: Schema, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _fail("an array", value)
    assert schema.element is not None
    result = []
    for i, item in enumerate(value):
        try:
            result.append(check_value(schema.element, item))
        except ValueError as exc:
            raise ValueError(f"element {i}: {exc}") from None
    return result


def _enum(schema: Schema, value: Any) -> int | str:
    allowed = [v.value for v in schema.enum_values]
    candidate = value
    if (
        schema.enum_value_kind == "integer"
        and isinstance(value, str | float)
        and not _is_bool(value)
    ):
        try:
            candidate = _integer(Schema("integer"), value)
        except ValueError:
            candidate = value
    if candidate in allowed and not _is_bool(candidate):
        return candidate
    by_name = {v.name: v.value for v in schema.enum_values}
    if isinstance(value, str) and value in by_name:
        return by_name[value]
    raise _fail(f"one of the enum values {allowed}", value)


def _coordinates(*names: str, optional: tuple[str, ...] = ()) -> Any:
    def check(schema: Schema, value: Any) -> dict[str, Any]:
        expected = f"an object with numbers {', '.join(names + optional)}"
        if not isinstance(value, dict) or any(n not in value for n in names):
            raise _fail(expected, value)
        if any(k not in names + optional for k in value):
            raise _fail(expected, value)
        return {k: _number(Schema("double"), v) for k, v in value.items()}

    return check


def _point(schema: Schema, value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and value.get("type") and "coordinates" in value:
        return value
    raise _fail("a GeoJSON object with type and coordinates", value)


_CHECKERS = {
    "boolean": _boolean,
    "double": _number,
    "float": _number,
    "integer": _integer,
    "long": _integer,
    "string": _string,
    "dateTime": _parsed("an ISO 8601 date-time such as 2021-03-24T12:55:20.789Z", _datetime),
    "date": _parsed("an ISO 8601 date such as 2021-03-24", date.fromisoformat),
    "time": _parsed("an ISO 8601 time such as 12:55:20", time.fromisoformat),
    "duration": _parsed("an ISO 8601 duration such as PT30S", parse_duration),
    "object": _object,
    "map": _map,
    "array": _array,
    "enum": _enum,
    "geopoint": _coordinates("lat", "lon", optional=("alt",)),
    "vector": _coordinates("x", "y", "z"),
    "point": _point,
}
