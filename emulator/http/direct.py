"""Hot writes served before routing: the route's own handler without FastAPI's per-request work.

Writing properties is the data plane's busiest write, and most of its cost was FastAPI solving the
same dependencies for every call. `DirectMiddleware` matches such a request with the route's own
pattern, resolves the caller as `api_context` does, parses the JSON body with orjson and awaits the
handler the route itself calls. A body it does not take as plain JSON goes on to FastAPI unchanged,
so FastAPI's answer stays the one for malformed input; errors the handler raises get the envelope
the app's own error handler gives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import orjson
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.http.context import ApiContext, resolve_context
from emulator.http.errors import ApiError, api_error_response

# The path parameters of the match, by name, and the parsed JSON body.
DirectHandler = Callable[[ApiContext, dict[str, Any], Any], Awaitable[Response]]

_NOT_PLAIN_JSON = object()


class DirectMiddleware:
    """Pure ASGI: serve a request matching one of `routes` through its direct handler."""

    def __init__(self, app: ASGIApp, routes: Sequence[tuple[APIRoute, DirectHandler]]) -> None:
        self.app = app
        self.routes = routes
        self.methods = frozenset(method for route, _ in routes for method in route.methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in self.methods:
            for route, handler in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    await self._serve(route, handler, scope, child_scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _serve(
        self,
        route: APIRoute,
        handler: DirectHandler,
        scope: Scope,
        child_scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        request = Request({**scope, **child_scope}, receive)
        raw = await request.body()
        body = _plain_json(request.headers.get("content-type"), raw)
        if body is _NOT_PLAIN_JSON:
            await self.app(scope, _replaying(raw, receive), send)
            return
        try:
            ctx = await resolve_context(request, route.operation_id)
            response = await handler(ctx, request.path_params, body)
        except ApiError as exc:
            response = api_error_response(request, exc)
        await response(request.scope, receive, send)


def _plain_json(content_type: str | None, raw: bytes) -> Any:
    """The body as JSON when it is sent as application/json and orjson reads it as it is."""
    if content_type is None or content_type.partition(";")[0].strip().lower() != "application/json":
        return _NOT_PLAIN_JSON
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _NOT_PLAIN_JSON


def _replaying(raw: bytes, receive: Receive) -> Receive:
    """A receive that hands over the body already read, then listens as before."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay
