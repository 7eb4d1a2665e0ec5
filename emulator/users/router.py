"""Users over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.paging import page_request, page_response
from emulator.http.responses import json_response, no_content
from emulator.users import service

router = APIRouter(prefix="/api", tags=["users"], route_class=LazyRoute)

_EXAMPLE = {
    "type": "email",
    "email": "user1@contoso.com",
    "roles": [{"role": "ae2c9854-393b-4f97-8c42-479d70ce626e"}],
}


@router.get("/users", operation_id="Users_List", summary="List users")
async def list_users(ctx: Api) -> Response:
    items, token = await service.list_page(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, page=page_request(ctx)
    )
    return page_response(ctx, items, token)


@router.get("/users/{userId}", operation_id="Users_Get", summary="Get a user")
async def get_user(userId: str, ctx: Api) -> Response:  # noqa: N803
    user = await service.get(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, user_id=userId
    )
    return json_response(user)


@router.put("/users/{userId}", operation_id="Users_Create", summary="Create or replace a user")
async def put_user(
    userId: str,  # noqa: N803
    ctx: Api,
    body: Any = Body(..., examples=[_EXAMPLE]),  # noqa: B008
) -> Response:
    user = await service.put(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, user_id=userId, body=body
    )
    return json_response(user)


@router.patch("/users/{userId}", operation_id="Users_Update", summary="Update a user")
async def patch_user(
    userId: str,  # noqa: N803
    ctx: Api,
    body: Any = Body(..., examples=[{"roles": _EXAMPLE["roles"]}]),  # noqa: B008
) -> Response:
    user = await service.patch(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, user_id=userId, body=body
    )
    return json_response(user)


@router.delete(
    "/users/{userId}", operation_id="Users_Remove", status_code=204, summary="Delete a user"
)
async def remove_user(userId: str, ctx: Api) -> Response:  # noqa: N803
    await service.remove(runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, user_id=userId)
    return no_content()
