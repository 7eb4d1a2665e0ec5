"""Fault profiles over HTTP: /_emulator/devices/{deviceId}/faults."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.faults import service
from emulator.http.context import Control
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response, no_content

router = APIRouter(prefix="/_emulator", tags=["emulator"], route_class=LazyRoute)

PATH = "/devices/{deviceId}/faults"


@router.get(PATH, operation_id="Emulator_GetFaults", summary="A device's fault profile")
async def get_faults(deviceId: str, ctx: Control) -> Response:  # noqa: N803
    return json_response(await service.get_profile(ctx.runtime, app=ctx.app, device_id=deviceId))


@router.put(PATH, operation_id="Emulator_SetFaults", summary="Replace a device's fault profile")
async def set_faults(
    deviceId: str,  # noqa: N803
    body: Annotated[Any, Body()],
    ctx: Control,
) -> Response:
    profile = await service.set_profile(ctx.runtime, app=ctx.app, device_id=deviceId, body=body)
    return json_response(profile)


@router.delete(
    PATH, operation_id="Emulator_ClearFaults", status_code=204, summary="Clear the fault profile"
)
async def clear_faults(deviceId: str, ctx: Control) -> Response:  # noqa: N803
    await service.clear_profile(ctx.runtime, app=ctx.app, device_id=deviceId)
    return no_content()
