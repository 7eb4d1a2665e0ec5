"""The rules of Microsoft.IoTCentral/iotApps: names, subdomains, create, update, delete."""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

import orjson
from msgspec import Struct
from msgspec.structs import replace
from sqlalchemy import delete, insert, select, update

from emulator.applications.service import Application
from emulator.control_plane import catalog
from emulator.control_plane.errors import ArmError
from emulator.control_plane.tables import iot_apps
from emulator.runtime.clock import iso_from_timestamp
from emulator.runtime.core import Runtime

_NAME = re.compile(r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{2,99}[a-zA-Z0-9]$")
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_RESOURCE_TYPE = "IoTApps"
_DEFAULT_NETWORK: dict[str, Any] = {
    "publicNetworkAccess": "Enabled",
    "networkRuleSets": {
        "applyToDevices": False,
        "applyToIoTCentral": False,
        "defaultAction": "Allow",
        "ipRules": [],
    },
}


class IotApp(Struct, frozen=True):
    """One iotApps resource and the application it stands for."""

    application_id: str
    subscription_id: str
    resource_group: str
    name: str
    location: str
    sku: str
    display_name: str
    template: str
    tags: dict[str, str]
    identity: dict[str, str]
    network: dict[str, Any]
    created_at: float


class ControlPlaneState(Struct):
    """Long-running operations of this process; they finish as soon as they are accepted."""

    operations: dict[str, dict[str, Any]]
    ids: random.Random


def install(runtime: Runtime) -> None:
    """Give the runtime the control plane's in-memory state."""
    runtime.services["control_plane"] = ControlPlaneState(
        operations={}, ids=runtime.randomness.stream("control-plane", "operations")
    )


def _state(runtime: Runtime) -> ControlPlaneState:
    return runtime.services["control_plane"]  # type: ignore[return-value]


def _row_to_app(row: Any) -> IotApp:
    return IotApp(
        application_id=row.application_id,
        subscription_id=row.subscription_id,
        resource_group=row.resource_group,
        name=row.name,
        location=row.location,
        sku=row.sku,
        display_name=row.display_name,
        template=row.template,
        tags=orjson.loads(row.tags),
        identity=orjson.loads(row.identity),
        network=orjson.loads(row.network),
        created_at=row.created_at,
    )


def name_problem(name: str) -> str | None:
    """Why an ARM resource name is not acceptable, or None."""
    if _NAME.match(name):
        return None
    return (
        f"The name '{name}' is invalid: use 3 to 100 letters, digits or hyphens, not starting"
        " with a hyphen, not ending with one, and not only digits."
    )


def subdomain_problem(subdomain: str) -> str | None:
    """Why a subdomain is not acceptable, or None."""
    if _SUBDOMAIN.match(subdomain):
        return None
    return (
        f"The subdomain '{subdomain}' is invalid: use 1 to 63 lowercase letters, digits or"
        " hyphens, starting and ending with a letter or digit."
    )


def _check_type(resource_type: str | None) -> None:
    if (resource_type or _RESOURCE_TYPE).lower() != _RESOURCE_TYPE.lower():
        raise ArmError(
            f'The type \'{resource_type}\' is not checked here; send "type": "IoTApps".',
            code="InvalidRequestContent",
        )


async def _find_by_name(runtime: Runtime, name: str) -> IotApp | None:
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(select(iot_apps).where(iot_apps.c.name_key == name.lower()))
        ).first()
    return _row_to_app(row) if row else None


async def check_name(*, runtime: Runtime, name: str, resource_type: str | None) -> dict[str, Any]:
    """AppAvailabilityInfo for a resource name (names are unique across the emulator)."""
    _check_type(resource_type)
    problem = name_problem(name)
    if problem:
        return {"nameAvailable": False, "reason": "Invalid", "message": problem}
    if await _find_by_name(runtime, name):
        return {
            "nameAvailable": False,
            "reason": "AlreadyExists",
            "message": f"An IoT Central application named '{name}' already exists.",
        }
    return {"nameAvailable": True}


