"""`POST /_emulator/bearer-tokens`: bearer tokens that act as a user, for real role tests."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from emulator.http.context import Control
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response
from emulator.identity import bearer

router = APIRouter(prefix="/_emulator", tags=["emulator"], route_class=LazyRoute)


class BearerTokenRequest(BaseModel):
    """Which user the token acts as."""

    userId: str = Field(..., description="id of a user created with PUT /api/users/{userId}")  # noqa: N815


@router.post(
    "/bearer-tokens",
    operation_id="Emulator_MintBearerToken",
    summary="Mint a bearer token that acts as a user, with that user's roles",
)
async def mint_bearer_token(request: BearerTokenRequest, ctx: Control) -> Response:
    token = await bearer.mint(runtime=ctx.runtime, app=ctx.app, user_id=request.userId)
    return json_response(token.to_json())
