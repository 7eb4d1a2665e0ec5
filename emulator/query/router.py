"""POST /query: IoT Central's query language over telemetry history and property state."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from emulator.http.context import Api
from emulator.http.lazy_route import LazyRoute
from emulator.http.responses import json_response

router = APIRouter(prefix="/api", tags=["query"], route_class=LazyRoute)


class QueryRequest(BaseModel):
    """The query to run, in IoT Central's query language."""

    query: str = Field(description="For example: SELECT $id, temperature FROM <template id>")


@router.post("/query", operation_id="Query_Run", summary="Run a query over devices' data")
async def run_query(body: QueryRequest, ctx: Api) -> Response:
    from emulator.query import service  # the query engine loads on the first query

    organizations = ctx.runtime.auth.visible_organizations(ctx.principal, ctx.app)
    results = await service.run(
        runtime=ctx.runtime, app=ctx.app, text=body.query, organizations=organizations
    )
    return json_response({"results": results})
