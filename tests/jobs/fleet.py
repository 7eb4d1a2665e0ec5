"""A fleet for job tests, built through the API: templates, devices, a group, and job helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import orjson

GA = {"api-version": "2022-07-31"}
PREVIEW = {"api-version": "preview"}
MODELS = Path(__file__).resolve().parents[2] / "emulator" / "device_templates" / "models"

# The ids the jobs how-to uses, so its requests run verbatim.
THERMOSTAT = "dtmi:modelDefinition:zomtmdxh:eqod32zbyl"
CONTROLLER = "dtmi:modelDefinition:bojo9tfju:yfvu5gv2vl"
GROUP = "833d7a7d-8f99-4e04-9e56-745806bdba6e"
EVERYTHING = "SELECT * FROM devices"


def _model(name: str) -> dict[str, Any]:
    return orjson.loads((MODELS / f"{name}.json").read_bytes())


def _template(template_id: str, model: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "@id": template_id,
        "@type": ["ModelDefinition", "DeviceModel"],
        "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
        "displayName": name,
        "capabilityModel": copy.deepcopy(model),
    }


def thermostat_template() -> dict[str, Any]:
    """The public thermostat model plus the cloud property the how-to sets (CustomerName)."""
    model = _model("thermostat-1")
    model["contents"].append(
        {"@type": ["Property", "Cloud", "StringValue"], "name": "CustomerName", "schema": "string"}
    )
    return _template(THERMOSTAT, model, "Thermostat")


def controller_template() -> dict[str, Any]:
    return _template(CONTROLLER, _model("temperaturecontroller-1"), "Temperature controller")


async def put_ok(client: httpx.AsyncClient, path: str, body: Any) -> dict[str, Any]:
    response = await client.put(path, params=GA, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def make_fleet(
    client: httpx.AsyncClient,
    *,
    online: list[str] = (),  # type: ignore[assignment]
    offline: list[str] = (),  # type: ignore[assignment]
    controllers: list[str] = (),  # type: ignore[assignment]
    group: str = GROUP,
    group_filter: str = EVERYTHING,
) -> None:
    """Simulated (connected) and plain (never connected) thermostats, controllers, a group.

    A property job completes on every thermostat (IoT Central queues the write) and fails on
    the controllers (not its target); a command job also fails on the unconnected thermostats.
    """
    await put_ok(client, f"/api/deviceTemplates/{THERMOSTAT}", thermostat_template())
    await put_ok(client, f"/api/deviceTemplates/{CONTROLLER}", controller_template())
    for device_id in online:
        await put_ok(
            client, f"/api/devices/{device_id}", {"template": THERMOSTAT, "simulated": True}
        )
    for device_id in offline:
        await put_ok(client, f"/api/devices/{device_id}", {"template": THERMOSTAT})
    for device_id in controllers:
        await put_ok(client, f"/api/devices/{device_id}", {"template": CONTROLLER})
    await put_ok(
        client, f"/api/deviceGroups/{group}", {"displayName": "Fleet", "filter": group_filter}
    )


def property_job(value: Any = 21, **extra: Any) -> dict[str, Any]:
    return {
        "displayName": "Set target temperature",
        "group": GROUP,
        "data": [
            {"type": "property", "target": THERMOSTAT, "path": "targetTemperature", "value": value}
        ],
        **extra,
    }


def command_job(**extra: Any) -> dict[str, Any]:
    return {
        "displayName": "Run device report",
        "group": GROUP,
        "data": [
            {
                "type": "command",
                "target": THERMOSTAT,
                "path": "getMaxMinReport",
                "value": "2021-06-15T05:00:00.000Z",
            }
        ],
        **extra,
    }


async def create_job(client: httpx.AsyncClient, job_id: str, body: dict[str, Any]) -> dict:
    response = await client.put(f"/api/jobs/{job_id}", params=GA, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/jobs/{job_id}", params=GA)
    assert response.status_code == 200, response.text
    return response.json()


async def all_pages(client: httpx.AsyncClient, path: str) -> list[dict[str, Any]]:
    """Every item of a list, following nextLink as a client would."""
    response = await client.get(path, params=GA)
    items: list[dict[str, Any]] = []
    while True:
        assert response.status_code == 200, response.text
        items += response.json()["value"]
        link = response.json().get("nextLink")
        if link is None:
            return items
        response = await client.get(link)


async def statuses(client: httpx.AsyncClient, job_id: str) -> dict[str, str]:
    found = await all_pages(client, f"/api/jobs/{job_id}/devices")
    return {d["id"]: d["status"] for d in found}


def progress(found: dict[str, Any]) -> tuple[int, int, int, int]:
    p = found["progress"]
    assert p["total"] == p["pending"] + p["completed"] + p["failed"]
    return p["total"], p["pending"], p["completed"], p["failed"]


async def reasons(client: httpx.AsyncClient, job_id: str) -> dict[str, str | None]:
    """Why each device failed (None when it did not), from the emulator's own endpoint."""
    response = await client.get(f"/_emulator/jobs/{job_id}/devices")
    assert response.status_code == 200, response.text
    return {d["id"]: d.get("reason") for d in response.json()["value"]}
