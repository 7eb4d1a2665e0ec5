"""Device properties over HTTP, at device, component, module and module-component level."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.http.context import Api, ApiContext
from emulator.http.lazy_route import LazyRoute
from emulator.http.params import visible_organizations
from emulator.http.responses import json_response
from emulator.properties import service

router = APIRouter(prefix="/api", tags=["devices"], route_class=LazyRoute)

JsonBody = Annotated[Any, Body()]


async def _get(ctx: ApiContext, device: str, component: str | None, module: str | None):
    body = await service.get_properties(
        ctx.runtime,
        app=ctx.app,
        device_id=device,
        component=component,
        module=module,
        visible=visible_organizations(ctx),
    )
    return json_response(body)


async def _write(
    ctx: ApiContext, device: str, body: Any, component: str | None, module: str | None
) -> Response:
    answer = await service.write_properties(
        ctx.runtime,
        app=ctx.app,
        device_id=device,
        body=body,
        component=component,
        module=module,
        visible=visible_organizations(ctx),
    )
    return json_response(answer, status=202)


async def write_at(ctx: ApiContext, path: dict[str, Any], body: Any) -> Response:
    """Write properties at the level the path names: every write route, served directly."""
    component, module = path.get("componentName"), path.get("moduleName")
    return await _write(ctx, path["deviceId"], body, component, module)


DEVICE = "/devices/{deviceId}/properties"
COMPONENT = "/devices/{deviceId}/components/{componentName}/properties"
MODULE = "/devices/{deviceId}/modules/{moduleName}/properties"
MODULE_COMPONENT = "/devices/{deviceId}/modules/{moduleName}/components/{componentName}/properties"


@router.get(DEVICE, operation_id="Devices_GetProperties", summary="Get device properties")
async def get_properties(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    return await _get(ctx, deviceId, None, None)


@router.put(DEVICE, operation_id="Devices_ReplaceProperties", summary="Replace properties")
async def replace_properties(deviceId: str, body: JsonBody, ctx: Api) -> Response:  # noqa: N803
    return await _write(ctx, deviceId, body, None, None)


@router.patch(DEVICE, operation_id="Devices_UpdateProperties", summary="Update properties")
async def update_properties(deviceId: str, body: JsonBody, ctx: Api) -> Response:  # noqa: N803
    return await _write(ctx, deviceId, body, None, None)


@router.get(COMPONENT, operation_id="Devices_GetComponentProperties", summary="Get properties")
async def get_component_properties(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _get(ctx, deviceId, componentName, None)


@router.put(
    COMPONENT, operation_id="Devices_ReplaceComponentProperties", summary="Replace properties"
)
async def replace_component_properties(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, componentName, None)


@router.patch(
    COMPONENT, operation_id="Devices_UpdateComponentProperties", summary="Update properties"
)
async def update_component_properties(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, componentName, None)


@router.get(MODULE, operation_id="Devices_GetModuleProperties", summary="Get module properties")
async def get_module_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _get(ctx, deviceId, None, moduleName)


@router.put(MODULE, operation_id="Devices_ReplaceModuleProperties", summary="Replace properties")
async def replace_module_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, None, moduleName)


@router.patch(MODULE, operation_id="Devices_UpdateModuleProperties", summary="Update properties")
async def update_module_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, None, moduleName)


@router.get(
    MODULE_COMPONENT, operation_id="Devices_GetModuleComponentProperties", summary="Get properties"
)
async def get_module_component_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _get(ctx, deviceId, componentName, moduleName)


@router.put(
    MODULE_COMPONENT,
    operation_id="Devices_ReplaceModuleComponentProperties",
    summary="Replace properties",
)
async def replace_module_component_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, componentName, moduleName)


@router.patch(
    MODULE_COMPONENT,
    operation_id="Devices_UpdateModuleComponentProperties",
    summary="Update properties",
)
async def update_module_component_properties(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _write(ctx, deviceId, body, componentName, moduleName)


# Property writes are served before routing, by the same handler (see emulator/http/direct.py).
DIRECT_WRITES = [(route, write_at) for route in router.routes if route.methods & {"PUT", "PATCH"}]
