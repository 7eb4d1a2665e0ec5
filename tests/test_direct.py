"""Property writes are served before routing, with the answers FastAPI's routes give."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Match

from emulator.http.direct import DirectMiddleware
from emulator.routes import DIRECT_ROUTES
from tests.conftest import Emulator, EmulatorFactory
from tests.dataplane.helpers import V, thermostat
from tests.identity_support import auth_header, create_org

JSON = "application/json"
WRITE = '{"targetTemperature": 21.5}'
DEVICE = "/api/devices/t1/properties"

# label: method, path, query, body, content type
CASES: dict[str, tuple[str, str, str, str, str | None]] = {
    "a write": ("PATCH", DEVICE, V, WRITE, JSON),
    "a replace": ("PUT", DEVICE, V, WRITE, JSON),
    "a cloud property": ("PATCH", DEVICE, V, '{"city": "Oslo"}', JSON),
    "a charset": ("PATCH", DEVICE, V, WRITE, "application/json; charset=utf-8"),
    "an unknown property": ("PATCH", DEVICE, V, '{"colour": "red"}', JSON),
    "a read-only property": ("PATCH", DEVICE, V, '{"maxTempSinceLastReboot": 3}', JSON),
    "a value of the wrong type": ("PATCH", DEVICE, V, '{"targetTemperature": "warm"}', JSON),
    "a list": ("PATCH", DEVICE, V, "[1, 2]", JSON),
    "invalid JSON": ("PATCH", DEVICE, V, '{"targetTemperature": ', JSON),
    "NaN": ("PATCH", DEVICE, V, '{"targetTemperature": NaN}', JSON),
    "an empty body": ("PATCH", DEVICE, V, "", JSON),
    "no content type": ("PATCH", DEVICE, V, WRITE, None),
    "a text body": ("PATCH", DEVICE, V, WRITE, "text/plain"),
    "an unknown device": ("PATCH", "/api/devices/nope/properties", V, WRITE, JSON),
    "a missing component": (
        "PATCH",
        "/api/devices/t1/components/thermostat9/properties",
        V,
        WRITE,
        JSON,
    ),
    "a module of a device without modules": (
        "PUT",
        "/api/devices/t1/modules/m1/properties",
        V,
        WRITE,
        JSON,
    ),
    "no api-version": ("PATCH", DEVICE, "", WRITE, JSON),
    "an unknown api-version": ("PATCH", DEVICE, "?api-version=2099-01-01", WRITE, JSON),
}


def _comparable(response: Any) -> tuple[int, str | None, Any]:
    """Status, error code and body, without what differs per request (id and time)."""
    body = response.json() if response.content else None
    if isinstance(body, dict) and "error" in body:
        error = dict(body["error"])
        error.pop("requestId")
        error.pop("time")
        error["message"] = re.sub(r" You can contact support.*", "", error["message"])
        body = error
    return response.status_code, response.headers.get("x-ms-error-code"), body


def _layers(app: Any) -> list[type]:
    """The classes of the app's middleware stack, outermost first."""
    layers, layer = [], app.middleware_stack
    while layer is not None:
        layers.append(type(layer))
        layer = getattr(layer, "app", None)
    return layers


async def _answers(emu: Emulator, headers: dict[str, str]) -> dict[str, tuple]:
    await thermostat(emu.client)
    answers = {}
    for label, (method, path, query, body, content_type) in CASES.items():
        sent = dict(headers)
        if content_type:
            sent["Content-Type"] = content_type
        response = await emu.client.request(
            method, path + query, content=body.encode(), headers=sent
        )
        answers[label] = _comparable(response)
    return answers


@pytest.mark.parametrize("role", ["Administrator", "Operator", "Builder", "Org Viewer", None])
async def test_the_direct_lane_answers_as_the_routes_do(
    make_emulator: EmulatorFactory, tmp_path: Path, role: str | None
) -> None:
    answers = []
    for name, direct in (("direct", True), ("routed", False)):
        async with make_emulator(db_path=str(tmp_path / f"{name}.db")) as emu:
            if not direct:
                emu.app.user_middleware = [
                    m for m in emu.app.user_middleware if m.cls is not DirectMiddleware
                ]
            await create_org(emu.client, "europe")
            organization = "europe" if role and role.startswith("Org") else None
            no_credentials = {"Authorization": ""}
            headers = await auth_header(emu.client, role, organization) if role else no_credentials
            answers.append(await _answers(emu, headers))
            assert (DirectMiddleware in _layers(emu.app)) is direct
    direct_answers, routed_answers = answers
    for label in CASES:
        assert direct_answers[label] == routed_answers[label], label
    if role == "Administrator":
        assert direct_answers["a write"][0] == 202
        assert direct_answers["a cloud property"][2] == {"city": "Oslo"}


async def test_writes_are_served_without_routing_and_odd_bodies_are_routed(emu: Emulator) -> None:
    await thermostat(emu.client)
    writes = [route for route, _ in DIRECT_ROUTES]
    emu.app.router.routes[:] = [r for r in emu.app.router.routes if r not in writes]
    served = await emu.client.patch(DEVICE + V, content=WRITE, headers={"Content-Type": JSON})
    assert served.status_code == 202
    assert served.json() == {"$metadata": {"targetTemperature": {"desiredValue": 21.5}}}
    stored = await emu.client.get(DEVICE + V)
    assert stored.json()["$metadata"]["targetTemperature"]["desiredValue"] == 21.5
    routed = await emu.client.patch(DEVICE + V, content="{", headers={"Content-Type": JSON})
    assert routed.status_code == 405  # routing found the GET route only


async def test_each_direct_route_is_the_route_routing_would_pick(emu: Emulator) -> None:
    for route, _ in DIRECT_ROUTES:
        (method,) = route.methods
        path = re.sub(r"\{[^}]+\}", "x1", route.path)
        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        picked = next(r for r in emu.app.router.routes if r.matches(scope)[0] is Match.FULL)
        assert picked is route, path
