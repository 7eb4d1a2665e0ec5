"""Devices over HTTP: CRUD, listing, credentials, attestation, components, relationships."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.devices import components, credentials, relationships, service
from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.listing import list_query
from emulator.http.paging import page_body, page_request, page_response
from emulator.http.params import IfMatch, JsonBody, visible_organizations
from emulator.http.replay import replayable
from emulator.http.responses import json_response, no_content

router = APIRouter(prefix="/api", tags=["devices"], route_class=LazyRoute)


@router.get("/devices", operation_id="Devices_List", summary="List devices")
async def list_devices(ctx: Api) -> Response:
    query = list_query(ctx, orderable=("displayName", "id"))
    items, token = await service.list_devices(
        ctx.runtime,
        app_id=ctx.app.id,
        page=query.page,
        ordering=query.ordering,
        condition=query.condition,
        visible=visible_organizations(ctx),
    )
    return replayable(
        ctx, page_body(ctx, [service.for_version(d, ctx.version) for d in items], token)
    )


@router.get("/devices/{deviceId}", operation_id="Devices_Get", summary="Get a device")
async def get_device(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    body = await service.device_body(
        ctx.runtime,
        app_id=ctx.app.id,
        device_id=deviceId,
        version=ctx.version,
        visible=visible_organizations(ctx),
    )
    return replayable(ctx, body)


@router.put("/devices/{deviceId}", operation_id="Devices_Create", summary="Create or update")
async def put_device(
    deviceId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    device = await service.put_device(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        body=body,
        if_match=if_match,
        visible=visible_organizations(ctx),
    )
    return json_response(service.for_version(device, ctx.version))


@router.patch("/devices/{deviceId}", operation_id="Devices_Update", summary="Merge changes")
async def patch_device(
    deviceId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
    if_match: IfMatch = None,
) -> Response:
    device = await service.patch_device(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        patch=body,
        if_match=if_match,
        visible=visible_organizations(ctx),
    )
    return json_response(service.for_version(device, ctx.version))


@router.delete(
    "/devices/{deviceId}", operation_id="Devices_Remove", status_code=204, summary="Delete"
)
async def delete_device(deviceId: str, ctx: Api, if_match: IfMatch = None) -> Response:  # noqa: N803
    await service.delete_device(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        if_match=if_match,
        visible=visible_organizations(ctx),
    )
    return no_content()


@router.get(
    "/devices/{deviceId}/credentials",
    operation_id="Devices_GetCredentials",
    summary="ID scope and keys the device connects with",
)
async def get_credentials(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    found = await credentials.get_credentials(
        ctx.runtime, app=ctx.app, device_id=deviceId, visible=visible_organizations(ctx)
    )
    return json_response(found)


@router.get(
    "/devices/{deviceId}/attestation",
    operation_id="Devices_GetAttestation",
    summary="Get the device's individual attestation",
)
async def get_attestation(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    found = await credentials.get_attestation(
        ctx.runtime, app=ctx.app, device_id=deviceId, visible=visible_organizations(ctx)
    )
    return json_response(found)


@router.put(
    "/devices/{deviceId}/attestation",
    operation_id="Devices_CreateAttestation",
    summary="Create or replace the device's attestation",
)
async def put_attestation(deviceId: str, body: JsonBody, ctx: Api) -> Response:  # noqa: N803
    stored = await credentials.put_attestation(
        ctx.runtime, app=ctx.app, device_id=deviceId, body=body, visible=visible_organizations(ctx)
    )
    return json_response(stored)


@router.patch(
    "/devices/{deviceId}/attestation",
    operation_id="Devices_UpdateAttestation",
    summary="Merge changes into the device's attestation",
)
async def patch_attestation(deviceId: str, body: JsonBody, ctx: Api) -> Response:  # noqa: N803
    stored = await credentials.put_attestation(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        body=body,
        visible=visible_organizations(ctx),
        merge=True,
    )
    return json_response(stored)


@router.delete(
    "/devices/{deviceId}/attestation",
    operation_id="Devices_RemoveAttestation",
    status_code=204,
    summary="Remove the device's individual attestation",
)
async def delete_attestation(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    await credentials.delete_attestation(
        ctx.runtime, app=ctx.app, device_id=deviceId, visible=visible_organizations(ctx)
    )
    return no_content()


@router.get(
    "/devices/{deviceId}/components",
    operation_id="Devices_ListComponents",
    summary="The components of the device's template",
)
async def list_components(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    items = await components.list_components(
        ctx.runtime, app_id=ctx.app.id, device_id=deviceId, visible=visible_organizations(ctx)
    )
    return json_response({"value": items})


@router.get(
    "/devices/{deviceId}/modules",
    operation_id="Devices_ListModules",
    summary="The IoT Edge modules of the device's template",
)
async def list_modules(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    items = await components.list_modules(
        ctx.runtime, app_id=ctx.app.id, device_id=deviceId, visible=visible_organizations(ctx)
    )
    return json_response({"value": items})


@router.get(
    "/devices/{deviceId}/modules/{moduleName}/components",
    operation_id="Devices_ListModuleComponents",
    summary="The components of one IoT Edge module",
)
async def list_module_components(deviceId: str, moduleName: str, ctx: Api) -> Response:  # noqa: N803
    items = await components.list_module_components(
        ctx.runtime,
        app_id=ctx.app.id,
        device_id=deviceId,
        module=moduleName,
        visible=visible_organizations(ctx),
    )
    return json_response({"value": items})


@router.get(
    "/devices/{deviceId}/relationships",
    operation_id="Devices_ListRelationships",
    summary="List the device's relationships",
)
async def list_relationships(deviceId: str, ctx: Api) -> Response:  # noqa: N803
    items, token = await relationships.list_relationships(
        ctx.runtime,
        app_id=ctx.app.id,
        device_id=deviceId,
        page=page_request(ctx, sort="id"),
        visible=visible_organizations(ctx),
    )
    return page_response(ctx, items, token)


@router.get(
    "/devices/{deviceId}/relationships/{relationshipId}",
    operation_id="Devices_GetRelationship",
    summary="Get a relationship",
)
async def get_relationship(deviceId: str, relationshipId: str, ctx: Api) -> Response:  # noqa: N803
    found = await relationships.get_relationship(
        ctx.runtime,
        app_id=ctx.app.id,
        device_id=deviceId,
        relationship_id=relationshipId,
        visible=visible_organizations(ctx),
    )
    return json_response(found)


@router.put(
    "/devices/{deviceId}/relationships/{relationshipId}",
    operation_id="Devices_CreateRelationship",
    summary="Create or replace a relationship",
)
async def put_relationship(
    deviceId: str,  # noqa: N803
    relationshipId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    stored = await relationships.put_relationship(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        relationship_id=relationshipId,
        body=body,
        visible=visible_organizations(ctx),
    )
    return json_response(stored)


@router.patch(
    "/devices/{deviceId}/relationships/{relationshipId}",
    operation_id="Devices_UpdateRelationship",
    summary="Merge changes into a relationship",
)
async def patch_relationship(
    deviceId: str,  # noqa: N803
    relationshipId: str,  # noqa: N803
    body: JsonBody,
    ctx: Api,
) -> Response:
    stored = await relationships.put_relationship(
        ctx.runtime,
        app=ctx.app,
        device_id=deviceId,
        relationship_id=relationshipId,
        body=body,
        visible=visible_organizations(ctx),
        merge=True,
    )
    return json_response(stored)


@router.delete(
    "/devices/{deviceId}/relationships/{relationshipId}",
    operation_id="Devices_RemoveRelationship",
    status_code=204,
    summary="Delete a relationship",
)
async def delete_relationship(deviceId: str, relationshipId: str, ctx: Api) -> Response:  # noqa: N803
    await relationships.delete_relationship(
        ctx.runtime,
        app_id=ctx.app.id,
        device_id=deviceId,
        relationship_id=relationshipId,
        visible=visible_organizations(ctx),
    )
    return no_content()
