"""Property state of devices: desired values with versions, reports and acks, cloud values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Row, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.properties.tables import device_properties as props
from emulator.runtime.clock import iso_from_timestamp
from emulator.store.batches import WriteBehind

_KEY = ["app_id", "device_id", "module", "component", "name"]
_IN_CHUNK = 500  # ids per IN (...) query

_report = insert(props)
REPORT = _report.on_conflict_do_update(
    index_elements=_KEY,
    set_={"reported": _report.excluded.reported, "reported_at": _report.excluded.reported_at},
)
_ack = insert(props)
ACK = _ack.on_conflict_do_update(
    index_elements=_KEY,
    set_={
        "reported": func.coalesce(_ack.excluded.reported, props.c.reported),
        "reported_at": _ack.excluded.reported_at,
        "ack_version": _ack.excluded.ack_version,
        "ack_code": _ack.excluded.ack_code,
        "ack_description": _ack.excluded.ack_description,
    },
)


@dataclass(frozen=True)
class Write:
    """One value to store: a desired device property or a cloud property."""

    component: str | None
    name: str
    value: Any
    cloud: bool = False


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def queue_report(
    batches: WriteBehind,
    *,
    app_id: str,
    device_id: str,
    module: str | None,
    component: str | None,
    name: str,
    value: Any,
    now: float,
) -> None:
    """A read-only property the device reported; written with the next batch."""
    key = (app_id, device_id, module or "", component or "", name)
    row = dict(zip(_KEY, key, strict=True))
    row.update(kind="device", reported=_json(value), reported_at=now)
    batches.put(REPORT, key, row)


def queue_ack(
    batches: WriteBehind,
    *,
    app_id: str,
    device_id: str,
    module: str | None,
    component: str | None,
    name: str,
    version: int,
    code: int,
    description: str,
    value: Any,
    now: float,
) -> None:
    """A device's acknowledgement of a desired value (and the value it now reports)."""
    key = (app_id, device_id, module or "", component or "", name)
    row = dict(zip(_KEY, key, strict=True))
    row.update(
        kind="device",
        reported=_json(value),
        reported_at=now,
        ack_version=version,
        ack_code=code,
        ack_description=description,
    )
    batches.put(ACK, key, row)


async def read(
    conn: AsyncConnection, *, app_id: str, device_id: str, module: str | None
) -> list[Row]:
    """Every stored property of a device (or of one of its modules)."""
    query = select(props).where(
        props.c.app_id == app_id,
        props.c.device_id == device_id,
        props.c.module == (module or ""),
    )
    return list((await conn.execute(query)).all())


async def write(
    conn: AsyncConnection,
    *,
    app_id: str,
    device_id: str,
    module: str | None,
    writes: list[Write],
    now: float,
) -> int:
    """Store desired and cloud values; desired ones share the twin's next version, returned."""
    current = await conn.execute(
        select(func.max(props.c.desired_version)).where(
            props.c.app_id == app_id,
            props.c.device_id == device_id,
            props.c.module == (module or ""),
        )
    )
    version = (current.scalar() or 0) + 1
    for w in writes:
        values = {
            "app_id": app_id,
            "device_id": device_id,
            "module": module or "",
            "component": w.component or "",
            "name": w.name,
        }
        if w.cloud:
            change = {"kind": "cloud", "reported": _json(w.value), "reported_at": now}
        else:
            change = {
                "kind": "device",
                "desired": _json(w.value),
                "desired_version": version,
                "desired_at": now,
            }
        statement = insert(props).values(**values, **change)
        await conn.execute(statement.on_conflict_do_update(index_elements=_KEY, set_=change))
    return version


_desired = insert(props)
DESIRED = _desired.on_conflict_do_update(
    index_elements=_KEY,
    set_={
        "kind": _desired.excluded.kind,
        "desired": _desired.excluded.desired,
        "desired_version": _desired.excluded.desired_version,
        "desired_at": _desired.excluded.desired_at,
    },
)
_cloud = insert(props)
CLOUD = _cloud.on_conflict_do_update(
    index_elements=_KEY,
    set_={
        "kind": _cloud.excluded.kind,
        "reported": _cloud.excluded.reported,
        "reported_at": _cloud.excluded.reported_at,
    },
)


async def write_many(
    conn: AsyncConnection,
    batches: WriteBehind,
    *,
    app_id: str,
    device_ids: list[str],
    write: Write,
    now: float,
) -> dict[str, int]:
    """Store one value on many devices (no module) with executemany; each desired version."""
    versions: dict[str, int] = {}
    if not write.cloud:
        for start in range(0, len(device_ids), _IN_CHUNK):
            rows = await conn.execute(
                select(props.c.device_id, func.max(props.c.desired_version))
                .where(
                    props.c.app_id == app_id,
                    props.c.device_id.in_(device_ids[start : start + _IN_CHUNK]),
                    props.c.module == "",
                )
                .group_by(props.c.device_id)
            )
            versions.update((device_id, current or 0) for device_id, current in rows)
    versions = {d: versions.get(d, 0) + 1 for d in device_ids}
    key = {"app_id": app_id, "module": "", "component": write.component or "", "name": write.name}
    value = _json(write.value)
    if write.cloud:
        change = {"kind": "cloud", "reported": value, "reported_at": now}
        rows = [{**key, "device_id": d, **change} for d in device_ids]
        await batches.executemany(conn, CLOUD, rows)
    else:
        change = {"kind": "device", "desired": value, "desired_at": now}
        rows = [
            {**key, "device_id": d, **change, "desired_version": versions[d]} for d in device_ids
        ]
        await batches.executemany(conn, DESIRED, rows)
    return versions


async def desired(conn: AsyncConnection, *, app_id: str, device_ids: list[str]) -> list[Row]:
    """Every desired value of these devices, oldest version first (acknowledged or not)."""
    query = (
        select(props)
        .where(
            props.c.app_id == app_id,
            props.c.device_id.in_(device_ids),
            props.c.desired_version.is_not(None),
        )
        .order_by(props.c.desired_version)
    )
    return list((await conn.execute(query)).all())


def desired_value(row: Row) -> Any:
    return orjson.loads(row.desired)


def _metadata(row: Row) -> dict[str, Any]:
    if row.desired_version is None:
        return {"lastUpdateTime": iso_from_timestamp(row.reported_at)}
    meta: dict[str, Any] = {
        "desiredValue": orjson.loads(row.desired),
        "desiredVersion": row.desired_version,
        "lastUpdateTime": iso_from_timestamp(max(row.desired_at, row.reported_at or 0)),
    }
    if row.ack_version is not None:
        meta.update(
            ackVersion=row.ack_version, ackCode=row.ack_code, ackDescription=row.ack_description
        )
    return meta


def _section(rows: list[Row]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for row in rows:
        if row.reported is not None:
            body[row.name] = orjson.loads(row.reported)
        metadata[row.name] = _metadata(row)
    if metadata:
        body["$metadata"] = metadata
    return body


def render(rows: list[Row], *, component: str | None = None, nested: bool = True) -> dict:
    """DeviceProperties JSON: one component's values, or the root with components nested."""
    if not nested:
        return _section([r for r in rows if r.component == (component or "")])
    body = _section([r for r in rows if r.component == ""])
    for name in sorted({r.component for r in rows} - {""}):
        body[name] = _section([r for r in rows if r.component == name])
    return body
