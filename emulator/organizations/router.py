"""Organizations over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.paging import page_request, page_response
from emulator.http.responses import json_response, no_content
from emulator.organizations import service

router = APIRouter(prefix="/api", tags=["organizations"], route_class=LazyRoute)

_EXAMPLE = {"displayName": "Seattle", "parent": "washington"}


@router.get("/organizations", operation_id="Organizations_List", summary="List organizations")
async def list_organizations(ctx: Api) -> Response:
    page = page_request(ctx, declared=False)
    items, token = await service.list_page(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, page=page
    )
    return page_response(ctx, items, token)


@router.get(
    "/organizations/{organizationId}",
    operation_id="Organizations_Get",
    summary="Get an organization",
)
async def get_organization(organizationId: str, ctx: Api) -> Response:  # noqa: N803
    org = await service.get(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, org_id=organizationId
    )
    return json_response(org)


@router.put(
    "/organizations/{organizationId}",
    operation_id="Organizations_Create",
    summary="Create or replace an organization",
)
async def put_organization(
    organizationId: str,  # noqa: N803
    ctx: Api,
    body: Any = Body(..., examples=[_EXAMPLE]),  # noqa: B008
) -> Response:
    org = await service.put(
        runtime=ctx.runtime,
        app=ctx.app,
        principal=ctx.principal,
        org_id=organizationId,
        body=body,
    )
    return json_response(org)


@router.patch(
    "/organizations/{organizationId}",
    operation_id="Organizations_Update",
    summary="Rename or move an organization",
)
async def patch_organization(
    organizationId: str,  # noqa: N803
    ctx: Api,
    body: Any = Body(..., examples=[{"displayName": "Seattle (HQ)"}]),  # noqa: B008
) -> Response:
    org = await service.patch(
        runtime=ctx.runtime,
        app=ctx.app,
        principal=ctx.principal,
        org_id=organizationId,
        body=body,
    )
    return json_response(org)


@router.delete(
    "/organizations/{organizationId}",
    operation_id="Organizations_Remove",
    status_code=204,
    summary="Delete an unused organization",
)
async def remove_organization(organizationId: str, ctx: Api) -> Response:  # noqa: N803
    await service.remove(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, org_id=organizationId
    )
    return no_content()
