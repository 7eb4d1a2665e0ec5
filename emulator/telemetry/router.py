"""Last known telemetry values over HTTP, at every level."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.http.context import Api, ApiContext
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response
from emulator.telemetry import service

router = APIRouter(prefix="/api", tags=["devices"], route_class=LazyRoute)


async def _last(
    ctx: ApiContext, device: str, name: str, component: str | None, module: str | None
) -> Response:
    value = await service.last_value(
        ctx.runtime,
        app=ctx.app,
        device_id=device,
        name=name,
        component=component,
        module=module,
        visible=ctx.runtime.auth.visible_organizations(ctx.principal, ctx.app),
    )
    return json_response(value)


@router.get(
    "/devices/{deviceId}/telemetry/{telemetryName}",
    operation_id="Devices_GetTelemetryValue",
    summary="Last telemetry value",
)
async def get_telemetry_value(deviceId: str, telemetryName: str, ctx: Api) -> Response:  # noqa: N803
    return await _last(ctx, deviceId, telemetryName, None, None)


@router.get(
    "/devices/{deviceId}/components/{componentName}/telemetry/{telemetryName}",
    operation_id="Devices_GetComponentTelemetryValue",
    summary="Last telemetry value of a component",
)
async def get_component_telemetry_value(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    telemetryName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _last(ctx, deviceId, telemetryName, componentName, None)


@router.get(
    "/devices/{deviceId}/modules/{moduleName}/telemetry/{telemetryName}",
    operation_id="Devices_GetModuleTelemetryValue",
    summary="Last telemetry value of a module",
)
async def get_module_telemetry_value(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    telemetryName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _last(ctx, deviceId, telemetryName, None, moduleName)


@router.get(
    "/devices/{deviceId}/modules/{moduleName}/components/{componentName}/telemetry/{telemetryName}",
    operation_id="Devices_GetModuleComponentTelemetryValue",
    summary="Last telemetry value of a module component",
)
async def get_module_component_telemetry_value(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    telemetryName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _last(ctx, deviceId, telemetryName, componentName, moduleName)
