"""Device relationships (gateway to downstream device), listed under the device they belong to."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, insert, select, update

from emulator.applications.service import Application
from emulator.devices.service import Visible, require_device
from emulator.devices.tables import device_relationships, devices
from emulator.http.errors import BadRequest, NotFound
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity.merge_patch import merge_patch
from emulator.runtime.core import Runtime

RELATIONSHIP_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
table = device_relationships


def to_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "source": row.source, "target": row.target}


def _where(app_id: str, device_id: str, relationship_id: str) -> Any:
    return (
        (table.c.app_id == app_id)
        & (table.c.device_id == device_id)
        & (table.c.id == relationship_id)
    )


def _not_found(device_id: str, relationship_id: str) -> NotFound:
    return NotFound(
        f"Device '{device_id}' has no relationship '{relationship_id}'; list them with GET"
        f" /api/devices/{device_id}/relationships."
    )


async def get_relationship(
    runtime: Runtime, *, app_id: str, device_id: str, relationship_id: str, visible: Visible = None
) -> dict[str, Any]:
    await require_device(runtime, app_id=app_id, device_id=device_id, visible=visible)
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(select(table).where(_where(app_id, device_id, relationship_id)))
        ).first()
    if row is None:
        raise _not_found(device_id, relationship_id)
    return to_json(row)


async def list_relationships(
    runtime: Runtime, *, app_id: str, device_id: str, page: PageRequest, visible: Visible = None
) -> tuple[list[dict[str, Any]], str | None]:
    await require_device(runtime, app_id=app_id, device_id=device_id, visible=visible)
    query = select(table).where(table.c.app_id == app_id, table.c.device_id == device_id)
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=(table.c.id,), page=page)
    return [to_json(r) for r in rows], token


async def put_relationship(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    relationship_id: str,
    body: dict[str, Any],
    visible: Visible = None,
    merge: bool = False,
) -> dict[str, Any]:
    """Create or replace a relationship (or merge into an existing one when `merge`)."""
    if not RELATIONSHIP_ID.match(relationship_id):
        raise BadRequest(
            f"The relationship id '{relationship_id[:80]}' is not valid; use up to 255 letters,"
            " digits, '-' and '_'."
        )
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    async with runtime.db.write() as conn:
        row = (
            await conn.execute(select(table).where(_where(app.id, device_id, relationship_id)))
        ).first()
        if merge:
            if row is None:
                raise _not_found(device_id, relationship_id)
            body = merge_patch(to_json(row), body)
        source = body.get("source") or device_id
        target = body.get("target")
        if not isinstance(source, str) or not isinstance(target, str) or not target:
            raise BadRequest("A relationship needs target: the id of the downstream device.")
        if target == source:
            raise BadRequest("A relationship's target must be another device than its source.")
        for other in {source, target} - {device_id}:
            exists = await conn.execute(
                select(devices.c.id).where(devices.c.app_id == app.id, devices.c.id == other)
            )
            if exists.first() is None:
                raise BadRequest(f"Device '{other}' named in the relationship does not exist.")
        values = {"source": source, "target": target}
        if row is None:
            await conn.execute(
                insert(table).values(
                    app_id=app.id, device_id=device_id, id=relationship_id, **values
                )
            )
        else:
            await conn.execute(
                update(table).where(_where(app.id, device_id, relationship_id)).values(**values)
            )
    return {"id": relationship_id, **values}


async def delete_relationship(
    runtime: Runtime, *, app_id: str, device_id: str, relationship_id: str, visible: Visible = None
) -> None:
    await get_relationship(
        runtime,
        app_id=app_id,
        device_id=device_id,
        relationship_id=relationship_id,
        visible=visible,
    )
    async with runtime.db.write() as conn:
        await conn.execute(delete(table).where(_where(app_id, device_id, relationship_id)))
