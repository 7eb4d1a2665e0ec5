"""Devices through the API: CRUD, validation, etags, credentials, attestation, components."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from emulator.devices.credentials import group_key
from tests.registry.models import (
    CONTROLLER_TEMPLATE,
    THERMOSTAT_TEMPLATE,
    controller_template,
    thermostat_template,
)

GA = {"api-version": "2022-07-31"}
PREVIEW = {"api-version": "2022-10-31-preview"}


@pytest.fixture
async def templates(client):
    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    await client.put(
        f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=GA, json=controller_template()
    )


async def test_create_defaults_and_get(client, templates):
    response = await client.put(
        "/api/devices/thermo-01", params=GA, json={"template": THERMOSTAT_TEMPLATE}
    )
    assert response.status_code == 200
    device = response.json()
    assert device == {
        "id": "thermo-01",
        "etag": device["etag"],
        "displayName": "thermo-01",
        "template": THERMOSTAT_TEMPLATE,
        "simulated": False,
        "provisioned": False,
        "enabled": True,
    }
    assert (await client.get("/api/devices/thermo-01", params=GA)).json() == device


async def test_put_existing_updates_and_patch_merges(client, templates):
    first = (await client.put("/api/devices/d1", params=GA, json={"displayName": "One"})).json()
    second = (
        await client.put("/api/devices/d1", params=GA, json={"template": THERMOSTAT_TEMPLATE})
    ).json()
    assert second["displayName"] == "One"
    assert second["template"] == THERMOSTAT_TEMPLATE
    assert second["etag"] != first["etag"]
    patched = (await client.patch("/api/devices/d1", params=GA, json={"enabled": False})).json()
    assert patched["enabled"] is False and patched["displayName"] == "One"
    assert patched["etag"] != second["etag"]


async def test_if_match(client, templates):
    first = (await client.put("/api/devices/d1", params=GA, json={})).json()
    await client.patch("/api/devices/d1", params=GA, json={"displayName": "x"})
    stale = await client.patch(
        "/api/devices/d1",
        params=PREVIEW,
        json={"displayName": "y"},
        headers={"If-Match": first["etag"]},
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "PreconditionFailed"
    current = (await client.get("/api/devices/d1", params=GA)).json()["etag"]
    ok = await client.patch(
        "/api/devices/d1",
        params=PREVIEW,
        json={"displayName": "y"},
        headers={"If-Match": f'"{current}"'},
    )
    assert ok.status_code == 200
    star = await client.patch(
        "/api/devices/d1", params=PREVIEW, json={"displayName": "z"}, headers={"If-Match": "*"}
    )
    assert star.status_code == 200


@pytest.mark.parametrize(
    ("device_id", "body"),
    [
        ("has space", {}),
        ("under_score", {}),
        ("x" * 129, {}),
        ("d1", {"template": "dtmi:contoso:missing;1"}),
        ("d1", {"displayName": "n" * 149}),
        ("d1", {"simulated": "yes"}),
        ("d1", {"organizations": ["a", "b"]}),
        ("d1", {"organizations": "a"}),
    ],
)
async def test_invalid_devices_get_400(client, templates, device_id, body):
    response = await client.put(f"/api/devices/{device_id}", params=GA, json=body)
    assert response.status_code == 400, response.text
    assert (await client.get("/api/devices", params=GA)).json()["value"] == []


async def test_unknown_template_names_the_mistake(client, templates):
    response = await client.put(
        "/api/devices/d1", params=GA, json={"template": "dtmi:com:example:Thermostat;1"}
    )
    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]["message"]


async def test_delete_and_not_found(client, templates):
    await client.put("/api/devices/d1", params=GA, json={})
    assert (await client.delete("/api/devices/d1", params=GA)).status_code == 204
    assert (await client.get("/api/devices/d1", params=GA)).status_code == 404
    assert (await client.delete("/api/devices/d1", params=GA)).status_code == 404
    assert (await client.patch("/api/devices/d1", params=GA, json={})).status_code == 404


async def test_preview_fields_only_in_preview(client, templates):
    body = {"type": ["iotEdge"], "deploymentManifest": {"id": "m1", "data": {}}}
    await client.put("/api/devices/edge1", params=PREVIEW, json=body)
    assert (await client.get("/api/devices/edge1", params=PREVIEW)).json()["type"] == ["iotEdge"]
    assert "type" not in (await client.get("/api/devices/edge1", params=GA)).json()


async def test_credentials_are_derived_from_the_group_key(client, emu, templates):
    await client.put("/api/devices/d1", params=GA, json={})
    creds = (await client.get("/api/devices/d1/credentials", params=GA)).json()
    key = group_key(emu.runtime.apps.default)
    expected = base64.b64encode(
        hmac.new(base64.b64decode(key), b"d1", hashlib.sha256).digest()
    ).decode()
    assert creds["symmetricKey"]["primaryKey"] == expected
    assert creds["symmetricKey"]["secondaryKey"] != expected
    assert creds["idScope"].startswith("0ne") and len(creds["idScope"]) == 11
    again = (await client.get("/api/devices/d1/credentials", params=GA)).json()
    assert again == creds
    assert (await client.get("/api/devices/nope/credentials", params=GA)).status_code == 404


async def test_attestation_lifecycle(client, templates):
    await client.put("/api/devices/d1", params=GA, json={})
    assert (await client.get("/api/devices/d1/attestation", params=GA)).status_code == 404
    keys = {
        "primaryKey": base64.b64encode(b"p" * 32).decode(),
        "secondaryKey": base64.b64encode(b"s" * 32).decode(),
    }
    put = await client.put(
        "/api/devices/d1/attestation",
        params=GA,
        json={"type": "symmetricKey", "symmetricKey": keys},
    )
    assert put.status_code == 200
    assert (await client.get("/api/devices/d1/credentials", params=GA)).json()[
        "symmetricKey"
    ] == keys
    patched = await client.patch(
        "/api/devices/d1/attestation",
        params=GA,
        json={"type": "tpm", "tpm": {"endorsementKey": "ek"}},
    )
    assert patched.json() == {"type": "tpm", "tpm": {"endorsementKey": "ek"}}
    assert (await client.get("/api/devices/d1/credentials", params=GA)).json()["tpm"] == {
        "endorsementKey": "ek"
    }
    cert = base64.b64encode(b"certificate-bytes").decode()
    x509 = await client.put(
        "/api/devices/d1/attestation",
        params=GA,
        json={"type": "x509", "x509": {"clientCertificates": {"primary": {"certificate": cert}}}},
    )
    info = x509.json()["x509"]["clientCertificates"]["primary"]["info"]
    assert info["sha1Thumbprint"] == hashlib.sha1(b"certificate-bytes").hexdigest().upper()
    bad = await client.put("/api/devices/d1/attestation", params=GA, json={"type": "symmetricKey"})
    assert bad.status_code == 400
    assert (await client.delete("/api/devices/d1/attestation", params=GA)).status_code == 204
    assert (await client.get("/api/devices/d1/attestation", params=GA)).status_code == 404


async def test_components_and_modules_follow_the_template(client, templates):
    await client.put("/api/devices/ctrl", params=GA, json={"template": CONTROLLER_TEMPLATE})
    components = (await client.get("/api/devices/ctrl/components", params=GA)).json()["value"]
    assert [c["name"] for c in components] == ["thermostat1", "thermostat2", "deviceInformation"]
    assert components[0]["@type"] == ["Component"]
    assert components[2]["schema"] == "dtmi:azure:DeviceManagement:DeviceInformation;1"
    assert (await client.get("/api/devices/ctrl/modules", params=GA)).json() == {"value": []}
    missing = await client.get("/api/devices/ctrl/modules/camera/components", params=GA)
    assert missing.status_code == 404


async def test_edge_module_components(client):
    module_target = {
        "@id": "dtmi:contoso:cameraModule;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Component", "name": "lens", "schema": "dtmi:com:example:Thermostat;2"}
        ],
    }
    body = thermostat_template()
    body["capabilityModel"]["contents"].append(
        {"@type": ["Relationship", "EdgeModule"], "name": "camera", "target": [module_target]}
    )
    body["@id"] = "dtmi:contoso:edge;1"
    assert (
        await client.put("/api/deviceTemplates/dtmi:contoso:edge;1", params=GA, json=body)
    ).status_code == 200
    await client.put("/api/devices/gw", params=GA, json={"template": "dtmi:contoso:edge;1"})
    modules = (await client.get("/api/devices/gw/modules", params=GA)).json()["value"]
    assert [m["name"] for m in modules] == ["camera"]
    parts = (await client.get("/api/devices/gw/modules/camera/components", params=GA)).json()[
        "value"
    ]
    assert [p["name"] for p in parts] == ["lens"]


async def test_relationships(client, templates):
    for name in ("gw", "leaf1", "leaf2"):
        await client.put(f"/api/devices/{name}", params=GA, json={})
    created = await client.put(
        "/api/devices/gw/relationships/r1", params=GA, json={"target": "leaf1"}
    )
    assert created.json() == {"id": "r1", "source": "gw", "target": "leaf1"}
    await client.put("/api/devices/gw/relationships/r2", params=GA, json={"target": "leaf2"})
    patched = await client.patch(
        "/api/devices/gw/relationships/r2", params=GA, json={"target": "leaf1"}
    )
    assert patched.json()["target"] == "leaf1"
    listed = (await client.get("/api/devices/gw/relationships", params=GA)).json()["value"]
    assert [r["id"] for r in listed] == ["r1", "r2"]
    bad = await client.put("/api/devices/gw/relationships/r3", params=GA, json={"target": "ghost"})
    assert bad.status_code == 400
    assert (await client.delete("/api/devices/gw/relationships/r1", params=GA)).status_code == 204
    assert (await client.get("/api/devices/gw/relationships/r1", params=GA)).status_code == 404
    await client.delete("/api/devices/leaf1", params=GA)
    assert (await client.get("/api/devices/gw/relationships", params=GA)).json()["value"] == []


async def test_events_published(client, emu, templates):
    seen = []

    async def changed(app, device):
        seen.append(("changed", device["id"], device["displayName"]))

    async def deleted(app, device_id):
        seen.append(("deleted", device_id))

    emu.runtime.events.subscribe("device.changed", changed)
    emu.runtime.events.subscribe("device.deleted", deleted)
    await client.put("/api/devices/d1", params=GA, json={})
    await client.patch("/api/devices/d1", params=GA, json={"displayName": "New"})
    await client.delete("/api/devices/d1", params=GA)
    assert seen == [("changed", "d1", "d1"), ("changed", "d1", "New"), ("deleted", "d1")]


async def test_patch_accepts_merge_patch_content_type(client, templates):
    await client.put("/api/devices/d1", params=GA, json={"displayName": "One"})
    response = await client.patch(
        "/api/devices/d1",
        params=GA,
        content=b'{"displayName": null, "enabled": false}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert response.json()["displayName"] == "One"  # a device always has a display name


async def test_simulated_devices_are_provisioned_once_they_connect(client, templates):
    created = (
        await client.put(
            "/api/devices/sim-1",
            params=GA,
            json={"template": THERMOSTAT_TEMPLATE, "simulated": True},
        )
    ).json()
    assert created["provisioned"] is False
    now = (await client.get("/api/devices/sim-1", params=GA)).json()
    assert now["provisioned"] is True and now["etag"] != created["etag"]
    unassigned = (
        await client.put("/api/devices/sim-2", params=GA, json={"simulated": True})
    ).json()
    assert (await client.get("/api/devices/sim-2", params=GA)).json() == unassigned
