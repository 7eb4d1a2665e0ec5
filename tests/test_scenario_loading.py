"""Scenarios replayed into applications at boot, again at reset, and their errors' paths."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from emulator.scenarios.document import ScenarioError
from tests.conftest import Emulator

FLEET = str(Path(__file__).parent / "scenarios" / "fleet.yaml")
V = {"api-version": "2022-07-31"}


async def _ids(client: httpx.AsyncClient, path: str, **headers: str) -> list[str]:
    response = await client.get(path, params=V, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(item.get("id") or item["@id"] for item in response.json()["value"])


@pytest.fixture
async def fleet(make_emulator) -> Emulator:  # noqa: ANN001
    async with make_emulator(scenario=FLEET) as emu:
        yield emu


async def test_boot_loads_templates_devices_and_groups(fleet: Emulator) -> None:
    client = fleet.client
    assert await _ids(client, "/api/deviceTemplates") == [
        "dtmi:contoso:Gateway;1",
        "dtmi:contoso:Truck;1",
    ]
    truck = (await client.get("/api/deviceTemplates/dtmi:contoso:Truck;1", params=V)).json()
    assert truck["displayName"] == "Thermostat"  # taken from the model file
    assert truck["capabilityModel"]["@id"] == "dtmi:com:example:Thermostat;1"
    devices = {d["id"]: d for d in (await client.get("/api/devices", params=V)).json()["value"]}
    assert sorted(devices) == ["gateway-1", "truck-1", "truck-2"]
    assert devices["truck-1"]["simulated"] is True and devices["gateway-1"]["enabled"] is False
    assert await _ids(client, "/api/deviceGroups/trucks/devices") == ["truck-1", "truck-2"]
    group = (await client.get("/api/deviceGroups/trucks", params=V)).json()
    assert group["description"] == "Every truck"
    second = {"Host": "second.azureiotcentral.com"}
    assert await _ids(client, "/api/devices", **second) == ["lonely"]


async def test_reset_returns_each_application_to_its_part(fleet: Emulator) -> None:
    client = fleet.client
    assert (await client.delete("/api/devices/truck-1", params=V)).status_code == 204
    created = await client.put("/api/devices/extra", params=V, json={"displayName": "Extra"})
    assert created.status_code == 200
    second = {"Host": "second.azureiotcentral.com"}
    await client.delete("/api/devices/lonely", params=V, headers=second)

    assert (await client.post("/_emulator/reset")).status_code == 204
    assert await _ids(client, "/api/devices") == ["gateway-1", "truck-1", "truck-2"]
    assert await _ids(client, "/api/devices", **second) == []  # not reset yet
    assert (await client.post("/_emulator/reset", headers=second)).status_code == 204
    assert await _ids(client, "/api/devices", **second) == ["lonely"]


async def test_restart_on_the_same_database_starts_from_the_scenario(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(scenario=FLEET) as emu:
        await emu.client.delete("/api/devices/truck-2", params=V)
    async with make_emulator(scenario=FLEET) as emu:
        assert await _ids(emu.client, "/api/devices") == ["gateway-1", "truck-1", "truck-2"]


async def test_an_entry_the_api_refuses_is_named_by_its_path(make_emulator, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.yaml"
    path.write_text(
        "devices:\n  - {id: ok, displayName: Fine}\n  - {id: bad, template: 'dtmi:missing;1'}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        async with make_emulator(scenario=str(path)):
            pass
    message = str(caught.value)
    assert message.startswith(f"scenario {path} at devices[1]: PUT /api/devices/bad answered 4")
    assert "dtmi:missing;1" in message
    assert "support" not in message


async def test_a_missing_model_file_is_named(make_emulator, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.yaml"
    path.write_text("deviceTemplates:\n  - {id: 'dtmi:x;1', modelFile: nowhere.json}\n")
    with pytest.raises(
        ScenarioError, match=r"deviceTemplates\[0\]\.modelFile: model file .*nowhere"
    ):
        async with make_emulator(scenario=str(path)):
            pass


OPERATOR_TOKEN = "SharedAccessSignature sr=fleet&sig=fixed&skn=operator&se=4102444800000"


async def test_boot_loads_organizations_users_and_tokens(fleet: Emulator) -> None:
    client = fleet.client
    orgs = {o["id"]: o for o in (await client.get("/api/organizations", params=V)).json()["value"]}
    assert orgs["north-east"]["parent"] == "north"
    ben = (await client.get("/api/users/ben", params=V)).json()
    assert ben["type"] == "email" and ben["roles"] == [
        {"role": "84cc62c1-dabe-49d3-b16e-8b291232b285", "organization": "north"}
    ]
    tokens = {t["id"]: t for t in (await client.get("/api/apiTokens", params=V)).json()["value"]}
    assert sorted(tokens) == ["minted", "operator"]
    assert tokens["operator"]["expiry"] == "2100-01-01T00:00:00.000Z"
    assert "token" not in tokens["operator"]


async def test_a_fixed_token_works_in_its_application_only(fleet: Emulator) -> None:
    as_operator = {"Authorization": OPERATOR_TOKEN}
    devices = await fleet.client.get("/api/devices", params=V, headers=as_operator)
    assert devices.status_code == 200 and len(devices.json()["value"]) == 3
    refused = await fleet.client.get("/api/apiTokens", params=V, headers=as_operator)
    assert refused.status_code == 403  # an Operator may not manage tokens
    elsewhere = {**as_operator, "Host": "second.azureiotcentral.com"}
    other = await fleet.client.get("/api/devices", params=V, headers=elsewhere)
    assert other.status_code == 401
    forged = OPERATOR_TOKEN.replace("sig=fixed", "sig=guess")
    assert (
        await fleet.client.get("/api/devices", params=V, headers={"Authorization": forged})
    ).status_code == 401


async def test_reset_brings_back_deleted_tokens_and_users(fleet: Emulator) -> None:
    client = fleet.client
    await client.delete("/api/apiTokens/operator", params=V)
    await client.delete("/api/users/ana", params=V)
    denied = await client.get("/api/devices", params=V, headers={"Authorization": OPERATOR_TOKEN})
    assert denied.status_code == 401
    await client.post("/_emulator/reset")
    allowed = await client.get("/api/devices", params=V, headers={"Authorization": OPERATOR_TOKEN})
    assert allowed.status_code == 200
    assert (await client.get("/api/users/ana", params=V)).status_code == 200


async def test_a_bad_fixed_token_is_named_by_its_path(make_emulator, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.yaml"
    path.write_text(
        "apiTokens:\n  - id: op\n    roles: [Operator]\n"
        "    token: SharedAccessSignature sr=a&sig=b&skn=other&se=4102444800000\n"
    )
    with pytest.raises(ScenarioError, match=r"at apiTokens\[0\]: .*skn=other; it must be skn=op"):
        async with make_emulator(scenario=str(path)):
            pass
