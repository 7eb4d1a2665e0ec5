"""Device commands over HTTP: run one, or read its latest call, at every level."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.commands import service
from emulator.http.context import Api, ApiContext
from emulator.http.lazy_route import LazyRoute
from emulator.http.params import visible_organizations
from emulator.http.responses import json_response

router = APIRouter(prefix="/api", tags=["devices"], route_class=LazyRoute)

JsonBody = Annotated[Any, Body()]


async def _run(
    ctx: ApiContext,
    device: str,
    command: str,
    body: Any,
    component: str | None,
    module: str | None,
) -> Response:
    call = await service.run_command(
        ctx.runtime,
        app=ctx.app,
        device_id=device,
        command=command,
        body=body,
        component=component,
        module=module,
        visible=visible_organizations(ctx),
    )
    return json_response(call, status=201)


async def _history(
    ctx: ApiContext, device: str, command: str, component: str | None, module: str | None
) -> Response:
    history = await service.command_history(
        ctx.runtime,
        app=ctx.app,
        device_id=device,
        command=command,
        component=component,
        module=module,
        visible=visible_organizations(ctx),
    )
    return json_response(history)


DEVICE = "/devices/{deviceId}/commands/{commandName}"
COMPONENT = "/devices/{deviceId}/components/{componentName}/commands/{commandName}"
MODULE = "/devices/{deviceId}/modules/{moduleName}/commands/{commandName}"
MODULE_COMPONENT = (
    "/devices/{deviceId}/modules/{moduleName}/components/{componentName}/commands/{commandName}"
)


@router.post(DEVICE, operation_id="Devices_RunCommand", summary="Run a command", status_code=201)
async def run_command(
    deviceId: str,  # noqa: N803
    commandName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _run(ctx, deviceId, commandName, body, None, None)


@router.get(DEVICE, operation_id="Devices_GetCommandHistory", summary="Latest command call")
async def get_command_history(
    deviceId: str,  # noqa: N803
    commandName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _history(ctx, deviceId, commandName, None, None)


@router.post(
    COMPONENT,
    operation_id="Devices_RunComponentCommand",
    summary="Run a component command",
    status_code=201,
)
async def run_component_command(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _run(ctx, deviceId, commandName, body, componentName, None)


@router.get(
    COMPONENT, operation_id="Devices_GetComponentCommandHistory", summary="Latest command call"
)
async def get_component_command_history(
    deviceId: str,  # noqa: N803
    componentName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _history(ctx, deviceId, commandName, componentName, None)


@router.post(
    MODULE,
    operation_id="Devices_RunModuleCommand",
    summary="Run a module command",
    status_code=201,
)
async def run_module_command(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _run(ctx, deviceId, commandName, body, None, moduleName)


@router.get(MODULE, operation_id="Devices_GetModuleCommandHistory", summary="Latest command call")
async def get_module_command_history(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _history(ctx, deviceId, commandName, None, moduleName)


@router.post(
    MODULE_COMPONENT,
    operation_id="Devices_RunModuleComponentCommand",
    summary="Run a module component command",
    status_code=201,
)
async def run_module_component_command(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    return await _run(ctx, deviceId, commandName, body, componentName, moduleName)


@router.get(
    MODULE_COMPONENT,
    operation_id="Devices_GetModuleComponentCommandHistory",
    summary="Latest command call",
)
async def get_module_component_command_history(
    deviceId: str,  # noqa: N803
    moduleName: str,  # noqa: N803
    componentName: str,  # noqa: N803
    commandName: str,  # noqa: N803
    ctx: Api,
) -> Response:
    return await _history(ctx, deviceId, commandName, componentName, moduleName)
