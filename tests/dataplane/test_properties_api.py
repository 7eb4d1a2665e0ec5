"""Device, component and module properties through the API: versions, acks, validation."""

from __future__ import annotations

from tests.dataplane.helpers import (
    V,
    controller,
    create_device,
    create_template,
    edge_template,
    thermostat,
)


async def props(emu, path: str) -> dict:
    response = await emu.client.get(f"{path}{V}")
    assert response.status_code == 200, response.text
    return response.json()


async def test_write_is_acknowledged_after_the_ack_delay(emu):
    device = await thermostat(emu.client)
    path = f"/api/devices/{device}/properties"
    response = await emu.client.patch(f"{path}{V}", json={"targetTemperature": 65.5})
    assert response.status_code == 202
    assert response.json() == {"$metadata": {"targetTemperature": {"desiredValue": 65.5}}}
    pending = (await props(emu, path))["$metadata"]["targetTemperature"]
    assert pending["desiredValue"] == 65.5 and pending["desiredVersion"] == 1
    assert "ackCode" not in pending
    await emu.advance(1.5)
    assert "ackCode" not in (await props(emu, path))["$metadata"]["targetTemperature"]
    await emu.advance(1)
    body = await props(emu, path)
    assert body["targetTemperature"] == 65.5
    meta = body["$metadata"]["targetTemperature"]
    assert (meta["ackVersion"], meta["ackCode"], meta["ackDescription"]) == (1, 200, "completed")
    assert "lastUpdateTime" in meta
    assert "maxTempSinceLastReboot" in body  # reported by the device since it booted


async def test_the_thermostat_heads_for_the_new_target(emu):
    device = await thermostat(emu.client)
    await emu.client.patch(f"/api/devices/{device}/properties{V}", json={"targetTemperature": 80})
    await emu.advance(300)
    value = (await emu.client.get(f"/api/devices/{device}/telemetry/temperature{V}")).json()
    assert abs(value["value"] - 80) < 3


async def test_invalid_writes_are_400_naming_the_property_and_store_nothing(emu):
    device = await thermostat(emu.client)
    path = f"/api/devices/{device}/properties{V}"
    for body, named in (
        ({"maxTempSinceLastReboot": 3}, "read-only"),
        ({"fanSpeed": 3}, "not a property"),
        ({"targetTemperature": "warm"}, "targetTemperature"),
        ({"targetTemperature": 20, "maxTempSinceLastReboot": 1}, "maxTempSinceLastReboot"),
    ):
        response = await emu.client.patch(path, json=body)
        assert response.status_code == 400, body
        assert named in response.json()["error"]["message"]
    body = (await emu.client.get(path)).json()
    assert "targetTemperature" not in body.get("$metadata", {})


async def test_numbers_sent_as_text_are_coerced(emu):
    device = await thermostat(emu.client)
    path = f"/api/devices/{device}/properties{V}"
    response = await emu.client.patch(path, json={"targetTemperature": "56"})
    assert response.status_code == 202
    assert response.json()["$metadata"]["targetTemperature"]["desiredValue"] == 56


async def test_cloud_properties_are_stored_and_returned(emu):
    device = await thermostat(emu.client)
    path = f"/api/devices/{device}/properties{V}"
    response = await emu.client.put(path, json={"city": "Seattle"})
    assert response.status_code == 202
    assert response.json() == {"city": "Seattle"}
    body = (await emu.client.get(path)).json()
    assert body["city"] == "Seattle"
    assert set(body["$metadata"]["city"]) == {"lastUpdateTime"}
    await emu.runtime.gateway.write_property_many(
        emu.runtime.apps.default, [device], component=None, name="city", value="Oslo", cloud=True
    )
    assert (await emu.client.get(path)).json()["city"] == "Oslo"


async def test_offline_device_writes_queue_until_it_connects(emu):
    device = await thermostat(emu.client, simulated=False)
    path = f"/api/devices/{device}/properties"
    for value in (30, 31):
        assert (
            await emu.client.patch(f"{path}{V}", json={"targetTemperature": value})
        ).status_code == 202
    await emu.advance(10)
    meta = (await props(emu, path))["$metadata"]["targetTemperature"]
    assert (meta["desiredValue"], meta["desiredVersion"]) == (31, 2)
    assert "ackVersion" not in meta
    await emu.client.patch(f"/api/devices/{device}{V}", json={"simulated": True})
    await emu.advance(3)
    body = await props(emu, path)
    meta = body["$metadata"]["targetTemperature"]
    assert (meta["ackVersion"], meta["ackCode"]) == (2, 200)
    assert body["targetTemperature"] == 31


async def test_component_properties_nest_at_device_level(emu):
    device = await controller(emu.client)
    path = f"/api/devices/{device}/components/thermostat2/properties"
    response = await emu.client.patch(f"{path}{V}", json={"targetTemperature": 18})
    assert response.status_code == 202
    await emu.advance(3)
    component = await props(emu, path)
    assert component["targetTemperature"] == 18
    assert component["$metadata"]["targetTemperature"]["ackCode"] == 200
    whole = await props(emu, f"/api/devices/{device}/properties")
    assert "serialNumber" in whole and "serialNumber" in whole["$metadata"]
    assert whole["thermostat2"]["targetTemperature"] == 18
    assert "manufacturer" in whole["deviceInformation"]
    nested = await emu.client.patch(
        f"/api/devices/{device}/properties{V}", json={"thermostat1": {"targetTemperature": 25}}
    )
    assert nested.status_code == 202
    assert nested.json() == {
        "thermostat1": {"$metadata": {"targetTemperature": {"desiredValue": 25}}}
    }
    assert (
        await emu.client.get(f"/api/devices/{device}/components/nope/properties{V}")
    ).status_code == 404


async def test_module_and_module_component_properties(emu):
    await create_template(emu.client, edge_template())
    await create_device(emu.client, "g1", "dtmi:contoso:gatewayTemplate;1")
    base = "/api/devices/g1/modules/sensor"
    response = await emu.client.patch(
        f"{base}/components/thermostat1/properties{V}", json={"targetTemperature": 40}
    )
    assert response.status_code == 202
    await emu.advance(3)
    module = await props(emu, f"{base}/properties")
    assert "serialNumber" in module
    assert module["thermostat1"]["targetTemperature"] == 40
    component = await props(emu, f"{base}/components/thermostat1/properties")
    assert component["$metadata"]["targetTemperature"]["ackVersion"] == 1
    device_level = await props(emu, "/api/devices/g1/properties")
    assert "thermostat1" not in device_level  # module twins are separate
    assert (await emu.client.get(f"/api/devices/g1/modules/nope/properties{V}")).status_code == 404
