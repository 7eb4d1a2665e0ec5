"""IoT Central's device-group filter language (`SELECT * FROM devices WHERE ...`), parsed into
the shared condition tree and compiled to parameterized SQL over devices."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement

from emulator.devices.service import FILTER_FIELDS
from emulator.http.filters import Condition, compile_condition

GROUP_FIELDS = {
    f"${name}": FILTER_FIELDS[name]
    for name in (
        "id",
        "displayName",
        "template",
        "simulated",
        "provisioned",
        "enabled",
        "organizations",
    )
}


@lru_cache(maxsize=512)
def parse_group_filter(text: str) -> Condition | None:
    """The condition of a group filter (None selects every device); BadRequest if malformed."""
    from emulator.device_groups import grammar  # lark loads on the first group filter

    return grammar.parse(text)


def membership(text: str) -> ColumnElement[bool]:
    """The SQL condition selecting the devices a group filter matches."""
    condition = parse_group_filter(text)
    if condition is None:
        return true()
    return compile_condition(condition, GROUP_FIELDS, language="device group filter")
