"""Devices: validation, create-or-update, merge updates, deletion and keyset-paged listing."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from typing import Any

import orjson
from msgspec import Struct
from sqlalchemy import delete, or_, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from emulator.applications.service import Application
from emulator.devices.tables import device_relationships, devices
from emulator.devices.writer import DeviceWriter
from emulator.http.errors import BadRequest, Forbidden, NotFound
from emulator.http.etags import check_if_match, next_etag
from emulator.http.filters import Condition, FilterField, Ordering, compile_condition
from emulator.http.paging import PageRequest, keyset_page
from emulator.http.versions import ApiVersion
from emulator.identity.access import access_of
from emulator.identity.merge_patch import merge_patch
from emulator.runtime.core import Runtime

DEVICE_ID = re.compile(r"^[A-Za-z0-9-]{1,128}$")
MAX_DISPLAY_NAME = 148
PREVIEW_FIELDS = ("type", "deploymentManifest")
SORT_KEYS = {
    "id": (devices.c.id,),
    "displayName": (devices.c.display_name, devices.c.id),
}
FILTER_FIELDS = {
    "id": FilterField(devices.c.id, "string"),
    "displayName": FilterField(devices.c.display_name, "string"),
    "template": FilterField(devices.c.template, "string"),
    "enabled": FilterField(devices.c.enabled, "boolean"),
    "provisioned": FilterField(devices.c.provisioned, "boolean"),
    "simulated": FilterField(devices.c.simulated, "boolean"),
    "organizations": FilterField(devices.c.organization, "string"),
    "scopes": FilterField(devices.c.organization, "string"),
}

Visible = frozenset[str] | None


def device_writer(runtime: Runtime) -> DeviceWriter:
    """The process-wide batching writer of device changes."""
    writer = runtime.services.get(DeviceWriter.KEY)
    if writer is None:
        writer = runtime.services[DeviceWriter.KEY] = DeviceWriter(runtime, apply_change, to_json)
    return writer  # type: ignore[return-value]


def not_found(device_id: str) -> NotFound:
    return NotFound(
        f"Device '{device_id}' does not exist. List devices with GET /api/devices or create"
        " it with PUT /api/devices/{id}."
    )


def to_json(record: Mapping[str, Any]) -> dict[str, Any]:
    """The Device as the API returns it, from a row's mapping or a record dict."""
    device: dict[str, Any] = {
        "id": record["id"],
        "etag": record["etag"],
        "displayName": record["display_name"],
    }
    if record["template"] is not None:
        device["template"] = record["template"]
    device["simulated"] = bool(record["simulated"])
    device["provisioned"] = bool(record["provisioned"])
    device["enabled"] = bool(record["enabled"])
    if record["organization"] is not None:
        device["organizations"] = [record["organization"]]
    if record["extra"]:
        device.update(orjson.loads(record["extra"]))
    return device


def for_version(device: dict[str, Any], version: ApiVersion) -> dict[str, Any]:
    """The device without the fields this api-version does not know."""
    return device if version.preview else ga_shape(device)


def ga_shape(device: dict[str, Any]) -> dict[str, Any]:
    """The device without the fields only preview api-versions know."""
    return {k: v for k, v in device.items() if k not in PREVIEW_FIELDS}


def visibility(visible: Visible) -> ColumnElement[bool]:
    """Rows of the organizations the caller may see (every row when `visible` is None)."""
    return true() if visible is None else devices.c.organization.in_(sorted(visible))


def _check_id(device_id: str) -> None:
    if not DEVICE_ID.match(device_id):
        raise BadRequest(
            f"The device id '{device_id[:140]}' is not valid: use 1 to 128 letters, digits and"
            " '-' characters, without spaces."
        )


def _bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise BadRequest(f"The device's {name} must be true or false, not {value!r}.")
    return value


