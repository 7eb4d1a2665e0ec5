"""Random values that are valid for a DTDL schema, drawn from a seeded source."""

from __future__ import annotations

import random
from typing import Any

from emulator.device_templates.capabilities import Schema
from emulator.runtime.clock import iso_from_timestamp

_WORDS = (
    "alpha", "bravo", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "meridian", "nova", "orbit", "pulse", "quartz", "river",
)  # fmt: skip


def random_value(schema: Schema, rng: random.Random, now: float) -> Any:
    """A value of `schema`; dates and times sit near `now` (emulated epoch seconds)."""
    kind = schema.kind
    if kind in ("double", "float"):
        return round(rng.uniform(0, 100), 2)
    if kind in ("integer", "long"):
        return rng.randint(0, 100)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return f"{rng.choice(_WORDS)}-{rng.randint(0, 999)}"
    if kind == "dateTime":
        return iso_from_timestamp(now - rng.uniform(0, 86400))
    if kind == "date":
        return iso_from_timestamp(now - rng.uniform(0, 30 * 86400))[:10]
    if kind == "time":
        return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    if kind == "duration":
        return f"PT{rng.randint(1, 59)}M{rng.randint(0, 59)}S"
    if kind == "enum":
        return rng.choice(schema.enum_values).value if schema.enum_values else None
    if kind == "geopoint":
        return {
            "lat": round(rng.uniform(-80, 80), 5),
            "lon": round(rng.uniform(-180, 180), 5),
            "alt": round(rng.uniform(0, 500), 1),
        }
    if kind == "point":
        lon, lat = round(rng.uniform(-180, 180), 5), round(rng.uniform(-80, 80), 5)
        return {"type": "Point", "coordinates": [lon, lat]}
    if kind == "vector":
        return {axis: round(rng.uniform(-10, 10), 3) for axis in ("x", "y", "z")}
    if kind == "object":
        return {f.name: random_value(f.schema, rng, now) for f in schema.fields}
    if kind == "map":
        assert schema.map_value is not None
        return {
            f"{rng.choice(_WORDS)}{i}": random_value(schema.map_value, rng, now)
            for i in range(rng.randint(1, 3))
        }
    if kind == "array":
        assert schema.element is not None
        return [random_value(schema.element, rng, now) for _ in range(rng.randint(1, 3))]
    return f"{rng.choice(_WORDS)}-{rng.randint(0, 999)}"
