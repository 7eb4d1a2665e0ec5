"""Listing: keyset pages with nextLink, page sizes per api-version, filters and orderby."""

from __future__ import annotations

import pytest
from sqlalchemy import insert

from emulator.devices.tables import devices
from emulator.identity.roles import ORG_OPERATOR

GA = {"api-version": "2022-07-31"}
PREVIEW = {"api-version": "2022-10-31-preview"}


async def _insert_devices(emu, count: int) -> None:
    """Rows straight into the table: the walk, not the creation, is under test here."""
    app_id = emu.runtime.apps.default.id
    rows = [
        {
            "app_id": app_id,
            "id": f"dev-{i:05d}",
            "display_name": f"Device {(i * 7919) % count:05d}",
            "simulated": i % 2 == 0,
            "provisioned": False,
            "enabled": True,
            "etag": f"e{i}",
            "created_at": 0.0,
        }
        for i in range(count)
    ]
    async with emu.runtime.db.write() as conn:
        await conn.execute(insert(devices), rows)


async def test_page_walk_over_10000_devices_sees_each_once(client, emu):
    await _insert_devices(emu, 10_000)
    seen: list[str] = []
    url, params = "/api/devices", {**PREVIEW, "maxpagesize": "100"}
    pages = 0
    while url:
        response = await client.get(url, params=params)
        assert response.status_code == 200
        body = response.json()
        seen.extend(d["id"] for d in body["value"])
        url, params = body.get("nextLink"), None
        pages += 1
    assert pages == 100
    assert len(seen) == len(set(seen)) == 10_000
    assert seen == sorted(seen)


async def test_ga_pages_hold_25_and_next_link_is_absolute(client, emu):
    await _insert_devices(emu, 30)
    first = (await client.get("/api/devices", params=GA)).json()
    assert len(first["value"]) == 25
    link = first["nextLink"]
    assert link.startswith("http://myapp.azureiotcentral.com/api/devices?")
    assert "api-version=2022-07-31" in link and "$skiptoken=" in link
    second = (await client.get(link)).json()
    assert len(second["value"]) == 5 and "nextLink" not in second


async def test_next_link_uses_the_request_host_and_port(client, emu):
    await _insert_devices(emu, 30)
    response = await client.get("http://127.0.0.1:9999/api/devices", params=GA)
    assert response.json()["nextLink"].startswith("http://127.0.0.1:9999/api/devices?")


async def test_ordered_walk_with_filter_keeps_its_parameters(client, emu):
    await _insert_devices(emu, 50)
    params = {
        **PREVIEW,
        "maxpagesize": "7",
        "orderby": "displayName desc",
        "filter": "simulated eq true",
    }
    names: list[str] = []
    url = "/api/devices"
    while url:
        body = (await client.get(url, params=params)).json()
        names.extend(d["displayName"] for d in body["value"])
        assert all(d["simulated"] for d in body["value"])
        url, params = body.get("nextLink"), None
    assert len(names) == 25 and names == sorted(names, reverse=True)


@pytest.mark.parametrize("size", ["0", "101", "ten", "-1"])
async def test_bad_page_size(client, size):
    response = await client.get("/api/devices", params={**PREVIEW, "maxpagesize": size})
    assert response.status_code == 400


async def test_older_previews_take_top(client, emu):
    await _insert_devices(emu, 5)
    body = (
        await client.get("/api/devices", params={"api-version": "2022-06-30-preview", "$top": "2"})
    ).json()
    assert (
        len(body["value"]) == 2 and "%24top=2" in body["nextLink"] or "$top=2" in body["nextLink"]
    )


async def test_foreign_or_broken_skiptoken_is_400(client, emu):
    await _insert_devices(emu, 30)
    first = (await client.get("/api/devices", params=GA)).json()
    token = first["nextLink"].split("$skiptoken=")[1]
    other_sort = await client.get(
        "/api/devices", params={**PREVIEW, "orderby": "displayName", "$skiptoken": token}
    )
    assert other_sort.status_code == 400
    broken = await client.get("/api/devices", params={**GA, "$skiptoken": "!!!"})
    assert broken.status_code == 400


@pytest.mark.parametrize(
    ("expression", "count"),
    [
        ("contains(displayName, 'device 0000')", 10),
        ("simulated eq true and id lt 'dev-00010'", 5),
        ("id eq 'dev-00003' or id eq 'dev-00004'", 2),
        ("not (simulated eq true)", 50),
        ("template eq null", 100),
        ("enabled ne true", 0),
        ("id eq 'x'' or ''1''=''1'", 0),
    ],
)
async def test_odata_filters(client, emu, expression, count):
    await _insert_devices(emu, 100)
    body = (
        await client.get(
            "/api/devices", params={**PREVIEW, "filter": expression, "maxpagesize": "100"}
        )
    ).json()
    assert len(body["value"]) == count


@pytest.mark.parametrize(
    "expression",
    [
        "contains(displayName,",
        "simulated eq 'true'",
        "color eq 'red'",
        "id eq",
        "id = 'a'",
        "id eq 'a' and",
        "indexof(id, 'a') eq 1",
    ],
)
async def test_bad_odata_filters_are_400(client, expression):
    response = await client.get("/api/devices", params={**PREVIEW, "filter": expression})
    assert response.status_code == 400, response.text


async def test_bad_orderby_is_400(client):
    for value in ("simulated", "displayName sideways", "id asc desc"):
        response = await client.get("/api/devices", params={**PREVIEW, "orderby": value})
        assert response.status_code == 400


async def test_organization_scope_limits_devices(client):
    await client.put("/api/organizations/north", params=GA, json={"displayName": "North"})
    await client.put(
        "/api/organizations/north-east", params=GA, json={"displayName": "NE", "parent": "north"}
    )
    await client.put("/api/organizations/south", params=GA, json={"displayName": "South"})
    await client.put("/api/devices/north-1", params=GA, json={"organizations": ["north"]})
    await client.put("/api/devices/ne-1", params=GA, json={"organizations": ["north-east"]})
    await client.put("/api/devices/south-1", params=GA, json={"organizations": ["south"]})
    await client.put("/api/devices/root-1", params=GA, json={})
    unknown = await client.put("/api/devices/x-1", params=GA, json={"organizations": ["west"]})
    assert unknown.status_code == 400
    token = await client.put(
        "/api/apiTokens/north-operator",
        params=GA,
        json={"roles": [{"role": ORG_OPERATOR.id, "organization": "north"}]},
    )
    as_north = {"Authorization": token.json()["token"]}

    listed = (await client.get("/api/devices", params=GA, headers=as_north)).json()["value"]
    assert [d["id"] for d in listed] == ["ne-1", "north-1"]
    assert (
        await client.get("/api/devices/south-1", params=GA, headers=as_north)
    ).status_code == 404
    assert (
        await client.patch("/api/devices/south-1", params=GA, json={}, headers=as_north)
    ).status_code == 404
    assert (
        await client.delete("/api/devices/root-1", params=GA, headers=as_north)
    ).status_code == 404
    moved = await client.patch(
        "/api/devices/north-1", params=GA, json={"organizations": ["south"]}, headers=as_north
    )
    assert moved.status_code == 403
    created = await client.put(
        "/api/devices/north-2", params=GA, json={"organizations": ["north-east"]}, headers=as_north
    )
    assert created.status_code == 200
    everyone = (await client.get("/api/devices", params=GA)).json()["value"]
    assert len(everyone) == 5