def _fields(body: Any) -> dict[str, Any]:
    """Column values named by a Device body (only the fields it sets); BadRequest if malformed."""
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a Device JSON object.")
    values: dict[str, Any] = {}
    if "displayName" in body and body["displayName"] is not None:
        name = body["displayName"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_DISPLAY_NAME:
            raise BadRequest(
                f"The device's displayName must be text of 1 to {MAX_DISPLAY_NAME} characters."
            )
        values["display_name"] = name
    if "template" in body:
        template = body["template"]
        if template is not None and (not isinstance(template, str) or not template):
            raise BadRequest("The device's template must be a device template id (a DTMI).")
        values["template"] = template
    for name in ("simulated", "enabled"):
        flag = _bool(body, name)
        if flag is not None:
            values[name] = flag
    if "organizations" in body:
        orgs = body["organizations"]
        if orgs is None:
            orgs = []
        if not isinstance(orgs, list) or not all(isinstance(o, str) and o for o in orgs):
            raise BadRequest("The device's organizations must be an array of organization ids.")
        if len(orgs) > 1:
            raise BadRequest(
                "A device belongs to one organization only; send organizations with one id."
            )
        values["organization"] = orgs[0] if orgs else None
    extra = {k: body[k] for k in PREVIEW_FIELDS if body.get(k) is not None}
    if "type" in extra and (
        not isinstance(extra["type"], list) or any(t != "iotEdge" for t in extra["type"])
    ):
        raise BadRequest('The device\'s type must be an array whose items are "iotEdge".')
    if "deploymentManifest" in extra and not isinstance(extra["deploymentManifest"], dict):
        raise BadRequest("The device's deploymentManifest must be an object.")
    values["extra"] = orjson.dumps(extra).decode() if extra else None
    return values


async def _row(conn: Any, app_id: str, device_id: str) -> Any:
    return (
        await conn.execute(
            select(devices).where(devices.c.app_id == app_id, devices.c.id == device_id)
        )
    ).first()


def _check_scope(organization: str | None, visible: Visible) -> None:
    if visible is not None and organization not in visible:
        raise Forbidden(
            "The caller's organization does not include "
            + (f"organization '{organization}'" if organization else "the root organization")
            + "; assign the device to an organization the caller belongs to."
        )


class _Serialized(Struct, frozen=True):
    """A device as stored at one write generation, serialized for both api-version families."""

    organization: str | None
    ga: bytes
    preview: bytes

    def visible_to(self, visible: Visible) -> bool:
        return visible is None or self.organization in visible


async def _serialized(runtime: Runtime, app_id: str, device_id: str) -> _Serialized | None:
    """The device from the read cache, read and serialized on a miss; None if absent."""
    cache = runtime.db.cache
    key = ("device", app_id, device_id)
    found = cache.get(key)
    if found is None:
        generation = cache.generation
        async with runtime.db.read() as conn:
            row = await _row(conn, app_id, device_id)
        if row is None:
            return None
        device = to_json(row._mapping)
        found = _Serialized(row.organization, orjson.dumps(ga_shape(device)), orjson.dumps(device))
        cache.put(key, generation, found)
    return found


async def get_device(
    runtime: Runtime, *, app_id: str, device_id: str, visible: Visible = None
) -> dict[str, Any] | None:
    """The Device JSON as the API returns it, or None (also when the caller may not see it)."""
    found = await _serialized(runtime, app_id, device_id)
    if found is None or not found.visible_to(visible):
        return None
    return orjson.loads(found.preview)


async def require_device(
    runtime: Runtime, *, app_id: str, device_id: str, visible: Visible = None
) -> dict[str, Any]:
    """The device, or NotFound."""
    found = await get_device(runtime, app_id=app_id, device_id=device_id, visible=visible)
    if found is None:
        raise not_found(device_id)
    return found


async def device_body(
    runtime: Runtime, *, app_id: str, device_id: str, version: ApiVersion, visible: Visible = None
) -> bytes:
    """The device's JSON as `version` returns it, serialized once per write; or NotFound."""
    found = await _serialized(runtime, app_id, device_id)
    if found is None or not found.visible_to(visible):
        raise not_found(device_id)
    return found.preview if version.preview else found.ga


class Change(Struct, frozen=True):
    """One PUT (values) or PATCH (patch) of a device, as checked before it meets the database."""

    app: Application
    device_id: str
    values: dict[str, Any] | None
    patch: dict[str, Any] | None
    if_match: str | None
    visible: Visible
    organizations: Container[str]  # the application's organizations when the change was made

    @property
    def template(self) -> str | None:
        """The template the change names, if any (checked against the database in a batch)."""
        source = self.values if self.values is not None else self.patch or {}
        template = source.get("template")
        return template if isinstance(template, str) else None


def apply_change(
    change: Change,
    current: dict[str, Any] | None,
    *,
    template_known: Callable[[str], bool],
    now: float,
) -> dict[str, Any]:
    """The device's record after the change; ApiError says why the change cannot apply."""
    device_id, visible = change.device_id, change.visible
    if current is not None and visible is not None and current["organization"] not in visible:
        if change.patch is not None:
            raise not_found(device_id)
        _check_scope(current["organization"], visible)
    if change.patch is not None:
        if current is None:
            raise not_found(device_id)
        values = _fields(merge_patch(to_json(current), change.patch))
    else:
        values = dict(change.values or {})
    check_if_match(change.if_match, current["etag"] if current else None, f"device '{device_id}'")
    template = values.get("template")
    changed = template is not None and (current is None or template != current["template"])
    if changed and not template_known(template):
        raise BadRequest(
            f"Device template '{template}' does not exist. Use the id of a template"
            " from GET /api/deviceTemplates (its @id, not the capability model's @id)."
        )
    organization = values.get("organization", current["organization"] if current else None)
    moved = current is None or organization != current["organization"]
    if organization is not None and moved and organization not in change.organizations:
        raise BadRequest(
            f"Organization '{organization}' does not exist; use an id from GET"
            " /api/organizations or create it with PUT /api/organizations/{id}."
        )
    _check_scope(organization, visible)
    if current is None:
        record = {
            "app_id": change.app.id,
            "id": device_id,
            "display_name": device_id,
            "template": None,
            "simulated": False,
            "provisioned": False,
            "enabled": True,
            "organization": None,
            "created_at": now,
            "attestation": None,
            **values,
        }
    else:
        record = {**current, **values}
        if change.patch is None and values.get("extra") is None:
            record["extra"] = current["extra"]
    record["etag"] = next_etag(current["etag"] if current else None, orjson.dumps(record))
    return record


async def put_device(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    body: dict[str, Any],
    if_match: str | None = None,
    visible: Visible = None,
) -> dict[str, Any]:
    """Create a device, or update the fields the body names when it exists."""
    _check_id(device_id)
    change = Change(
        app, device_id, _fields(body), None, if_match, visible, _organizations(runtime, app)
    )
    return await device_writer(runtime).submit(change)


async def patch_device(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    patch: dict[str, Any],
    if_match: str | None = None,
    visible: Visible = None,
) -> dict[str, Any]:
    """Merge a patch into an existing device."""
    change = Change(app, device_id, None, patch, if_match, visible, _organizations(runtime, app))
    return await device_writer(runtime).submit(change)


def _organizations(runtime: Runtime, app: Application) -> Container[str]:
    return access_of(runtime).tree(app.id)


def plain(row: Any) -> dict[str, Any]:
    """A row's values keyed by plain strings (column names are str subclasses)."""
    return {str(k): v for k, v in row._mapping.items()}


async def set_provisioned(
    runtime: Runtime, *, app: Application, device_id: str, provisioned: bool = True
) -> dict[str, Any] | None:
    """Mark a device provisioned (it connected) or not; None if the device does not exist."""
    async with runtime.db.write() as conn:
        row = await _row(conn, app.id, device_id)
        if row is None:
            return None
        if bool(row.provisioned) == provisioned:
            return to_json(row._mapping)
        record = {**plain(row), "provisioned": provisioned}
        record["etag"] = next_etag(row.etag, orjson.dumps(record))
        await conn.execute(
            update(devices)
            .where(devices.c.app_id == app.id, devices.c.id == device_id)
            .values(provisioned=provisioned, etag=record["etag"])
        )
    device = to_json(record)
    await runtime.events.publish("device.changed", app=app, device=device)
    return device


async def delete_device(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    if_match: str | None = None,
    visible: Visible = None,
) -> None:
    """Delete a device and the relationships it takes part in."""
    async with runtime.db.write() as conn:
        row = await _row(conn, app.id, device_id)
        if row is None or (visible is not None and row.organization not in visible):
            raise not_found(device_id)
        check_if_match(if_match, row.etag, f"device '{device_id}'")
        await conn.execute(
            delete(devices).where(devices.c.app_id == app.id, devices.c.id == device_id)
        )
        await conn.execute(
            delete(device_relationships).where(
                device_relationships.c.app_id == app.id,
                or_(
                    device_relationships.c.device_id == device_id,
                    device_relationships.c.target == device_id,
                    device_relationships.c.source == device_id,
                ),
            )
        )
    await runtime.events.publish("device.deleted", app=app, device_id=device_id)


async def list_devices(
    runtime: Runtime,
    *,
    app_id: str,
    page: PageRequest,
    ordering: Ordering,
    condition: Condition | None = None,
    membership: ColumnElement[bool] | None = None,
    visible: Visible = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the devices the caller sees (optionally of a group), and the next token."""
    # Plain pages (no filter, no group) are what clients poll; they stay cached until a write.
    cacheable = condition is None and membership is None
    key = ("devices-page", app_id, page, ordering, visible)
    cache = runtime.db.cache
    cached = cache.get(key) if cacheable else None
    if cached is None:
        generation = cache.generation
        query = select(devices).where(devices.c.app_id == app_id, visibility(visible))
        if condition is not None:
            query = query.where(compile_condition(condition, FILTER_FIELDS))
        if membership is not None:
            query = query.where(membership)
        async with runtime.db.read() as conn:
            rows, token = await keyset_page(
                conn,
                query,
                keys=SORT_KEYS[ordering.field],
                page=page,
                descending=ordering.descending,
            )
        cached = ([to_json(r._mapping) for r in rows], token)
        if cacheable:
            cache.put(key, generation, cached)
    items, token = cached
    return [dict(item) for item in items], token
