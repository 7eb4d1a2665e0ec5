"""Scheduled jobs over HTTP: create or replace, patch, read, delete, and the jobs they ran."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.paging import page_request, page_response
from emulator.http.responses import json_response, no_content
from emulator.jobs.service import list_jobs
from emulator.scheduled_jobs import service

router = APIRouter(prefix="/api", tags=["scheduledJobs"], route_class=LazyRoute)

ScheduledJobBody = Annotated[Any, Body(description="A ScheduledJob: a job plus its schedule")]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


@router.get("/scheduledJobs", operation_id="ScheduledJobs_List", summary="List scheduled jobs")
async def list_scheduled_jobs(ctx: Api) -> Response:
    found, token = await service.list_scheduled_jobs(
        ctx.runtime, app_id=ctx.app.id, page=page_request(ctx, sort="seq")
    )
    return page_response(ctx, [s.to_json(ctx.version) for s in found], token)


@router.get(
    "/scheduledJobs/{scheduledJobId}",
    operation_id="ScheduledJobs_Get",
    summary="Get a scheduled job",
)
async def get_scheduled_job(scheduledJobId: str, ctx: Api) -> Response:  # noqa: N803
    found = await service.get_scheduled_job(
        ctx.runtime, app_id=ctx.app.id, scheduled_job_id=scheduledJobId
    )
    return json_response(found.to_json(ctx.version))


@router.put(
    "/scheduledJobs/{scheduledJobId}",
    operation_id="ScheduledJobs_Create",
    summary="Create or replace a scheduled job",
)
async def put_scheduled_job(
    scheduledJobId: str,  # noqa: N803
    body: ScheduledJobBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    saved = await service.put_scheduled_job(
        ctx.runtime, app=ctx.app, scheduled_job_id=scheduledJobId, body=body, if_match=if_match
    )
    return json_response(saved.to_json(ctx.version))


@router.patch(
    "/scheduledJobs/{scheduledJobId}",
    operation_id="ScheduledJobs_Update",
    summary="Change a scheduled job (JSON merge patch)",
)
async def patch_scheduled_job(
    scheduledJobId: str,  # noqa: N803
    body: ScheduledJobBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    saved = await service.patch_scheduled_job(
        ctx.runtime,
        app=ctx.app,
        version=ctx.version,
        scheduled_job_id=scheduledJobId,
        patch=body,
        if_match=if_match,
    )
    return json_response(saved.to_json(ctx.version))


@router.delete(
    "/scheduledJobs/{scheduledJobId}",
    operation_id="ScheduledJobs_Remove",
    status_code=204,
    summary="Delete a scheduled job",
)
async def delete_scheduled_job(scheduledJobId: str, ctx: Api) -> Response:  # noqa: N803
    await service.delete_scheduled_job(ctx.runtime, app=ctx.app, scheduled_job_id=scheduledJobId)
    return no_content()


@router.get(
    "/scheduledJobs/{scheduledJobId}/jobs",
    operation_id="ScheduledJobs_ListJobs",
    summary="The jobs a scheduled job has run",
)
async def list_scheduled_job_jobs(scheduledJobId: str, ctx: Api) -> Response:  # noqa: N803
    await service.get_scheduled_job(ctx.runtime, app_id=ctx.app.id, scheduled_job_id=scheduledJobId)
    found, token = await list_jobs(
        ctx.runtime,
        app_id=ctx.app.id,
        page=page_request(ctx, sort="seq"),
        scheduled_job_id=scheduledJobId,
    )
    return page_response(ctx, [j.to_json(ctx.version) for j in found], token)
