"""Device groups over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.device_groups import service
from emulator.devices.service import for_version
from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.listing import list_query
from emulator.http.paging import page_request, page_response
from emulator.http.params import IfMatch, JsonBody, visible_organizations
from emulator.http.responses import json_response, no_content

router = APIRouter(prefix="/api", tags=["deviceGroups"], route_class=LazyRoute)


@router.get("/deviceGroups", operation_id="DeviceGroups_List", summary="List device groups")
async def list_groups(ctx: Api) -> Response:
    query = list_query(ctx, orderable=("displayName", "id"))
    items, token = await service.list_groups(
        ctx.runtime,
        app_id=ctx.app.id,
        page=query.page,
        ordering=query.ordering,
        condition=query.condition,
        visible=visible_organizations(ctx),
    )
    return page_response(ctx, items, token)


@router.get(
    "/deviceGroups/{deviceGroupId}", operation_id="DeviceGroups_Get", summary="Get a device group"
)
async def get_group(deviceGroupId: str, ctx: Api) -> Response:  # noqa: N803
    found = await service.get_group(
        ctx.runtime, app_id=ctx.app.id, group_id=deviceGroupId, visible=visible_organizations(ctx)
    )
    return json_response(found)


@router.put(
    "/deviceGroups/{deviceGroupId}",
    operation_id="DeviceGroups_Create",
    summary="Create or replace a device group",
)
async def put_group(
    deviceGroupId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    stored = await service.put_group(
        ctx.runtime,
        app=ctx.app,
        group_id=deviceGroupId,
        body=body,
        if_match=if_match,
        visible=visible_organizations(ctx),
    )
    return json_response(stored)


@router.patch(
    "/deviceGroups/{deviceGroupId}",
    operation_id="DeviceGroups_Update",
    summary="Merge changes into a device group",
)
async def patch_group(
    deviceGroupId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    stored = await service.put_group(
        ctx.runtime,
        app=ctx.app,
        group_id=deviceGroupId,
        body=body,
        if_match=if_match,
        visible=visible_organizations(ctx),
        merge=True,
    )
    return json_response(stored)


@router.delete(
    "/deviceGroups/{deviceGroupId}",
    operation_id="DeviceGroups_Remove",
    status_code=204,
    summary="Delete a device group",
)
async def delete_group(deviceGroupId: str, ctx: Api) -> Response:  # noqa: N803
    await service.delete_group(
        ctx.runtime, app=ctx.app, group_id=deviceGroupId, visible=visible_organizations(ctx)
    )
    return no_content()


@router.get(
    "/deviceGroups/{deviceGroupId}/devices",
    operation_id="DeviceGroups_GetDevices",
    summary="The devices the group's filter matches now",
)
async def group_devices(deviceGroupId: str, ctx: Api) -> Response:  # noqa: N803
    items, token = await service.group_devices(
        ctx.runtime,
        app_id=ctx.app.id,
        group_id=deviceGroupId,
        page=page_request(ctx, sort="id asc"),
        visible=visible_organizations(ctx),
    )
    return page_response(ctx, [for_version(d, ctx.version) for d in items], token)
