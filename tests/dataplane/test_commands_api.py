"""Commands through the API: answers, history, offline devices, timeouts, fault profiles."""

from __future__ import annotations

import asyncio

from emulator.runtime.clock import iso_from_timestamp
from tests.dataplane.helpers import (
    V,
    controller,
    create_device,
    create_template,
    edge_template,
    thermostat,
    waiting,
    while_advancing,
)
from tests.registry.models import THERMOSTAT_TEMPLATE


def command(device: str, name: str = "getMaxMinReport", where: str = "") -> str:
    return f"/api/devices/{device}{where}/commands/{name}{V}"


async def test_max_min_report_matches_the_stored_history(emu):
    device = await thermostat(emu.client)
    await emu.advance(60)
    since_ts = emu.runtime.clock.timestamp() - 30
    since = iso_from_timestamp(since_ts)
    response = await emu.client.post(command(device), json={"request": since})
    assert response.status_code == 201, response.text
    body = response.json()
    key = (emu.runtime.apps.default.id, device, None, None, "temperature")
    values = [v for _, v in await emu.runtime.telemetry.history(key, since_ts)]
    assert len(values) == 6
    report = body["response"]
    assert report["maxTemp"] == max(values) and report["minTemp"] == min(values)
    assert abs(report["avgTemp"] - sum(values) / len(values)) < 1e-9
    assert body["responseCode"] == 200
    assert body["request"] == since
    assert (body["connectionTimeout"], body["responseTimeout"]) == (0, 30)
    history = (await emu.client.get(command(device))).json()
    assert history == {"value": [body]}


async def test_commands_to_blocked_and_real_devices_fail(emu):
    await thermostat(emu.client, "real", simulated=False)
    await create_device(emu.client, "blocked", THERMOSTAT_TEMPLATE, enabled=False)
    for device in ("real", "blocked"):
        response = await emu.client.post(command(device), json={"request": None})
        assert response.status_code == 404, device
        assert "not connected" in response.json()["error"]["message"]
        call = (await emu.client.get(command(device))).json()["value"][0]
        assert "responseCode" not in call and "response" not in call


async def test_gateway_outcome_for_an_offline_device(emu):
    await thermostat(emu.client, "real", simulated=False)
    outcome = await emu.runtime.gateway.run_command(
        emu.runtime.apps.default, "real", "getMaxMinReport", None
    )
    assert (outcome.ok, outcome.response_code, outcome.error) == (
        False,
        None,
        "device is not connected",
    )


async def test_connection_timeout_waits_for_the_device(emu):
    device = await thermostat(emu.client)
    faults = f"/_emulator/devices/{device}/faults"
    await emu.client.put(faults, json={"connected": False})
    task = await waiting(emu, emu.client.post(command(device), json={"connectionTimeout": 20}))
    await emu.advance(5)
    assert not task.done()
    await emu.client.delete(faults)
    response = await asyncio.wait_for(task, 5)
    assert response.status_code == 201
    assert response.json()["connectionTimeout"] == 20


async def test_connection_timeout_expires(emu):
    device = await thermostat(emu.client)
    await emu.client.put(f"/_emulator/devices/{device}/faults", json={"connected": False})
    response = await while_advancing(
        emu, emu.client.post(command(device), json={"connectionTimeout": 5}), 6
    )
    assert response.status_code == 404


async def test_latency_and_response_timeout(emu):
    device = await thermostat(emu.client)
    await emu.advance(10)
    faults = f"/_emulator/devices/{device}/faults"
    await emu.client.put(faults, json={"commandLatency": 3})
    slow = await while_advancing(emu, emu.client.post(command(device), json={}), 3)
    assert slow.status_code == 201 and slow.json()["responseCode"] == 200
    await emu.client.put(faults, json={"commandLatency": 40})
    late = await while_advancing(
        emu, emu.client.post(command(device), json={"responseTimeout": 10}), 10
    )
    assert late.status_code == 504
    assert late.json()["error"]["code"] == "GatewayTimeout"
    assert late.headers["x-ms-error-code"] == "GatewayTimeout"


