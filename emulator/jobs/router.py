"""Jobs over HTTP: create and start, read, device statuses, stop, resume, rerun."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.paging import page_request, page_response
from emulator.http.responses import json_response, no_content
from emulator.jobs import service

router = APIRouter(prefix="/api", tags=["jobs"], route_class=LazyRoute)

JobBody = Annotated[Any, Body(description="A Job: group, data and optional batch/threshold")]


@router.get("/jobs", operation_id="Jobs_List", summary="List jobs, newest first")
async def list_jobs(ctx: Api) -> Response:
    found, token = await service.list_jobs(
        ctx.runtime, app_id=ctx.app.id, page=page_request(ctx, sort="seq")
    )
    return page_response(ctx, [j.to_json(ctx.version) for j in found], token)


@router.get("/jobs/{jobId}", operation_id="Jobs_Get", summary="Get a job and its progress")
async def get_job(jobId: str, ctx: Api) -> Response:  # noqa: N803
    job = await service.get_job(ctx.runtime, app_id=ctx.app.id, job_id=jobId)
    return json_response(job.to_json(ctx.version))


@router.put("/jobs/{jobId}", operation_id="Jobs_Create", summary="Create and start a job")
async def create_job(jobId: str, body: JobBody, ctx: Api) -> Response:  # noqa: N803
    job = await service.create_job(ctx.runtime, app=ctx.app, job_id=jobId, body=body)
    return json_response(job.to_json(ctx.version))


@router.get(
    "/jobs/{jobId}/devices", operation_id="Jobs_GetDevices", summary="Per-device job status"
)
async def get_job_devices(jobId: str, ctx: Api) -> Response:  # noqa: N803
    page = page_request(ctx, sort="position", declared=False)
    found, token = await service.list_job_devices(
        ctx.runtime, app_id=ctx.app.id, job_id=jobId, page=page
    )
    return page_response(ctx, found, token)


@router.post(
    "/jobs/{jobId}/stop", operation_id="Jobs_Stop", status_code=204, summary="Stop a running job"
)
async def stop_job(jobId: str, ctx: Api) -> Response:  # noqa: N803
    await service.stop_job(ctx.runtime, app=ctx.app, job_id=jobId)
    return no_content()


@router.post(
    "/jobs/{jobId}/resume",
    operation_id="Jobs_Resume",
    status_code=204,
    summary="Resume a stopped job",
)
async def resume_job(jobId: str, ctx: Api) -> Response:  # noqa: N803
    await service.resume_job(ctx.runtime, app=ctx.app, job_id=jobId)
    return no_content()


@router.put(
    "/jobs/{jobId}/rerun/{rerunId}",
    operation_id="Jobs_Rerun",
    summary="Run a job again on the devices that failed",
)
async def rerun_job(jobId: str, rerunId: str, ctx: Api) -> Response:  # noqa: N803
    job = await service.rerun_job(ctx.runtime, app=ctx.app, job_id=jobId, rerun_id=rerunId)
    return json_response(job.to_json(ctx.version))
