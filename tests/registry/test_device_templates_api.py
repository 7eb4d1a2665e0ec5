"""Device templates through the API: publish, read, merge, list, delete, invalid models."""

from __future__ import annotations

from tests.registry.models import (
    CONTROLLER_TEMPLATE,
    THERMOSTAT_TEMPLATE,
    controller_template,
    model,
    template,
    thermostat_template,
)

GA = {"api-version": "2022-07-31"}
PREVIEW = {"api-version": "2022-10-31-preview"}


async def test_publish_get_and_list_templates(client):
    put = await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    assert put.status_code == 200
    body = put.json()
    assert body["@id"] == THERMOSTAT_TEMPLATE
    assert body["@type"] == ["ModelDefinition", "DeviceModel"]
    assert body["etag"].startswith('"') and body["etag"].endswith('"')
    assert body["capabilityModel"]["@id"] == "dtmi:com:example:Thermostat;1"

    got = await client.get(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA)
    assert got.json() == body

    await client.put(
        f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=GA, json=controller_template()
    )
    listed = (await client.get("/api/deviceTemplates", params=GA)).json()
    assert [t["@id"] for t in listed["value"]] == [CONTROLLER_TEMPLATE, THERMOSTAT_TEMPLATE]
    assert "nextLink" not in listed


async def test_patch_merges_and_changes_etag(client):
    first = (
        await client.put(
            f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
        )
    ).json()
    patched = await client.patch(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json={"displayName": "Renamed"}
    )
    assert patched.status_code == 200
    assert patched.json()["displayName"] == "Renamed"
    assert patched.json()["capabilityModel"] == first["capabilityModel"]
    assert patched.json()["etag"] != first["etag"]

    stale = await client.patch(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}",
        params=PREVIEW,
        json={"displayName": "Again"},
        headers={"If-Match": first["etag"]},
    )
    assert stale.status_code == 412
    fresh = await client.patch(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}",
        params=PREVIEW,
        json={"displayName": "Again"},
        headers={"If-Match": patched.json()["etag"]},
    )
    assert fresh.status_code == 200


async def test_patch_adds_cloud_property(client, emu):
    from emulator.device_templates.service import get_capabilities

    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    contents = thermostat_template()["capabilityModel"]["contents"] + [
        {"@type": ["Cloud", "Property"], "name": "customerName", "schema": "string"}
    ]
    response = await client.patch(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}",
        params=GA,
        json={"capabilityModel": {"contents": contents}},
    )
    assert response.status_code == 200
    index = await get_capabilities(
        emu.runtime, app_id=emu.runtime.apps.default.id, template_id=THERMOSTAT_TEMPLATE
    )
    assert "customerName" in index.root.cloud_properties


async def test_invalid_models_get_400_with_json_path(client):
    broken = thermostat_template()
    broken["capabilityModel"]["contents"][1]["schema"] = "doubble"
    response = await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=broken
    )
    assert response.status_code == 400
    assert "$.capabilityModel.contents[1].schema" in response.json()["error"]["message"]

    missing = thermostat_template()
    del missing["capabilityModel"]
    assert (
        await client.put(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=missing)
    ).status_code == 400

    unknown_ref = template(CONTROLLER_TEMPLATE, model("temperaturecontroller-1"))
    unknown_ref["capabilityModel"]["contents"][-1]["schema"] = "dtmi:contoso:missing;1"
    response = await client.put(
        f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=GA, json=unknown_ref
    )
    assert response.status_code == 400
    assert "dtmi:contoso:missing;1" in response.json()["error"]["message"]

    mismatched = thermostat_template()
    mismatched["@id"] = "dtmi:contoso:other;1"
    response = await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=mismatched
    )
    assert response.status_code == 400

    bad_id = await client.put(
        "/api/deviceTemplates/not-a-dtmi", params=GA, json=thermostat_template()
    )
    assert bad_id.status_code == 400
    assert (
        await client.get(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA)
    ).status_code == 404


async def test_delete_template_refused_while_devices_use_it(client):
    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    await client.put("/api/devices/t1", params=GA, json={"template": THERMOSTAT_TEMPLATE})
    refused = await client.delete(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA)
    assert refused.status_code == 409
    assert "t1" in refused.json()["error"]["message"]
    assert (await client.delete("/api/devices/t1", params=GA)).status_code == 204
    assert (
        await client.delete(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA)
    ).status_code == 204
    assert (
        await client.get(f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA)
    ).status_code == 404


async def test_template_list_filter_and_order_in_preview(client):
    for i, name in enumerate(["Gamma", "alpha", "Beta"]):
        body = thermostat_template()
        body["displayName"] = name
        body["@id"] = f"dtmi:contoso:t{i};1"
        await client.put(f"/api/deviceTemplates/dtmi:contoso:t{i};1", params=PREVIEW, json=body)
    ordered = await client.get(
        "/api/deviceTemplates", params={**PREVIEW, "orderby": "displayName desc"}
    )
    assert [t["displayName"] for t in ordered.json()["value"]] == ["alpha", "Gamma", "Beta"]
    filtered = await client.get(
        "/api/deviceTemplates", params={**PREVIEW, "filter": "contains(displayName, 'ET')"}
    )
    assert [t["displayName"] for t in filtered.json()["value"]] == ["Beta"]
    by_model = await client.get(
        "/api/deviceTemplates",
        params={
            **PREVIEW,
            "filter": "capabilityModelId eq 'dtmi:com:example:Thermostat;1'",
            "maxpagesize": "2",
        },
    )
    assert len(by_model.json()["value"]) == 2
    rest = await client.get(by_model.json()["nextLink"])
    assert len(rest.json()["value"]) == 1
