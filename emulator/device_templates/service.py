"""Device templates: validation of the wrapper and its model, storage, and the capability cache."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete, insert, select, update

from emulator.applications.service import Application
from emulator.device_templates.capabilities import CapabilityIndex
from emulator.device_templates.dtdl import ModelError, is_template_id, parse_capability_model
from emulator.device_templates.tables import device_templates
from emulator.devices.tables import devices
from emulator.http.errors import BadRequest, Conflict, NotFound
from emulator.http.etags import check_if_match, next_etag, quoted
from emulator.http.filters import Condition, FilterField, Ordering, compile_condition
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity.merge_patch import merge_patch
from emulator.runtime.core import Runtime

CACHE_KEY = "device_templates.capabilities"
SORT_KEYS = {
    "id": (device_templates.c.id,),
    "displayName": (device_templates.c.display_name, device_templates.c.id),
}
FILTER_FIELDS = {
    "@id": FilterField(device_templates.c.id, "string"),
    "id": FilterField(device_templates.c.id, "string"),
    "displayName": FilterField(device_templates.c.display_name, "string"),
    "capabilityModelId": FilterField(device_templates.c.model_id, "string"),
}


def _cache(runtime: Runtime) -> dict[tuple[str, str], CapabilityIndex | None]:
    return runtime.services.setdefault(CACHE_KEY, {})  # type: ignore[return-value]


def install(runtime: Runtime) -> None:
    """Forget cached capabilities when an application is reset."""

    async def forget(app: Application) -> None:
        cache = _cache(runtime)
        for key in [k for k in cache if k[0] == app.id]:
            del cache[key]

    runtime.reset_hooks.append(forget)


def _not_found(template_id: str) -> NotFound:
    return NotFound(
        f"Device template '{template_id}' does not exist. List templates with GET"
        " /api/deviceTemplates or create it with PUT /api/deviceTemplates/{id}."
    )


def validate(template_id: str, body: dict[str, Any]) -> tuple[dict[str, Any], CapabilityIndex]:
    """The template as it will be stored, and its capabilities; BadRequest names the JSON path."""
    if not is_template_id(template_id):
        raise BadRequest(
            f"'{template_id}' is not a valid device template id; use a DTMI such as"
            " dtmi:contoso:thermostatTemplate;1."
        )
    body = {k: v for k, v in body.items() if k != "etag"}
    given_id = body.get("@id")
    if given_id is not None and given_id != template_id:
        raise BadRequest(
            f"The body's @id '{given_id}' differs from the id in the URL '{template_id}'; make"
            " them equal or leave @id out."
        )
    body = {"@id": template_id, **body}
    kinds = body.get("@type")
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise BadRequest(
            'The device template needs "@type": ["ModelDefinition", "DeviceModel"] (an array'
            " of strings)."
        )
    for name in ("displayName", "description"):
        if name in body and not isinstance(body[name], str | dict):
            raise BadRequest(f"The device template's {name} must be a string.")
    if not isinstance(body.get("capabilityModel"), dict):
        raise BadRequest(
            "The device template needs a capabilityModel: a DTDL Interface object with @id,"
            ' "@type": "Interface" and contents.'
        )
    try:
        index = parse_capability_model(body["capabilityModel"])
    except ModelError as exc:
        raise BadRequest(
            f"The capability model is not valid at {exc.path}: {exc.problem}."
        ) from None
    return body, index


def to_json(row: Any) -> dict[str, Any]:
    """The template as the API returns it."""
    body = orjson.loads(row.body)
    body["etag"] = quoted(row.etag)
    return body


def _display_name(body: dict[str, Any]) -> str:
    name = body.get("displayName")
    if isinstance(name, dict):
        name = name.get("en", next(iter(name.values()), None))
    return name if isinstance(name, str) else body["@id"]


async def _row(conn: Any, app_id: str, template_id: str) -> Any:
    return (
        await conn.execute(
            select(device_templates).where(
                device_templates.c.app_id == app_id, device_templates.c.id == template_id
            )
        )
    ).first()


async def get_template(runtime: Runtime, *, app_id: str, template_id: str) -> dict[str, Any]:
    async with runtime.db.read() as conn:
        row = await _row(conn, app_id, template_id)
    if row is None:
        raise _not_found(template_id)
    return to_json(row)


async def put_template(
    runtime: Runtime,
    *,
    app: Application,
    template_id: str,
    body: dict[str, Any],
    if_match: str | None = None,
) -> dict[str, Any]:
    """Create or replace a template."""
    stored, index = validate(template_id, body)
    return await _store(
        runtime, app=app, stored=stored, index=index, if_match=if_match, must_exist=False
    )


async def patch_template(
    runtime: Runtime,
    *,
    app: Application,
    template_id: str,
    patch: dict[str, Any],
    if_match: str | None = None,
) -> dict[str, Any]:
    """Merge a patch into a template (cloud properties, overrides, names) and re-validate."""
    current = await get_template(runtime, app_id=app.id, template_id=template_id)
    if "@id" in patch and patch["@id"] != template_id:
        raise BadRequest("A template's @id cannot change; create a new template instead.")
    merged = merge_patch({k: v for k, v in current.items() if k != "etag"}, patch)
    stored, index = validate(template_id, merged)
    return await _store(
        runtime, app=app, stored=stored, index=index, if_match=if_match, must_exist=True
    )


async def _store(
    runtime: Runtime,
    *,
    app: Application,
    stored: dict[str, Any],
    index: CapabilityIndex,
    if_match: str | None,
    must_exist: bool,
) -> dict[str, Any]:
    template_id = stored["@id"]
    content = orjson.dumps(stored)
    values = {
        "display_name": _display_name(stored),
        "model_id": index.model_id or None,
        "body": content.decode(),
    }
    async with runtime.db.write() as conn:
        row = await _row(conn, app.id, template_id)
        if row is None and must_exist:
            raise _not_found(template_id)
        check_if_match(if_match, row.etag if row else None, f"template '{template_id}'")
        etag = next_etag(row.etag if row else None, content)
        if row is None:
            await conn.execute(
                insert(device_templates).values(app_id=app.id, id=template_id, etag=etag, **values)
            )
        else:
            await conn.execute(
                update(device_templates)
                .where(device_templates.c.app_id == app.id, device_templates.c.id == template_id)
                .values(etag=etag, **values)
            )
    _cache(runtime)[(app.id, template_id)] = index
    await runtime.events.publish("template.changed", app=app, template_id=template_id)
    return {**stored, "etag": quoted(etag)}


async def delete_template(runtime: Runtime, *, app: Application, template_id: str) -> None:
    """Delete a template no device uses."""
    async with runtime.db.write() as conn:
        if await _row(conn, app.id, template_id) is None:
            raise _not_found(template_id)
        used = (
            await conn.execute(
                select(devices.c.id)
                .where(devices.c.app_id == app.id, devices.c.template == template_id)
                .limit(1)
            )
        ).first()
        if used is not None:
            raise Conflict(
                f"Device template '{template_id}' is used by devices (for example '{used.id}');"
                " delete those devices or migrate them to another template first."
            )
        await conn.execute(
            delete(device_templates).where(
                device_templates.c.app_id == app.id, device_templates.c.id == template_id
            )
        )
    _cache(runtime).pop((app.id, template_id), None)
    await runtime.events.publish("template.changed", app=app, template_id=template_id)


async def list_templates(
    runtime: Runtime,
    *,
    app_id: str,
    page: PageRequest,
    ordering: Ordering,
    condition: Condition | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of templates, and the next page's token."""
    query = select(device_templates).where(device_templates.c.app_id == app_id)
    if condition is not None:
        query = query.where(compile_condition(condition, FILTER_FIELDS))
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(
            conn, query, keys=SORT_KEYS[ordering.field], page=page, descending=ordering.descending
        )
    return [to_json(r) for r in rows], token


async def template_exists(conn: Any, *, app_id: str, template_id: str) -> bool:
    """Whether the template exists, inside the caller's transaction."""
    found = await conn.execute(
        select(device_templates.c.id).where(
            device_templates.c.app_id == app_id, device_templates.c.id == template_id
        )
    )
    return found.first() is not None


async def get_capabilities(
    runtime: Runtime, *, app_id: str, template_id: str
) -> CapabilityIndex | None:
    """The template's capability index (cached), or None when the template does not exist."""
    cache = _cache(runtime)
    key = (app_id, template_id)
    if key in cache:
        return cache[key]
    async with runtime.db.read() as conn:
        row = await _row(conn, app_id, template_id)
    if row is None:
        return None
    index = parse_capability_model(orjson.loads(row.body)["capabilityModel"])
    cache[key] = index
    return index