async def check_subdomain(
    *, runtime: Runtime, subdomain: str, resource_type: str | None
) -> dict[str, Any]:
    """AppAvailabilityInfo for a subdomain, including those of the applications of the boot."""
    _check_type(resource_type)
    problem = subdomain_problem(subdomain)
    if problem:
        return {"nameAvailable": False, "reason": "Invalid", "message": problem}
    if runtime.apps.taken(subdomain):
        return {
            "nameAvailable": False,
            "reason": "AlreadyExists",
            "message": f"The subdomain '{subdomain}' is already in use by another application.",
        }
    return {"nameAvailable": True}


def _not_found(subscription: str, resource_group: str, name: str) -> ArmError:
    return ArmError(
        f"The Resource 'Microsoft.IoTCentral/IoTApps/{name}' under resource group"
        f" '{resource_group}' of subscription '{subscription}' was not found. List the"
        " applications with GET .../providers/Microsoft.IoTCentral/iotApps.",
        status=404,
        code="ResourceNotFound",
    )


async def get(*, runtime: Runtime, subscription: str, resource_group: str, name: str) -> IotApp:
    """The resource, or ResourceNotFound (names compare case-insensitively, as in ARM)."""
    found = await _find_by_name(runtime, name)
    if (
        found is None
        or found.subscription_id.lower() != subscription.lower()
        or found.resource_group.lower() != resource_group.lower()
    ):
        raise _not_found(subscription, resource_group, name)
    return found


async def list_apps(
    *, runtime: Runtime, subscription: str, resource_group: str | None = None
) -> list[IotApp]:
    """Resources of a subscription, optionally of one resource group, oldest first."""
    async with runtime.db.read() as conn:
        rows = (await conn.execute(select(iot_apps).order_by(iot_apps.c.created_at))).all()
    found = [_row_to_app(r) for r in rows]
    return [
        a
        for a in found
        if a.subscription_id.lower() == subscription.lower()
        and (resource_group is None or a.resource_group.lower() == resource_group.lower())
    ]


def _bad(message: str) -> ArmError:
    return ArmError(message, code="InvalidRequestContent")


def _object(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key) or {}
    if not isinstance(value, dict):
        raise _bad(f"'{key}' must be a JSON object.")
    return value


def _string(source: dict[str, Any], key: str, where: str) -> str | None:
    value = source.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(f"'{where}' must be a string.")
    return value


def _tags(body: dict[str, Any]) -> dict[str, str] | None:
    if "tags" not in body or body["tags"] is None:
        return None
    tags = body["tags"]
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise _bad("'tags' must be an object whose values are strings.")
    return tags


def _sku(body: dict[str, Any], required: bool) -> str | None:
    sku = _string(_object(body, "sku"), "name", "sku.name")
    if sku is None:
        if required:
            raise _bad(f"'sku.name' is required; use one of {', '.join(catalog.SKUS)}.")
        return None
    if sku.upper() not in catalog.SKUS:
        raise _bad(f"'sku.name' {sku} is not offered; use one of {', '.join(catalog.SKUS)}.")
    return sku.upper()


def _identity(body: dict[str, Any], runtime: Runtime, name: str) -> dict[str, str] | None:
    if "identity" not in body or body["identity"] is None:
        return None
    kind = _string(_object(body, "identity"), "type", "identity.type") or "None"
    if kind.lower() == "none":
        return {"type": "None"}
    if kind.lower() != "systemassigned":
        raise _bad(f"'identity.type' {kind} is not supported; use SystemAssigned or None.")
    rng = runtime.randomness.stream("control-plane", "identity", name.lower())
    return {
        "type": "SystemAssigned",
        "principalId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "tenantId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }


