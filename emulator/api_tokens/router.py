"""API tokens over HTTP: the value appears once, in the answer to PUT."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from starlette.responses import Response

from emulator.api_tokens import service
from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.paging import page_request, page_response
from emulator.http.responses import json_response, no_content

router = APIRouter(prefix="/api", tags=["apiTokens"], route_class=LazyRoute)

_EXAMPLE = {"roles": [{"role": "ae2c9854-393b-4f97-8c42-479d70ce626e"}]}


@router.get("/apiTokens", operation_id="ApiTokens_List", summary="List API tokens")
async def list_tokens(ctx: Api) -> Response:
    page = page_request(ctx, declared=False)
    items, token = await service.list_page(runtime=ctx.runtime, app=ctx.app, page=page)
    return page_response(ctx, items, token)


@router.get("/apiTokens/{tokenId}", operation_id="ApiTokens_Get", summary="Get an API token")
async def get_token(tokenId: str, ctx: Api) -> Response:  # noqa: N803
    return json_response(await service.get(runtime=ctx.runtime, app=ctx.app, token_id=tokenId))


@router.put("/apiTokens/{tokenId}", operation_id="ApiTokens_Create", summary="Create an API token")
async def create_token(
    tokenId: str,  # noqa: N803
    ctx: Api,
    body: Any = Body(..., examples=[_EXAMPLE]),  # noqa: B008
) -> Response:
    token = await service.create(
        runtime=ctx.runtime, app=ctx.app, principal=ctx.principal, token_id=tokenId, body=body
    )
    return json_response(token)


@router.delete(
    "/apiTokens/{tokenId}",
    operation_id="ApiTokens_Remove",
    status_code=204,
    summary="Revoke an API token",
)
async def remove_token(tokenId: str, ctx: Api) -> Response:  # noqa: N803
    await service.remove(runtime=ctx.runtime, app=ctx.app, token_id=tokenId)
    return no_content()
