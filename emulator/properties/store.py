"""Property state of devices: desired values with versions, reports and acks, cloud values."""

from __future__ import annotations

from typing import Any

import orjson
from msgspec import Struct
from sqlalchemy import Row, bindparam, func, select
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


class Write(Struct, frozen=True):
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


TwinKey = tuple[str, str, str]  # (app id, device id, module)


class TwinWrite(Struct, frozen=True):
    """Values written to one twin (a device, or one of its modules) at once."""

    app_id: str
    device_id: str
    module: str  # "" for the device itself
    writes: tuple[Write, ...]

    @property
    def key(self) -> TwinKey:
        return (self.app_id, self.device_id, self.module)

    @property
    def sets_desired(self) -> bool:
        """Whether any value is a desired device property (which moves the twin's version)."""
        return any(not w.cloud for w in self.writes)


_LATEST_VERSIONS = (
    select(props.c.device_id, func.max(props.c.desired_version))
    .where(
        props.c.app_id == bindparam("app_id"),
        props.c.module == bindparam("module"),
        props.c.device_id.in_(bindparam("device_ids", expanding=True)),
    )
    .group_by(props.c.device_id)
)


async def _load_versions(
    conn: AsyncConnection, twins: list[TwinWrite], versions: dict[TwinKey, int]
) -> None:
    """Read the latest desired version of every twin `versions` does not know yet."""
    missing: dict[tuple[str, str], set[str]] = {}
    for twin in twins:
        if twin.key not in versions and twin.sets_desired:
            missing.setdefault((twin.app_id, twin.module), set()).add(twin.device_id)
    for (app_id, module), ids in missing.items():
        device_ids = sorted(ids)
        for start in range(0, len(device_ids), _IN_CHUNK):
            chunk = device_ids[start : start + _IN_CHUNK]
            rows = await conn.execute(
                _LATEST_VERSIONS, {"app_id": app_id, "module": module, "device_ids": chunk}
            )
            versions.update({(app_id, device_id, module): 0 for device_id in chunk})
            versions.update(((app_id, device_id, module), v or 0) for device_id, v in rows)


async def write_twins(
    conn: AsyncConnection,
    batches: WriteBehind,
    twins: list[TwinWrite],
    *,
    versions: dict[TwinKey, int],
    now: float,
) -> list[int]:
    """Store desired and cloud values of many twins with executemany; each twin's new version.

    `versions` holds the latest desired version of twins written before (read from the database
    when missing) and is advanced here: a twin's desired values share its next version, and a
    twin written twice gets two. The caller forgets it if the transaction fails.
    """
    await _load_versions(conn, twins, versions)
    answer: list[int] = []
    desired_rows: list[dict[str, Any]] = []
    cloud_rows: list[dict[str, Any]] = []
    for twin in twins:
        if twin.sets_desired:
            versions[twin.key] += 1
        version = versions.get(twin.key, 0)
        answer.append(version)
        for w in twin.writes:
            row = dict(zip(_KEY, (*twin.key, w.component or "", w.name), strict=True))
            if w.cloud:
                row.update(kind="cloud", reported=_json(w.value), reported_at=now)
                cloud_rows.append(row)
            else:
                row.update(
                    kind="device", desired=_json(w.value), desired_version=version, desired_at=now
                )
                desired_rows.append(row)
    await batches.executemany(conn, DESIRED, desired_rows)
    await batches.executemany(conn, CLOUD, cloud_rows)
    return answer


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
