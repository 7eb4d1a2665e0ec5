"""Repeated GETs answered before routing, from answers kept until the next write.

A router opts a read in with `replayable(ctx, body)`: the 200 answer is kept in the database's
read cache under the request's URL and the caller's visibility, so it is retired by the next
committed write like everything else in that cache. `ReplayMiddleware` serves a repeat of the
same GET only when the caller needs no verification (the admin token, or a token verified
before and not expired) and still holds the permission the operation needs; anything else goes
through the full chain, which answers errors exactly as before. The api-version check needs no
repeating: the key includes the query string, and the versions table never changes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.http.context import ApiContext
from emulator.http.responses import JsonResponse
from emulator.runtime.core import Runtime

_JSON = (b"content-type", b"application/json")


def _key(app_id: str, scope: Scope, host: str | None, visible: frozenset[str] | None) -> Hashable:
    return ("replay", app_id, scope["scheme"], host, scope["path"], scope["query_string"], visible)


def replayable(ctx: ApiContext, content: bytes | dict[str, Any]) -> Response:
    """A 200 JSON answer that repeats of this GET may get without routing until the next write."""
    body = content if isinstance(content, bytes) else orjson.dumps(content)
    scope = ctx.request.scope
    visible = ctx.runtime.auth.visible_organizations(ctx.principal, ctx.app)
    key = _key(ctx.app.id, scope, ctx.request.headers.get("host"), visible)
    ctx.runtime.db.cache.put(key, ctx.generation, (ctx.operation_id, body))
    return JsonResponse(body)


class ReplayMiddleware:
    """Pure ASGI: send a kept answer when the same caller scope repeats a replayable GET."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._kept(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        length = (b"content-length", str(len(body)).encode())
        await send({"type": "http.response.start", "status": 200, "headers": [length, _JSON]})
        await send({"type": "http.response.body", "body": body})

    def _kept(self, scope: Scope) -> bytes | None:
        host = authorization = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value.decode("latin-1")
        auth = self.runtime.auth
        app = self.runtime.apps.for_host(host)
        principal = auth.known(authorization, app)
        if principal is None:
            return None
        visible = auth.visible_organizations(principal, app)
        kept = self.runtime.db.cache.get(_key(app.id, scope, host, visible))
        if kept is None:
            return None
        operation_id, body = kept
        if auth.permission_check(principal, operation_id, app) is not None:
            return None
        return body
