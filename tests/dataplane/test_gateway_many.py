"""One property written to many devices at once: exact per-device results, versions, delivery."""

from __future__ import annotations

from tests.dataplane.helpers import V, controller, create_device, thermostat


async def desired(emu, device: str) -> dict:
    body = (await emu.client.get(f"/api/devices/{device}/properties{V}")).json()
    return body["$metadata"]["targetTemperature"]


async def test_each_device_gets_its_own_result_and_version(emu):
    await thermostat(emu.client, "t1")
    await create_device(emu.client, "t2", simulated=False)
    await controller(emu.client, "c1")  # targetTemperature lives in a component there
    patch = {"targetTemperature": 30}
    assert (await emu.client.patch(f"/api/devices/t1/properties{V}", json=patch)).status_code == 202
    results = await emu.runtime.gateway.write_property_many(
        emu.runtime.apps.default,
        ["t1", "t2", "c1", "gone"],
        component=None,
        name="targetTemperature",
        value=40,
        cloud=False,
    )
    assert results["t1"] is None and results["t2"] is None
    assert "'targetTemperature' is not a property of the device" in results["c1"]
    assert "Device 'gone' does not exist" in results["gone"]
    assert (await desired(emu, "t1"))["desiredVersion"] == 2  # after the single write's 1
    assert (await desired(emu, "t2"))["desiredVersion"] == 1
    await emu.advance(3)
    online, offline = await desired(emu, "t1"), await desired(emu, "t2")
    assert (online["desiredValue"], online["ackVersion"], online["ackCode"]) == (40, 2, 200)
    assert offline["desiredValue"] == 40 and "ackVersion" not in offline


async def test_a_device_without_template_fails_and_the_rest_is_written(emu):
    await thermostat(emu.client, "t2")
    response = await emu.client.put(f"/api/devices/t1{V}", json={"displayName": "bare"})
    assert response.status_code == 200 and "template" not in response.json()
    results = await emu.runtime.gateway.write_property_many(
        emu.runtime.apps.default,
        ["t1", "t2"],
        component=None,
        name="city",
        value="Oslo",
        cloud=True,
    )
    assert "has no device template" in results["t1"] and results["t2"] is None
    body = (await emu.client.get(f"/api/devices/t2/properties{V}")).json()
    assert body["city"] == "Oslo"
