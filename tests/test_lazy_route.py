"""Routes declared lazily match, validate, answer and document exactly as FastAPI's own do."""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated

import httpx
from fastapi import APIRouter, FastAPI, Header
from fastapi.routing import APIRoute

from emulator.http.lazy_route import LazyRoute, PathPattern


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
            await client.get("/api/things/7/"),
            await client.get("/api/thing/7"),
        ]
    return [(r.status_code, r.json() if r.content else r.headers["location"]) for r in responses]


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


def test_a_path_pattern_compiles_only_for_paths_that_start_like_its_route() -> None:
    pattern = PathPattern("/api/things/{thing_id}/parts")
    assert pattern.match("/_emulator/health") is None
    assert pattern._compiled is None
    assert pattern.match("/api/things/7/parts").groupdict() == {"thing_id": "7"}
    assert pattern.match("/api/things/7/parts/x") is None


def test_serving_health_compiles_no_api_route_pattern() -> None:
    # In a fresh process: routes are module-level objects, so other tests compile their patterns.
    script = """
import asyncio, httpx
from emulator.app import create_app
from emulator.config import Settings
from emulator.http.lazy_route import LazyRoute

async def main():
    app = create_app(Settings(db_path=None))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    async with app.router.lifespan_context(app), client:
        assert (await client.get("/_emulator/health")).status_code == 200
    lazy = [r for r in app.router.routes if isinstance(r, LazyRoute)]
    print([r.path for r in lazy if r.path_regex._compiled is not None])

asyncio.run(main())
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "['/_emulator/health']"
