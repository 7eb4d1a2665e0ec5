"""The per-request chain: application (from Host), api-version, principal, permission."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from msgspec import Struct
from starlette.datastructures import QueryParams

from emulator.applications.service import Application
from emulator.http.auth import Principal
from emulator.http.versions import ApiVersion, resolve
from emulator.runtime.core import Runtime


class ApiContext(Struct):
    """Everything a router needs to know about who asks what of which application."""

    app: Application
    version: ApiVersion
    principal: Principal
    runtime: Runtime
    request: Request
    operation_id: str | None
    # The database's write generation when the request arrived: answers read later may be kept
    # for replay only if no write has ended since.
    generation: int

    @property
    def request_id(self) -> str:
        return self.request.scope["state"]["request_id"]


def runtime_of(request: Request) -> Runtime:
    return request.app.state.runtime


@lru_cache(maxsize=256)
def api_version_in(query_string: bytes) -> str | None:
    """The `api-version` a query string asks for; clients repeat the same few query strings."""
    return QueryParams(query_string).get("api-version")


async def resolve_context(request: Request, operation_id: str | None) -> ApiContext:
    """Resolve and check an IoT Central call to the operation `operation_id`."""
    runtime = runtime_of(request)
    generation = runtime.db.cache.generation
    app = runtime.apps.for_host(request.headers.get("host"))
    version = resolve(api_version_in(request.scope["query_string"]), operation_id)
    principal = await runtime.auth.authenticate(request.headers.get("authorization"), app)
    if operation_id:
        runtime.auth.authorize(principal, operation_id, app)
    return ApiContext(app, version, principal, runtime, request, operation_id, generation)


async def api_context(request: Request) -> ApiContext:
    """The dependency of every /api route: the context of the operation the route serves."""
    return await resolve_context(request, getattr(request.scope.get("route"), "operation_id", None))


class ControlContext(Struct):
    """An /_emulator call: the application it is for and the caller."""

    app: Application
    principal: Principal
    runtime: Runtime


async def control_context(request: Request) -> ControlContext:
    """Resolve an /_emulator call; the permission table says who may make it (Administrators)."""
    runtime = runtime_of(request)
    app = runtime.apps.for_host(request.headers.get("host"))
    principal = await runtime.auth.authenticate(request.headers.get("authorization"), app)
    operation_id = getattr(request.scope.get("route"), "operation_id", None)
    if operation_id:
        runtime.auth.authorize(principal, operation_id, app)
    return ControlContext(app, principal, runtime)


Api = Annotated[ApiContext, Depends(api_context)]
Control = Annotated[ControlContext, Depends(control_context)]