async def test_forced_response_code_is_the_device_answer(emu):
    device = await thermostat(emu.client)
    await emu.advance(10)
    await emu.client.put(f"/_emulator/devices/{device}/faults", json={"commandResponseCode": 503})
    response = await emu.client.post(command(device), json={})
    assert response.status_code == 201
    assert response.json()["responseCode"] == 503


async def test_failure_rate_replays_with_the_seed(make_emulator):
    async def codes() -> list[int]:
        async with make_emulator(db_path=None) as emu:
            device = await thermostat(emu.client)
            await emu.advance(10)
            await emu.client.put(f"/_emulator/devices/{device}/faults", json={"failureRate": 0.5})
            found = []
            for _ in range(16):
                response = await emu.client.post(command(device), json={})
                found.append(response.json()["responseCode"])
            return found

    first = await codes()
    assert set(first) == {200, 500}
    assert first == await codes()


async def test_bad_command_calls(emu):
    device = await thermostat(emu.client)
    assert (await emu.client.post(command(device, "explode"), json={})).status_code == 404
    bad_request = await emu.client.post(command(device), json={"request": "yesterday"})
    assert bad_request.status_code == 400
    assert "getMaxMinReport" in bad_request.json()["error"]["message"]
    for body in ({"responseTimeout": 2}, {"connectionTimeout": 31}, {"responseTimeout": "x"}):
        response = await emu.client.post(command(device), json=body)
        assert response.status_code == 400, body
    assert (await emu.client.get(command(device))).json() == {"value": []}


async def test_reboot_and_component_commands(emu):
    device = await controller(emu.client)
    await emu.advance(30)
    reboot = await emu.client.post(command(device, "reboot"), json={"request": 0})
    assert reboot.status_code == 201 and reboot.json()["responseCode"] == 200
    report = await emu.client.post(
        command(device, where="/components/thermostat1"),
        json={"request": "2020-01-01T00:00:00.000Z"},
    )
    assert report.status_code == 201
    assert set(report.json()["response"]) == {
        "maxTemp",
        "minTemp",
        "avgTemp",
        "startTime",
        "endTime",
    }
    history = await emu.client.get(command(device, where="/components/thermostat1"))
    assert history.json()["value"][0]["id"] == report.json()["id"]


async def test_module_commands(emu):
    await create_template(emu.client, edge_template())
    await create_device(emu.client, "g1", "dtmi:contoso:gatewayTemplate;1")
    await emu.advance(10)
    reboot = await emu.client.post(command("g1", "reboot", "/modules/sensor"), json={})
    assert reboot.status_code == 201
    report = await emu.client.post(
        command("g1", where="/modules/sensor/components/thermostat2"), json={}
    )
    assert report.status_code == 201 and report.json()["responseCode"] == 200
    history = await emu.client.get(command("g1", "reboot", "/modules/sensor"))
    assert history.json()["value"][0]["responseCode"] == 200


async def test_fault_profile_endpoints(emu):
    device = await thermostat(emu.client)
    path = f"/_emulator/devices/{device}/faults"
    default = (await emu.client.get(path)).json()
    assert default["connected"] is True and default["failureRate"] == 0
    bad = await emu.client.put(path, json={"failureRate": 3})
    assert bad.status_code == 400 and "failureRate" in bad.json()["error"]["message"]
    stored = await emu.client.put(path, json={"propertyAckCode": 400, "propertyAckDelay": 1})
    assert stored.json()["propertyAckCode"] == 400
    await emu.client.patch(f"/api/devices/{device}/properties{V}", json={"targetTemperature": 5})
    await emu.advance(1)
    meta = (await emu.client.get(f"/api/devices/{device}/properties{V}")).json()["$metadata"]
    assert meta["targetTemperature"]["ackCode"] == 400
    assert (await emu.client.delete(path)).status_code == 204
    assert (await emu.client.get(path)).json() == default
    assert (await emu.client.get("/_emulator/devices/nobody/faults")).status_code == 404
