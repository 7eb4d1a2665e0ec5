"""What IoT Central's API does not show about a job: why each device failed, and when."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.http.context import Control
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response
from emulator.jobs import service

router = APIRouter(prefix="/_emulator", tags=["emulator"], route_class=LazyRoute)


@router.get(
    "/jobs/{jobId}/devices",
    operation_id="Emulator_GetJobDeviceResults",
    summary="Each device of a job with its failure reason and finish time",
)
async def job_device_results(jobId: str, ctx: Control) -> Response:  # noqa: N803
    found = await service.device_results(ctx.runtime, app_id=ctx.app.id, job_id=jobId)
    return json_response({"value": found})
