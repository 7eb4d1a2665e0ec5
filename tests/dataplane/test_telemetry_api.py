"""Telemetry of simulated devices through the API, on a frozen clock."""

from __future__ import annotations

from tests.dataplane.helpers import (
    V,
    controller,
    create_device,
    create_template,
    edge_template,
    thermostat,
)
from tests.registry.models import THERMOSTAT_TEMPLATE


async def test_sixty_seconds_of_telemetry(emu):
    device = await thermostat(emu.client)
    missing = await emu.client.get(f"/api/devices/{device}/telemetry/temperature{V}")
    assert missing.status_code == 404
    assert "has not sent" in missing.json()["error"]["message"]
    start = emu.runtime.clock.timestamp()
    await emu.advance(60)
    key = (emu.runtime.apps.default.id, device, None, None, "temperature")
    points = await emu.runtime.telemetry.history(key, 0)
    assert len(points) == 12  # one every 5 emulated seconds
    assert all(start < ts <= start + 60 for ts, _ in points)
    assert [b - a for (a, _), (b, _) in zip(points, points[1:], strict=False)] == [5.0] * 11
    response = await emu.client.get(f"/api/devices/{device}/telemetry/temperature{V}")
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == points[-1][1]
    assert body["timestamp"].endswith("Z")


async def test_unknown_telemetry_is_404(emu):
    device = await thermostat(emu.client)
    response = await emu.client.get(f"/api/devices/{device}/telemetry/humidity{V}")
    assert response.status_code == 404
    assert "temperature" in response.json()["error"]["message"]
    response = await emu.client.get(f"/api/devices/nobody/telemetry/temperature{V}")
    assert response.status_code == 404


async def test_component_and_module_telemetry(emu):
    device = await controller(emu.client)
    await create_template(emu.client, edge_template())
    await create_device(emu.client, "g1", "dtmi:contoso:gatewayTemplate;1")
    await emu.advance(5)
    for path in (
        f"/api/devices/{device}/components/thermostat1/telemetry/temperature",
        f"/api/devices/{device}/telemetry/workingSet",
        "/api/devices/g1/modules/sensor/telemetry/workingSet",
        "/api/devices/g1/modules/sensor/components/thermostat2/telemetry/temperature",
    ):
        response = await emu.client.get(path + V)
        assert response.status_code == 200, (path, response.text)
        assert isinstance(response.json()["value"], float)
    wrong = await emu.client.get(f"/api/devices/{device}/components/thermostat9/telemetry/x{V}")
    assert wrong.status_code == 404
    assert "thermostat1" in wrong.json()["error"]["message"]


async def test_disabled_non_simulated_and_deleted_devices_send_nothing(emu):
    await thermostat(emu.client, "quiet", simulated=False)
    await create_device(emu.client, "off", THERMOSTAT_TEMPLATE, enabled=False)
    await create_device(emu.client, "gone", THERMOSTAT_TEMPLATE)
    await emu.advance(6)
    assert (await emu.client.delete(f"/api/devices/gone{V}")).status_code == 204
    await emu.advance(30)
    app_id = emu.runtime.apps.default.id
    for device in ("quiet", "off", "gone"):
        key = (app_id, device, None, None, "temperature")
        assert await emu.runtime.telemetry.history(key, 0) == [], device


async def test_disabling_stops_and_enabling_restarts(emu):
    device = await thermostat(emu.client)
    app_id = emu.runtime.apps.default.id
    key = (app_id, device, None, None, "temperature")
    await emu.advance(10)
    assert len(await emu.runtime.telemetry.history(key, 0)) == 2
    await emu.client.patch(f"/api/devices/{device}{V}", json={"enabled": False})
    await emu.advance(20)
    assert len(await emu.runtime.telemetry.history(key, 0)) == 2
    await emu.client.patch(f"/api/devices/{device}{V}", json={"enabled": True})
    await emu.advance(10)
    assert len(await emu.runtime.telemetry.history(key, 0)) == 4


async def test_same_seed_same_values(make_emulator):
    async def values() -> list:
        async with make_emulator(db_path=None) as emu:
            device = await thermostat(emu.client)
            await emu.advance(30)
            key = (emu.runtime.apps.default.id, device, None, None, "temperature")
            return [v for _, v in await emu.runtime.telemetry.history(key, 0)]

    first = await values()
    assert len(first) == 6
    assert first == await values()


async def test_reset_stops_devices_and_forgets_telemetry(emu):
    device = await thermostat(emu.client)
    await emu.advance(10)
    assert (await emu.client.post("/_emulator/reset")).status_code == 204
    await emu.advance(10)
    assert emu.runtime.simulation.get(emu.runtime.apps.default.id, device) is None
    key = (emu.runtime.apps.default.id, device, None, None, "temperature")
    assert await emu.runtime.telemetry.history(key, 0) == []


async def test_simulated_devices_start_with_the_emulator(make_emulator):
    async with make_emulator() as emu:
        await thermostat(emu.client, "t1")
        await create_device(emu.client, "t2", THERMOSTAT_TEMPLATE, enabled=False)
    async with make_emulator() as emu:
        app_id = emu.runtime.apps.default.id
        assert emu.runtime.simulation.get(app_id, "t1") is not None
        assert emu.runtime.simulation.get(app_id, "t2") is None
        await emu.advance(6)
        response = await emu.client.get(f"/api/devices/t1/telemetry/temperature{V}")
        assert response.status_code == 200
