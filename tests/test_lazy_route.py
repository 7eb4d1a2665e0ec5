"""Routes declared lazily match, validate, answer and document exactly as FastAPI's own do."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, FastAPI, Header
from fastapi.routing import APIRoute

from emulator.http.lazy_route import LazyRoute


def _app(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(prefix="/api", tags=["things"], route_class=route_class)

    @router.get("/things/{thing_id}", operation_id="Things_Get", summary="Get a thing")
    async def get_thing(
        thing_id: int, tag: str | None = None, if_match: Annotated[str | None, Header()] = None
    ) -> dict[str, object]:
        """A thing, by its number."""
        return {"id": thing_id, "tag": tag, "ifMatch": if_match}

    @router.put("/things/{thing_id}", operation_id="Things_Put", status_code=201)
    async def put_thing(thing_id: int, body: dict[str, int]) -> dict[str, object]:
        return {"id": thing_id, **body}

    app = FastAPI()
    app.router.routes.extend(router.routes)
    return app


async def _calls(app: FastAPI) -> list[tuple[int, object]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = [
            await client.get("/api/things/7?tag=x", headers={"If-Match": "*"}),
            await client.get("/api/things/seven"),
            await client.put("/api/things/7", json={"size": 3}),
            await client.put("/api/things/7", json={"size": "big"}),
            await client.delete("/api/things/7"),
        ]
    return [(r.status_code, r.json()) for r in responses]


def test_declaring_a_route_leaves_its_parameters_unanalysed() -> None:
    route = _app(LazyRoute).router.routes[-1]
    assert isinstance(route, LazyRoute)
    assert "dependant" not in vars(route)
    assert route.operation_id == "Things_Put"
    assert "dependant" in vars(route)


def test_finding_a_route_by_name_leaves_routes_unanalysed() -> None:
    app = _app(LazyRoute)
    assert app.url_path_for("put_thing", thing_id="7") == "/api/things/7"
    assert not any("dependant" in vars(route) for route in app.router.routes[-2:])


async def test_lazy_routes_answer_as_fastapi_routes_do() -> None:
    assert await _calls(_app(LazyRoute)) == await _calls(_app(APIRoute))


def test_lazy_routes_are_documented_as_fastapi_routes_are() -> None:
    assert _app(LazyRoute).openapi() == _app(APIRoute).openapi()


def test_every_route_the_emulator_declares_is_lazy() -> None:
    from emulator.app import create_app
    from emulator.config import Settings

    routes = [r for r in create_app(Settings()).router.routes if isinstance(r, APIRoute)]
    assert routes
    assert [r.path for r in routes if not isinstance(r, LazyRoute)] == []
