"""Write the emulator's OpenAPI description: `python -m emulator.openapi [FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson

from emulator.app import create_app


def generate() -> bytes:
    """The description the app serves at /openapi.json, pretty-printed and stable."""
    spec = create_app().openapi()
    return orjson.dumps(spec, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi/emulator.json")
    target.write_bytes(generate())
    print(f"wrote {target}")
