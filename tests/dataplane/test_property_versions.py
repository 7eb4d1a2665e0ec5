"""Desired versions increase by one per write of a twin, under concurrency, deletes and failures."""

from __future__ import annotations

import asyncio

from tests.dataplane.helpers import V, thermostat


async def desired_version(emu, device: str) -> int:
    body = (await emu.client.get(f"/api/devices/{device}/properties{V}")).json()
    return body["$metadata"]["targetTemperature"]["desiredVersion"]


async def test_concurrent_writes_each_get_the_next_version(emu):
    await thermostat(emu.client, "t1", simulated=False)
    patches = [
        emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": n})
        for n in range(20)
    ]
    assert {r.status_code for r in await asyncio.gather(*patches)} == {202}
    assert await desired_version(emu, "t1") == 20


async def test_a_deleted_device_starts_again_from_version_one(emu):
    await thermostat(emu.client, "t1")
    for n in range(3):
        await emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": n})
    assert await desired_version(emu, "t1") == 3
    assert (await emu.client.delete(f"/api/devices/t1{V}")).status_code == 204
    await thermostat(emu.client, "t1")
    await emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": 9})
    assert await desired_version(emu, "t1") == 1


async def test_versions_follow_the_database_after_a_failed_write(emu, monkeypatch):
    await thermostat(emu.client, "t1", simulated=False)
    await emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": 1})
    batches = emu.runtime.gateway.batches
    real = batches.executemany

    async def failing(conn, statement, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(batches, "executemany", failing)
    failed = await emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": 2})
    assert failed.status_code == 500
    monkeypatch.setattr(batches, "executemany", real)
    await emu.client.patch(f"/api/devices/t1/properties{V}", json={"targetTemperature": 3})
    body = (await emu.client.get(f"/api/devices/t1/properties{V}")).json()
    meta = body["$metadata"]["targetTemperature"]
    assert (meta["desiredValue"], meta["desiredVersion"]) == (3, 2)
