"""Roles over HTTP: the three application roles, and the organization roles once orgs exist."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.errors import NotFound
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response
from emulator.identity import roles
from emulator.identity.access import access_of

router = APIRouter(prefix="/api", tags=["roles"], route_class=LazyRoute)


@router.get("/roles", operation_id="Roles_List", summary="List the application's roles")
async def list_roles(ctx: Api) -> Response:
    has_orgs = bool(access_of(ctx.runtime).tree(ctx.app.id))
    return json_response(
        {"value": [r.to_json() for r in roles.available(has_organizations=has_orgs)]}
    )


@router.get("/roles/{roleId}", operation_id="Roles_Get", summary="Get a role")
async def get_role(roleId: str, ctx: Api) -> Response:  # noqa: N803
    has_orgs = bool(access_of(ctx.runtime).tree(ctx.app.id))
    role = roles.find(roleId, has_organizations=has_orgs)
    if role is None:
        raise NotFound(f"Role '{roleId}' does not exist. List roles with GET /api/roles.")
    return json_response(role.to_json())
