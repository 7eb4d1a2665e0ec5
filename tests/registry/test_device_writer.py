"""Concurrent device writes share transactions without sharing failures."""

from __future__ import annotations

import asyncio

from emulator.device_templates.service import get_capabilities
from tests.registry.models import THERMOSTAT_TEMPLATE, thermostat_template

GA = {"api-version": "2022-07-31"}


async def test_concurrent_writes_each_get_their_own_outcome(client):
    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )

    async def put(device_id, body):
        return await client.put(f"/api/devices/{device_id}", params=GA, json=body)

    requests = []
    for i in range(40):
        body = {"template": THERMOSTAT_TEMPLATE} if i % 5 else {"template": "dtmi:contoso:none;1"}
        requests.append(put(f"c-{i:02d}", body))
    requests += [put("same", {"displayName": f"v{i}"}) for i in range(5)]
    responses = await asyncio.gather(*requests)
    statuses = [r.status_code for r in responses]
    assert statuses[:40] == [400 if i % 5 == 0 else 200 for i in range(40)]
    assert statuses[40:] == [200] * 5
    etags = [r.json()["etag"] for r in responses[40:]]
    assert len(set(etags)) == 5
    listed = (
        await client.get(
            "/api/devices", params={"api-version": "2022-10-31-preview", "maxpagesize": "100"}
        )
    ).json()
    assert len(listed["value"]) == 33
    same = (await client.get("/api/devices/same", params=GA)).json()
    assert same["displayName"] in {f"v{i}" for i in range(5)}
    assert same["etag"] in etags


async def test_template_cache_follows_changes_and_reset(client, emu):
    app_id = emu.runtime.apps.default.id
    changed = []

    async def on_change(app, template_id):
        changed.append(template_id)

    emu.runtime.events.subscribe("template.changed", on_change)
    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    index = await get_capabilities(emu.runtime, app_id=app_id, template_id=THERMOSTAT_TEMPLATE)
    assert "targetTemperature" in index.root.writable_properties
    body = thermostat_template()
    body["capabilityModel"]["contents"] = body["capabilityModel"]["contents"][:1]
    await client.put(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=body)
    index = await get_capabilities(emu.runtime, app_id=app_id, template_id=THERMOSTAT_TEMPLATE)
    assert index.root.writable_properties == {}
    assert changed == [THERMOSTAT_TEMPLATE, THERMOSTAT_TEMPLATE]
    assert (await client.post("/_emulator/reset")).status_code == 204
    assert (
        await get_capabilities(emu.runtime, app_id=app_id, template_id=THERMOSTAT_TEMPLATE) is None
    )
    assert (await client.get("/api/devices", params=GA)).json()["value"] == []
