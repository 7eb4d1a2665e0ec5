"""Builds the ASGI application: middleware, error handlers, routers and the runtime's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from emulator import __version__
from emulator.config import Settings
from emulator.http.direct import DirectMiddleware
from emulator.http.errors import install_error_handlers
from emulator.http.middleware import RequestMiddleware
from emulator.http.replay import ReplayMiddleware
from emulator.http.responses import JsonResponse
from emulator.routes import (
    API_ROUTERS,
    CONTROL_ROUTERS,
    DIRECT_ROUTES,
    INSTALLERS,
    MANAGEMENT_ROUTERS,
)
from emulator.runtime.core import Runtime
from emulator.scenarios.service import with_scenario

DESCRIPTION = """\
A local emulator of the Azure IoT Central data-plane REST API. IoT Central operations live
under `/api` and need `api-version` and an `Authorization` header, as in the real service.
The emulator's own controls live under `/_emulator` (tag `emulator`).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """A ready-to-serve emulator; the runtime starts and stops with the ASGI lifespan."""
    settings = with_scenario(settings or Settings())
    runtime = Runtime(settings)
    for install in INSTALLERS:
        install(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title="IoT Central emulator",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=JsonResponse,
    )
    app.state.runtime = runtime
    runtime.services["http_app"] = app  # scenarios replay through it, in process
    install_error_handlers(app)
    # Routes join the app's own table instead of include_router's per-router wrappers, which
    # FastAPI matches through twice per request: one flat pass is the cheapest routing there is.
    for router in (*API_ROUTERS, *CONTROL_ROUTERS, *MANAGEMENT_ROUTERS):
        app.router.routes.extend(router.routes)
    app.add_middleware(DirectMiddleware, routes=DIRECT_ROUTES)
    app.add_middleware(ReplayMiddleware, runtime=runtime)
    app.add_middleware(
        RequestMiddleware, max_body_bytes=settings.max_body_bytes, clock=runtime.clock
    )
    return app
