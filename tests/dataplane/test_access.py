"""Who may reach a device's data plane: organization scope and roles apply as for devices."""

from __future__ import annotations

from tests.dataplane.helpers import V, create_device, thermostat
from tests.identity_support import auth_header, create_org
from tests.registry.models import THERMOSTAT_TEMPLATE


async def test_organization_scope_hides_other_devices(emu):
    await create_org(emu.client, "north")
    await create_org(emu.client, "south")
    await thermostat(emu.client, "n1")
    await emu.client.patch(f"/api/devices/n1{V}", json={"organizations": ["north"]})
    await create_device(emu.client, "s1", THERMOSTAT_TEMPLATE)
    await emu.client.patch(f"/api/devices/s1{V}", json={"organizations": ["south"]})
    await emu.advance(6)
    north = await auth_header(emu.client, "Org Operator", "north")
    for path in ("properties", "telemetry/temperature", "commands/getMaxMinReport"):
        mine = await emu.client.get(f"/api/devices/n1/{path}{V}", headers=north)
        assert mine.status_code == 200, (path, mine.text)
        theirs = await emu.client.get(f"/api/devices/s1/{path}{V}", headers=north)
        assert theirs.status_code == 404, path
    hidden = await emu.client.patch(
        f"/api/devices/s1/properties{V}", json={"targetTemperature": 1}, headers=north
    )
    assert hidden.status_code == 404
    run = await emu.client.post(
        f"/api/devices/n1/commands/getMaxMinReport{V}", json={}, headers=north
    )
    assert run.status_code == 201


async def test_fault_profiles_need_the_administrator(emu):
    await thermostat(emu.client, "t1")
    operator = await auth_header(emu.client, "Operator")
    response = await emu.client.put(
        "/_emulator/devices/t1/faults", json={"connected": False}, headers=operator
    )
    assert response.status_code == 403
