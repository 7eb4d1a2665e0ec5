"""Templates and devices for data-plane tests, created through the API as a user would."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import httpx

from tests.registry.models import (
    CONTROLLER_TEMPLATE,
    THERMOSTAT_TEMPLATE,
    controller_template,
    model,
    template,
)

V = "?api-version=2022-07-31"
CLOUD_CITY = {"@type": ["Property", "Cloud", "StringValue"], "name": "city", "schema": "string"}
EDGE_TEMPLATE = "dtmi:contoso:gatewayTemplate;1"


def thermostat_with_cloud_property() -> dict[str, Any]:
    """The public thermostat model plus a cloud property, as IoT Central templates carry them."""
    capability_model = model("thermostat-1")
    capability_model["contents"].append(CLOUD_CITY)
    return template(THERMOSTAT_TEMPLATE, capability_model, "Thermostat")


def edge_template() -> dict[str, Any]:
    """A gateway whose edge module `sensor` is a temperature controller (two thermostats)."""
    capability_model = {
        "@id": "dtmi:contoso:Gateway;1",
        "@type": "Interface",
        "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
        "contents": [
            {
                "@type": ["Relationship", "EdgeModule"],
                "name": "sensor",
                "maxMultiplicity": 1,
                "target": ["dtmi:com:example:TemperatureController;1"],
            }
        ],
    }
    return template(EDGE_TEMPLATE, capability_model, "Gateway")


async def create_template(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.put(f"/api/deviceTemplates/{body['@id']}{V}", json=body)
    assert response.status_code == 200, response.text


async def create_device(
    client: httpx.AsyncClient,
    device_id: str,
    template_id: str = THERMOSTAT_TEMPLATE,
    *,
    simulated: bool = True,
    enabled: bool = True,
) -> None:
    body = {
        "displayName": device_id,
        "template": template_id,
        "simulated": simulated,
        "enabled": enabled,
    }
    response = await client.put(f"/api/devices/{device_id}{V}", json=body)
    assert response.status_code == 200, response.text


async def thermostat(client: httpx.AsyncClient, device_id: str = "t1", **flags: bool) -> str:
    await create_template(client, thermostat_with_cloud_property())
    await create_device(client, device_id, **flags)
    return device_id


async def controller(client: httpx.AsyncClient, device_id: str = "c1") -> str:
    await create_template(client, controller_template())
    await create_device(client, device_id, CONTROLLER_TEMPLATE)
    return device_id


async def waiting(emu: Any, call: Awaitable[httpx.Response]) -> asyncio.Future:
    """Start an API call and return once it waits on emulated time (or has already answered).

    The clock is frozen, so the call's wait shows as one more timer on the scheduler.
    """
    scheduler = emu.runtime.scheduler
    before = scheduler.pending()
    task = asyncio.ensure_future(call)
    for _ in range(400):
        if scheduler.pending() > before or task.done():
            return task
        await asyncio.sleep(0.005)  # real time for the request to reach its wait
    raise AssertionError("the call never started waiting")


async def while_advancing(emu: Any, call: Awaitable[httpx.Response], seconds: float):
    """Start an API call that waits on emulated time, move the clock, return its response."""
    task = await waiting(emu, call)
    await emu.advance(seconds)
    return await asyncio.wait_for(task, 5)
