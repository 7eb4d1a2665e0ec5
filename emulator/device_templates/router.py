"""Device templates over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.device_templates import service
from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.listing import list_query
from emulator.http.paging import page_response
from emulator.http.params import IfMatch, JsonBody
from emulator.http.responses import json_response, no_content

router = APIRouter(prefix="/api", tags=["deviceTemplates"], route_class=LazyRoute)


@router.get("/deviceTemplates", operation_id="DeviceTemplates_List", summary="List templates")
async def list_templates(ctx: Api) -> Response:
    query = list_query(ctx, orderable=("displayName", "id"))
    items, token = await service.list_templates(
        ctx.runtime,
        app_id=ctx.app.id,
        page=query.page,
        ordering=query.ordering,
        condition=query.condition,
    )
    return page_response(ctx, items, token)


@router.get(
    "/deviceTemplates/{deviceTemplateId}",
    operation_id="DeviceTemplates_Get",
    summary="Get a device template",
)
async def get_template(deviceTemplateId: str, ctx: Api) -> Response:  # noqa: N803
    found = await service.get_template(ctx.runtime, app_id=ctx.app.id, template_id=deviceTemplateId)
    return json_response(found)


@router.put(
    "/deviceTemplates/{deviceTemplateId}",
    operation_id="DeviceTemplates_Create",
    summary="Publish a device template (create or replace)",
)
async def put_template(
    deviceTemplateId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    stored = await service.put_template(
        ctx.runtime, app=ctx.app, template_id=deviceTemplateId, body=body, if_match=if_match
    )
    return json_response(stored)


@router.patch(
    "/deviceTemplates/{deviceTemplateId}",
    operation_id="DeviceTemplates_Update",
    summary="Merge changes into a device template",
)
async def patch_template(
    deviceTemplateId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    stored = await service.patch_template(
        ctx.runtime, app=ctx.app, template_id=deviceTemplateId, patch=body, if_match=if_match
    )
    return json_response(stored)


@router.delete(
    "/deviceTemplates/{deviceTemplateId}",
    operation_id="DeviceTemplates_Remove",
    status_code=204,
    summary="Delete a device template no device uses",
)
async def delete_template(deviceTemplateId: str, ctx: Api) -> Response:  # noqa: N803
    await service.delete_template(ctx.runtime, app=ctx.app, template_id=deviceTemplateId)
    return no_content()
