"""Command history: the latest call of a command, as GET .../commands/{name} returns it."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.commands.tables import device_commands as commands

_KEY = ["app_id", "device_id", "module", "component", "name"]


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def to_json(
    *,
    id: str,
    request: Any,
    response: Any,
    response_code: int | None,
    connection_timeout: int,
    response_timeout: int,
) -> dict[str, Any]:
    """A DeviceCommand; response fields are left out when the device never answered."""
    body: dict[str, Any] = {
        "id": id,
        "connectionTimeout": connection_timeout,
        "responseTimeout": response_timeout,
    }
    if request is not None:
        body["request"] = request
    if response is not None:
        body["response"] = response
    if response_code is not None:
        body["responseCode"] = response_code
    return body


async def record(
    conn: AsyncConnection,
    *,
    app_id: str,
    device_id: str,
    module: str | None,
    component: str | None,
    name: str,
    call: dict[str, Any],
    now: float,
) -> None:
    """Keep `call` (a DeviceCommand) as the latest invocation of this command."""
    change = {
        "id": call["id"],
        "request": _json(call.get("request")),
        "response": _json(call.get("response")),
        "response_code": call.get("responseCode"),
        "connection_timeout": call["connectionTimeout"],
        "response_timeout": call["responseTimeout"],
        "ts": now,
    }
    key = dict(zip(_KEY, (app_id, device_id, module or "", component or "", name), strict=True))
    statement = insert(commands).values(**key, **change)
    await conn.execute(statement.on_conflict_do_update(index_elements=_KEY, set_=change))


async def latest(
    conn: AsyncConnection,
    *,
    app_id: str,
    device_id: str,
    module: str | None,
    component: str | None,
    name: str,
) -> dict[str, Any] | None:
    """The latest invocation as a DeviceCommand, or None if the command never ran."""
    row = (
        await conn.execute(
            select(commands).where(
                commands.c.app_id == app_id,
                commands.c.device_id == device_id,
                commands.c.module == (module or ""),
                commands.c.component == (component or ""),
                commands.c.name == name,
            )
        )
    ).first()
    if row is None:
        return None
    return to_json(
        id=row.id,
        request=None if row.request is None else orjson.loads(row.request),
        response=None if row.response is None else orjson.loads(row.response),
        response_code=row.response_code,
        connection_timeout=row.connection_timeout,
        response_timeout=row.response_timeout,
    )
