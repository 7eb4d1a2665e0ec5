"""Device groups: validated filters, storage, and membership computed at the moment of asking."""

from __future__ import annotations

import re
from typing import Any

import orjson
from sqlalchemy import delete, insert, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from emulator.applications.service import Application
from emulator.device_groups.query import membership
from emulator.device_groups.tables import device_groups
from emulator.devices.service import Visible, list_devices
from emulator.devices.tables import devices
from emulator.http.errors import BadRequest, NotFound
from emulator.http.etags import check_if_match, next_etag, quoted
from emulator.http.filters import Condition, FilterField, Ordering, compile_condition
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity.access import access_of
from emulator.identity.merge_patch import merge_patch
from emulator.runtime.core import Runtime

GROUP_ID = re.compile(r"^[a-zA-Z0-9_-]{1,255}$")
SORT_KEYS = {
    "id": (device_groups.c.id,),
    "displayName": (device_groups.c.display_name, device_groups.c.id),
}
FILTER_FIELDS = {
    "id": FilterField(device_groups.c.id, "string"),
    "displayName": FilterField(device_groups.c.display_name, "string"),
    "description": FilterField(device_groups.c.description, "string"),
    "organizations": FilterField(device_groups.c.organization, "string"),
}


def _not_found(group_id: str) -> NotFound:
    return NotFound(
        f"Device group '{group_id}' does not exist. List groups with GET /api/deviceGroups or"
        " create it with PUT /api/deviceGroups/{id}."
    )


def to_json(row: Any) -> dict[str, Any]:
    """The DeviceGroup as the API returns it."""
    group: dict[str, Any] = {
        "id": row.id,
        "etag": quoted(row.etag),
        "displayName": row.display_name,
        "filter": row.filter,
    }
    if row.description is not None:
        group["description"] = row.description
    if row.organization is not None:
        group["organizations"] = [row.organization]
    return group


def _group_visibility(visible: Visible) -> ColumnElement[bool]:
    return true() if visible is None else device_groups.c.organization.in_(sorted(visible))


def validate(group_id: str, body: Any) -> dict[str, Any]:
    """Column values of a DeviceGroup body; BadRequest says what is missing or malformed."""
    if not GROUP_ID.match(group_id):
        raise BadRequest(
            f"The device group id '{group_id[:80]}' is not valid; use up to 255 letters, digits,"
            " '-' and '_'."
        )
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a DeviceGroup JSON object.")
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("A device group needs a displayName.")
    text = body.get("filter")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(
            "A device group needs a filter such as SELECT * FROM devices WHERE $template ="
            ' "dtmi:..." AND $provisioned = true.'
        )
    membership(text)  # parses and type-checks; raises BadRequest naming the position
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise BadRequest("A device group's description must be text.")
    orgs = body.get("organizations") or []
    if not isinstance(orgs, list) or not all(isinstance(o, str) and o for o in orgs):
        raise BadRequest("A device group's organizations must be an array of organization ids.")
    if len(orgs) > 1:
        raise BadRequest("A device group belongs to one organization only.")
    return {
        "display_name": name,
        "filter": text,
        "description": description,
        "organization": orgs[0] if orgs else None,
    }


async def _row(conn: Any, app_id: str, group_id: str, visible: Visible = None) -> Any:
    return (
        await conn.execute(
            select(device_groups).where(
                device_groups.c.app_id == app_id,
                device_groups.c.id == group_id,
                _group_visibility(visible),
            )
        )
    ).first()


async def get_group(
    runtime: Runtime, *, app_id: str, group_id: str, visible: Visible = None
) -> dict[str, Any]:
    async with runtime.db.read() as conn:
        row = await _row(conn, app_id, group_id, visible)
    if row is None:
        raise _not_found(group_id)
    return to_json(row)


async def put_group(
    runtime: Runtime,
    *,
    app: Application,
    group_id: str,
    body: dict[str, Any],
    if_match: str | None = None,
    visible: Visible = None,
    merge: bool = False,
) -> dict[str, Any]:
    """Create or replace a group (or merge a patch into an existing one when `merge`)."""
    if not merge:
        values = validate(group_id, body)
    async with runtime.db.write() as conn:
        row = await _row(conn, app.id, group_id)
        if row is not None and visible is not None and row.organization not in visible:
            raise _not_found(group_id)
        if merge:
            if row is None:
                raise _not_found(group_id)
            values = validate(group_id, merge_patch(to_json(row), body))
        check_if_match(if_match, row.etag if row else None, f"device group '{group_id}'")
        organization = values["organization"]
        if organization is not None and organization not in access_of(runtime).tree(app.id):
            raise BadRequest(
                f"Organization '{organization}' does not exist; use an id from GET"
                " /api/organizations."
            )
        if visible is not None and organization not in visible:
            raise BadRequest(
                "Assign the group to an organization the caller belongs to (organizations)."
            )
        etag = next_etag(row.etag if row else None, orjson.dumps(values))
        if row is None:
            await conn.execute(
                insert(device_groups).values(app_id=app.id, id=group_id, etag=etag, **values)
            )
        else:
            await conn.execute(
                update(device_groups)
                .where(device_groups.c.app_id == app.id, device_groups.c.id == group_id)
                .values(etag=etag, **values)
            )
    return to_json(_Values(id=group_id, etag=etag, **values))


class _Values:
    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


async def delete_group(
    runtime: Runtime, *, app: Application, group_id: str, visible: Visible = None
) -> None:
    async with runtime.db.write() as conn:
        if await _row(conn, app.id, group_id, visible) is None:
            raise _not_found(group_id)
        await conn.execute(
            delete(device_groups).where(
                device_groups.c.app_id == app.id, device_groups.c.id == group_id
            )
        )


async def list_groups(
    runtime: Runtime,
    *,
    app_id: str,
    page: PageRequest,
    ordering: Ordering,
    condition: Condition | None = None,
    visible: Visible = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = select(device_groups).where(
        device_groups.c.app_id == app_id, _group_visibility(visible)
    )
    if condition is not None:
        query = query.where(compile_condition(condition, FILTER_FIELDS))
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(
            conn, query, keys=SORT_KEYS[ordering.field], page=page, descending=ordering.descending
        )
    return [to_json(r) for r in rows], token


async def group_devices(
    runtime: Runtime,
    *,
    app_id: str,
    group_id: str,
    page: PageRequest,
    visible: Visible = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the group's current members that the caller sees, by id."""
    group = await get_group(runtime, app_id=app_id, group_id=group_id, visible=visible)
    return await list_devices(
        runtime,
        app_id=app_id,
        page=page,
        ordering=Ordering("id", False),
        membership=membership(group["filter"]),
        visible=visible,
    )


async def member_ids(runtime: Runtime, *, app_id: str, group_id: str) -> list[str]:
    """Ids of the devices in the group now, ordered by id; NotFound if there is no such group."""
    group = await get_group(runtime, app_id=app_id, group_id=group_id)
    query = (
        select(devices.c.id)
        .where(devices.c.app_id == app_id, membership(group["filter"]))
        .order_by(devices.c.id)
    )
    async with runtime.db.read() as conn:
        return list((await conn.execute(query)).scalars())
