"""The shipped logistics scenario loads completely, through the pytest fixture a CI suite uses."""

from __future__ import annotations

import httpx
import pytest

from emulator.pytest_plugin import RunningEmulator

OPERATOR = "SharedAccessSignature sr=logistics&sig=operator&skn=operator-token&se=4102444800000"
ADMIN = "SharedAccessSignature sr=logistics&sig=administrator&skn=admin-token&se=4102444800000"


def _api(emulator: RunningEmulator, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=emulator.url,
        params={"api-version": "2022-07-31"},
        headers={"Authorization": token},
    )


def _ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item.get("id") or item["@id"] for item in response.json()["value"])


@pytest.mark.iotc_emulator(scenario="scenarios/logistics.yaml")
def test_every_section_of_the_logistics_scenario_loads(iotc_emulator: RunningEmulator) -> None:
    api = _api(iotc_emulator, ADMIN)
    assert _ids(api.get("/api/organizations")) == [
        "contoso-logistics",
        "region-east",
        "region-west",
    ]
    assert _ids(api.get("/api/deviceTemplates")) == ["dtmi:contoso:logistics:TruckThermostat;1"]
    assert len(_ids(api.get("/api/devices"))) == 6
    assert _ids(api.get("/api/deviceGroups/west-trucks/devices")) == [
        "truck-west-01",
        "truck-west-02",
        "truck-west-03",
    ]
    assert _ids(api.get("/api/deviceGroups")) == ["east-trucks", "west-trucks"]
    assert _ids(api.get("/api/users")) == ["east-manager", "fleet-admin", "west-manager"]
    assert _ids(api.get("/api/apiTokens")) == ["admin-token", "operator-token"]
    faults = api.get("/_emulator/devices/truck-east-03/faults").json()
    assert faults["failureRate"] == 0.3 and faults["commandLatency"] == 20

    operator = _api(iotc_emulator, OPERATOR)
    assert len(_ids(operator.get("/api/devices"))) == 6
    assert operator.get("/api/users").status_code == 403  # operators do not manage users

    iotc_emulator.advance("PT10M")  # the scenario's job runs on the emulated clock
    job = api.get("/api/jobs/cool-west-trucks").json()
    assert job["status"] == "complete" and job["progress"]["completed"] == 3


@pytest.mark.iotc_emulator(scenario="scenarios/logistics.yaml")
def test_reset_returns_to_the_logistics_scenario(iotc_emulator: RunningEmulator) -> None:
    api = _api(iotc_emulator, ADMIN)
    assert api.delete("/api/devices/truck-west-01").status_code == 204
    assert api.delete("/api/apiTokens/operator-token").status_code == 204
    assert _api(iotc_emulator, OPERATOR).get("/api/devices").status_code == 401
    iotc_emulator.reset()
    assert len(_ids(api.get("/api/devices"))) == 6
    assert _api(iotc_emulator, OPERATOR).get("/api/devices").status_code == 200
