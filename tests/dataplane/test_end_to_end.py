"""The learning module's property, command and telemetry steps against the real process."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from emulator.config import DEFAULT_ADMIN_TOKEN
from tests.dataplane.helpers import V, thermostat_with_cloud_property
from tests.registry.models import THERMOSTAT_TEMPLATE
from tests.test_end_to_end import running_emulator


def poll(call, done, seconds: float = 10.0):
    """Repeat a real HTTP call until `done(response)`; the server runs on real time here."""
    deadline = time.monotonic() + seconds
    while True:
        response = call()
        if done(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def test_properties_commands_and_telemetry_over_http(tmp_path: Path) -> None:
    db = str(tmp_path / "e2e.db")
    with running_emulator("--db", db, "--time-scale", "20", "--seed", "7") as base:
        api = httpx.Client(base_url=f"{base}/api", headers={"Authorization": DEFAULT_ADMIN_TOKEN})
        template = thermostat_with_cloud_property()
        assert api.put(f"/deviceTemplates/{THERMOSTAT_TEMPLATE}{V}", json=template).is_success
        device = {"displayName": "Truck 1", "template": THERMOSTAT_TEMPLATE, "simulated": True}
        assert api.put(f"/devices/truck-1{V}", json=device).is_success

        telemetry = poll(
            lambda: api.get(f"/devices/truck-1/telemetry/temperature{V}"),
            lambda r: r.status_code == 200,
        )
        assert telemetry.status_code == 200
        assert isinstance(telemetry.json()["value"], float)

        patched = api.patch(f"/devices/truck-1/properties{V}", json={"targetTemperature": 65.5})
        assert patched.status_code == 202
        assert patched.json() == {"$metadata": {"targetTemperature": {"desiredValue": 65.5}}}
        acked = poll(
            lambda: api.get(f"/devices/truck-1/properties{V}"),
            lambda r: "ackCode" in r.json()["$metadata"]["targetTemperature"],
        )
        assert acked.json()["$metadata"]["targetTemperature"]["ackCode"] == 200
        assert acked.json()["targetTemperature"] == 65.5

        run = api.post(
            f"/devices/truck-1/commands/getMaxMinReport{V}",
            json={"request": "2020-01-01T00:00:00.000Z"},
        )
        assert run.status_code == 201
        assert run.json()["responseCode"] == 200
        assert run.json()["response"]["maxTemp"] >= run.json()["response"]["minTemp"]
        history = api.get(f"/devices/truck-1/commands/getMaxMinReport{V}")
        assert history.json()["value"][0]["id"] == run.json()["id"]
