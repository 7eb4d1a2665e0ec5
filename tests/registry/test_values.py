"""check_value: schema checks and IoT Central's coercions."""

from __future__ import annotations

import pytest

from emulator.device_templates.capabilities import EnumValue, Schema, SchemaField
from emulator.device_templates.values import check_value

REPORT = Schema(
    "object",
    fields=(SchemaField("maxTemp", Schema("double")), SchemaField("at", Schema("dateTime"))),
)
MODE = Schema(
    "enum", enum_values=(EnumValue("off", 0), EnumValue("on", 1)), enum_value_kind="integer"
)


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        (Schema("double"), "56", 56.0),
        (Schema("double"), 21.5, 21.5),
        (Schema("double"), 3, 3),
        (Schema("integer"), "7", 7),
        (Schema("integer"), 7.0, 7),
        (Schema("long"), 2**40, 2**40),
        (Schema("boolean"), "true", True),
        (Schema("boolean"), False, False),
        (Schema("string"), "x", "x"),
        (Schema("dateTime"), "2021-03-24T12:55:20.789Z", "2021-03-24T12:55:20.789Z"),
        (Schema("duration"), "PT30S", "PT30S"),
        (Schema("date"), "2021-03-24", "2021-03-24"),
        (MODE, 1, 1),
        (MODE, "on", 1),
        (MODE, "0", 0),
        (REPORT, {"maxTemp": "40"}, {"maxTemp": 40.0}),
        (Schema("array", element=Schema("integer")), [1, "2"], [1, 2]),
        (
            Schema("map", map_key=Schema("string"), map_value=Schema("boolean")),
            {"a": True},
            {"a": True},
        ),
        (Schema("geopoint"), {"lat": 1, "lon": 2}, {"lat": 1, "lon": 2}),
    ],
)
def test_accepted(schema, value, expected):
    assert check_value(schema, value) == expected


@pytest.mark.parametrize(
    ("schema", "value", "words"),
    [
        (Schema("double"), "warm", "number"),
        (Schema("double"), True, "number"),
        (Schema("integer"), 1.5, "whole number"),
        (Schema("integer"), 2**40, "integer between"),
        (Schema("boolean"), 1, "boolean"),
        (Schema("string"), 5, "string"),
        (Schema("dateTime"), "yesterday", "date-time"),
        (MODE, 3, "enum"),
        (REPORT, {"nope": 1}, "no field 'nope'"),
        (REPORT, {"maxTemp": "hot"}, "field 'maxTemp'"),
        (Schema("array", element=Schema("integer")), [1, "x"], "element 1"),
        (Schema("vector"), {"x": 1}, "x, y, z"),
    ],
)
def test_rejected_with_expected_type(schema, value, words):
    with pytest.raises(ValueError, match=words):
        check_value(schema, value)