def _template(properties: dict[str, Any]) -> str | None:
    value = _string(properties, "template", "properties.template")
    if value is None:
        return None
    template = catalog.resolve_template(value)
    if template is None:
        raise _bad(
            f"'properties.template' {value} is not a known template; list them with POST"
            " .../providers/Microsoft.IoTCentral/appTemplates."
        )
    return template


def _network(properties: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    network = dict(current)
    access = _string(properties, "publicNetworkAccess", "properties.publicNetworkAccess")
    if access is not None:
        if access not in ("Enabled", "Disabled"):
            raise _bad("'properties.publicNetworkAccess' must be Enabled or Disabled.")
        network["publicNetworkAccess"] = access
    if properties.get("networkRuleSets") is not None:
        network["networkRuleSets"] = {
            **network["networkRuleSets"],
            **_object(properties, "networkRuleSets"),
        }
    return network


def _claim_subdomain(runtime: Runtime, subdomain: str, owner: str | None) -> None:
    problem = subdomain_problem(subdomain)
    if problem:
        raise _bad(problem)
    if runtime.apps.taken(subdomain) and runtime.apps.for_host(subdomain).id != owner:
        raise ArmError(
            f"The subdomain '{subdomain}' is already in use by another application; choose"
            " another (POST .../checkSubdomainAvailability tells which are free).",
            status=409,
            code="SubdomainNotAvailable",
        )


def _admin_token(runtime: Runtime, name: str) -> str:
    rng = runtime.randomness.stream("control-plane", "admin-token", name.lower())
    return f"iotc-admin-{rng.getrandbits(128):032x}"


async def create_or_update(
    *,
    runtime: Runtime,
    subscription: str,
    resource_group: str,
    name: str,
    body: dict[str, Any],
) -> tuple[IotApp, bool]:
    """PUT: create a new application, or replace the settable fields of an existing one."""
    problem = name_problem(name)
    if problem:
        raise ArmError(problem, code="InvalidResourceName")
    existing = await _find_by_name(runtime, name)
    if existing is not None and (
        existing.subscription_id.lower() != subscription.lower()
        or existing.resource_group.lower() != resource_group.lower()
    ):
        raise ArmError(
            f"The name '{name}' is already used by an IoT Central application elsewhere;"
            " application names are unique. Choose another name.",
            status=409,
            code="NameNotAvailable",
        )
    location = _string(body, "location", "location")
    if not location:
        raise _bad('\'location\' is required, for example "location": "eastus".')
    properties = _object(body, "properties")
    sku = _sku(body, required=True)
    display_name = _string(properties, "displayName", "properties.displayName")
    subdomain = _string(properties, "subdomain", "properties.subdomain")
    template = _template(properties)
    tags = _tags(body)
    identity = _identity(body, runtime, name)
    if existing is None:
        subdomain = subdomain or name.lower()
        _claim_subdomain(runtime, subdomain, None)
        network = _network(properties, _DEFAULT_NETWORK)
        app = await runtime.add_application(
            subdomain=subdomain, admin_token=_admin_token(runtime, name)
        )
        created = IotApp(
            application_id=app.id,
            subscription_id=subscription,
            resource_group=resource_group,
            name=name,
            location=location,
            sku=sku or "ST2",
            display_name=display_name or name,
            template=template or catalog.DEFAULT_TEMPLATE,
            tags=tags or {},
            identity=identity or {"type": "None"},
            network=network,
            created_at=runtime.clock.timestamp(),
        )
        await _insert(runtime, created)
        return created, True
    if location.lower() != existing.location.lower():
        raise ArmError(
            f"The application is in '{existing.location}'; an application cannot move to"
            f" '{location}'. Delete it and create it again there.",
            code="LocationNotAvailableForResourceType",
        )
    changed = replace(
        existing,
        sku=sku or existing.sku,
        display_name=display_name or existing.display_name,
        template=template or existing.template,
        tags=tags if tags is not None else existing.tags,
        identity=identity or existing.identity,
        network=_network(properties, existing.network),
    )
    await _save(runtime, changed, subdomain)
    return changed, False


async def patch(
    *,
    runtime: Runtime,
    subscription: str,
    resource_group: str,
    name: str,
    body: dict[str, Any],
) -> IotApp:
    """PATCH: change only the fields sent."""
    existing = await get(
        runtime=runtime, subscription=subscription, resource_group=resource_group, name=name
    )
    properties = _object(body, "properties")
    tags = _tags(body)
    changed = replace(
        existing,
        sku=_sku(body, required=False) or existing.sku,
        display_name=_string(properties, "displayName", "properties.displayName")
        or existing.display_name,
        template=_template(properties) or existing.template,
        tags=tags if tags is not None else existing.tags,
        identity=_identity(body, runtime, name) or existing.identity,
        network=_network(properties, existing.network),
    )
    subdomain = _string(properties, "subdomain", "properties.subdomain")
    await _save(runtime, changed, subdomain)
    return changed


async def _insert(runtime: Runtime, app: IotApp) -> None:
    async with runtime.db.write() as conn:
        await conn.execute(insert(iot_apps).values(**_columns(app), name_key=app.name.lower()))


async def _save(runtime: Runtime, app: IotApp, subdomain: str | None) -> None:
    current = application_of(runtime, app)
    if subdomain and subdomain != current.subdomain:
        _claim_subdomain(runtime, subdomain, current.id)
        await runtime.apps.set_subdomain(current, subdomain)
    async with runtime.db.write() as conn:
        await conn.execute(
            update(iot_apps)
            .where(iot_apps.c.application_id == app.application_id)
            .values(**_columns(app))
        )


def _columns(app: IotApp) -> dict[str, Any]:
    return {
        "application_id": app.application_id,
        "subscription_id": app.subscription_id,
        "resource_group": app.resource_group,
        "name": app.name,
        "location": app.location,
        "sku": app.sku,
        "display_name": app.display_name,
        "template": app.template,
        "tags": orjson.dumps(app.tags).decode(),
        "identity": orjson.dumps(app.identity).decode(),
        "network": orjson.dumps(app.network).decode(),
        "created_at": app.created_at,
    }


async def remove(
    *, runtime: Runtime, subscription: str, resource_group: str, name: str
) -> IotApp | None:
    """Delete the resource and its application's data; None when there was none."""
    try:
        found = await get(
            runtime=runtime, subscription=subscription, resource_group=resource_group, name=name
        )
    except ArmError:
        return None
    app = runtime.apps.get(found.application_id)
    if app is None:
        async with runtime.db.write() as conn:
            await conn.execute(
                delete(iot_apps).where(iot_apps.c.application_id == found.application_id)
            )
    else:
        await runtime.delete_application(app)
    return found


def application_of(runtime: Runtime, app: IotApp) -> Application:
    """The data-plane application behind a resource."""
    found = runtime.apps.get(app.application_id)
    assert found is not None, "every iotApps resource has its application"
    return found


def start_operation(*, runtime: Runtime, subscription: str, location: str) -> str:
    """Record an accepted long-running operation (already finished) and return its id."""
    state = _state(runtime)
    operation_id = str(uuid.UUID(int=state.ids.getrandbits(128), version=4))
    now = iso_from_timestamp(runtime.clock.timestamp())
    state.operations[operation_id] = {
        "id": f"/subscriptions/{subscription}/providers/Microsoft.IoTCentral/locations/"
        f"{location}/operationResults/{operation_id}",
        "name": operation_id,
        "status": "Succeeded",
        "startTime": now,
        "endTime": now,
    }
    return operation_id


def operation(*, runtime: Runtime, operation_id: str) -> dict[str, Any]:
    """The status of an operation this process accepted."""
    found = _state(runtime).operations.get(operation_id)
    if found is None:
        raise ArmError(
            f"No operation '{operation_id}' is known; operations are kept until the emulator"
            " restarts.",
            status=404,
            code="ResourceNotFound",
        )
    return found
