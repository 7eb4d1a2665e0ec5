"""Roles over HTTP."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.errors import NotFound
from emulator.http.responses import json_response
from emulator.identity import roles

router = APIRouter(tags=["roles"])


@router.get("/roles", operation_id="Roles_List", summary="List the application's roles")
async def list_roles(ctx: Api) -> Response:
    return json_response({"value": [r.to_json() for r in roles.APP_ROLES]})


@router.get("/roles/{roleId}", operation_id="Roles_Get", summary="Get a role")
async def get_role(roleId: str, ctx: Api) -> Response:  # noqa: N803
    role = roles.BY_ID.get(roleId)
    if role is None or role.organization_scoped:
        raise NotFound(f"Role '{roleId}' does not exist. List roles with GET /api/roles.")
    return json_response(role.to_json())
