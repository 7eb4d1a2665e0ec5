"""The JSON Schema of scenario files; `python -m emulator.scenarios.schema` writes the repo copy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

SCHEMA_ID = "urn:iotc-emulator:scenario:1"
REPO_COPY = Path(__file__).parents[2] / "scenarios" / "scenario.schema.json"

_ID = {"type": "string", "minLength": 1}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_ROLE = {
    "description": "A role by display name (Operator, Org Admin, ...) or id, optionally in an"
    " organization.",
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "required": ["role"],
            "properties": {"role": {"type": "string"}, "organization": {"type": "string"}},
            "additionalProperties": False,
        },
    ],
}


def _items(description: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A list of objects with an `id`; other IoT Central fields pass through to the API."""
    return {
        "description": description,
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": _ID, **properties},
            **extra,
        },
    }


_SECTIONS: dict[str, Any] = {
    "organizations": _items(
        "Organizations, parents before children (PUT /api/organizations/{id}).",
        {"displayName": {"type": "string"}, "parent": {"type": "string"}},
        additionalProperties=False,
    ),
    "deviceTemplates": _items(
        "Device templates (PUT /api/deviceTemplates/{id}): either `modelFile`, a DTDL interface"
        " file relative to the scenario file, or the template body inline (`@type`,"
        " `displayName`, `capabilityModel`, ...).",
        {"modelFile": {"type": "string"}, "displayName": {"type": "string"}},
    ),
    "devices": _items(
        "Devices (PUT /api/devices/{id}); `faults` sets the emulator's fault profile of a"
        " simulated device (PUT /_emulator/devices/{id}/faults).",
        {
            "displayName": {"type": "string"},
            "template": {"type": "string"},
            "simulated": {"type": "boolean"},
            "enabled": {"type": "boolean"},
            "organizations": _STRINGS,
            "faults": {"type": "object"},
        },
    ),
    "deviceGroups": _items(
        "Device groups (PUT /api/deviceGroups/{id}).",
        {
            "displayName": {"type": "string"},
            "filter": {"type": "string"},
            "description": {"type": "string"},
            "organizations": _STRINGS,
        },
    ),
    "users": _items(
        "Users (PUT /api/users/{id}); `type` defaults to email.",
        {
            "type": {"type": "string"},
            "email": {"type": "string"},
            "roles": {"type": "array", "items": _ROLE},
        },
    ),
    "apiTokens": _items(
        "API tokens; `token` fixes the exact Authorization value the token is used with.",
        {
            "roles": {"type": "array", "items": _ROLE},
            "expiry": {"type": "string"},
            "token": {"type": "string", "minLength": 1},
        },
        additionalProperties=False,
    ),
    "jobs": _items(
        "Jobs, started when the scenario loads (PUT /api/jobs/{id}, api-version 2022-07-31).",
        {"displayName": {"type": "string"}, "group": {"type": "string"}, "data": {"type": "array"}},
    ),
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "IoT Central emulator scenario",
    "description": "A starting state: loaded with --scenario FILE at boot and restored by POST"
    " /_emulator/reset. Top-level sections fill the default application; `applications` adds"
    " others by subdomain.",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "seed": {"type": "integer", "description": "Seeds every random choice (overrides --seed)."},
        "clock": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "start": {
                    "type": "string",
                    "format": "date-time",
                    "description": "Emulated time when the scenario loads (RFC 3339).",
                },
                "scale": {"type": "number", "exclusiveMinimum": 0},
                "frozen": {"type": "boolean"},
            },
        },
        **_SECTIONS,
        "applications": {
            "type": "array",
            "description": "More applications, each with its own sections.",
            "items": {
                "type": "object",
                "required": ["subdomain"],
                "additionalProperties": False,
                "properties": {
                    "subdomain": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"},
                    **_SECTIONS,
                },
            },
        },
    },
}

SECTION_ORDER = tuple(_SECTIONS)


def render() -> bytes:
    """The schema as the repo keeps it: pretty-printed, keys in a stable order."""
    return orjson.dumps(SCHEMA, option=orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_COPY
    target.write_bytes(render())
    print(f"wrote {target}")
