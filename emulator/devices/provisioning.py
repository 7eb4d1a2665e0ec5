"""Simulated devices become provisioned when they first connect, as IoT Central shows them."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import bindparam, select, update

from emulator.devices.service import plain, to_json
from emulator.devices.tables import devices
from emulator.http.etags import next_etag
from emulator.runtime.core import Runtime

_PROVISION = (
    update(devices)
    .where(devices.c.app_id == bindparam("key_app"), devices.c.id == bindparam("key_id"))
    .values(provisioned=True, etag=bindparam("new_etag"))
)


async def mark_provisioned(runtime: Runtime, *, app_id: str, device_ids: list[str]) -> None:
    """Set provisioned on those devices that are not yet, publishing each change."""
    app = runtime.apps.get(app_id)
    if app is None or not device_ids:
        return
    changed: list[dict[str, Any]] = []
    async with runtime.db.write() as conn:
        rows = await conn.execute(
            select(devices).where(
                devices.c.app_id == app_id,
                devices.c.id.in_(device_ids),
                devices.c.provisioned.is_(False),
            )
        )
        for row in rows:
            record = {**plain(row), "provisioned": True}
            record["etag"] = next_etag(row.etag, orjson.dumps(record))
            changed.append(record)
        if changed:
            await conn.execute(
                _PROVISION,
                [{"key_app": app_id, "key_id": r["id"], "new_etag": r["etag"]} for r in changed],
            )
    for record in changed:
        await runtime.events.publish("device.changed", app=app, device=to_json(record))


def install(runtime: Runtime) -> None:
    """Listen for simulated devices coming online (needs the data plane installed first)."""

    async def connected(app_id: str, sims: list[Any]) -> None:
        await mark_provisioned(runtime, app_id=app_id, device_ids=[s.device_id for s in sims])

    runtime.simulation.connect_listeners.append(connected)
