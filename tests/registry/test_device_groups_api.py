"""Device groups through the API: CRUD, the filter language, live membership."""

from __future__ import annotations

import pytest

from emulator.device_groups.service import member_ids
from emulator.http.errors import NotFound
from tests.registry.models import THERMOSTAT_TEMPLATE, thermostat_template

GA = {"api-version": "2022-07-31"}
PREVIEW = {"api-version": "2022-10-31-preview"}
SIMULATED_THERMOSTATS = (
    f'SELECT * FROM devices WHERE $template = "{THERMOSTAT_TEMPLATE}" AND $simulated = true'
)


@pytest.fixture
async def fleet(client):
    await client.put(
        f"/api/deviceTemplates/{THERMOSTAT_TEMPLATE}", params=GA, json=thermostat_template()
    )
    for i in range(6):
        body = {"displayName": f"Unit {i}", "simulated": i % 2 == 0}
        if i < 4:
            body["template"] = THERMOSTAT_TEMPLATE
        await client.put(f"/api/devices/dev-{i}", params=GA, json=body)


async def test_group_crud(client, fleet):
    body = {"displayName": "Sim thermostats", "filter": SIMULATED_THERMOSTATS, "description": "d"}
    created = await client.put("/api/deviceGroups/sim", params=GA, json=body)
    assert created.status_code == 200
    group = created.json()
    assert group["id"] == "sim" and group["filter"] == SIMULATED_THERMOSTATS
    assert group["etag"]
    assert (await client.get("/api/deviceGroups/sim", params=GA)).json() == group
    patched = (
        await client.patch("/api/deviceGroups/sim", params=GA, json={"displayName": "S"})
    ).json()
    assert patched["displayName"] == "S" and patched["filter"] == SIMULATED_THERMOSTATS
    assert patched["etag"] != group["etag"]
    stale = await client.patch(
        "/api/deviceGroups/sim",
        params=PREVIEW,
        json={"description": "x"},
        headers={"If-Match": group["etag"]},
    )
    assert stale.status_code == 412
    listed = (await client.get("/api/deviceGroups", params=GA)).json()
    assert [g["id"] for g in listed["value"]] == ["sim"]
    assert (await client.delete("/api/deviceGroups/sim", params=GA)).status_code == 204
    assert (await client.get("/api/deviceGroups/sim", params=GA)).status_code == 404


async def test_membership_follows_device_changes(client, emu, fleet):
    await client.put(
        "/api/deviceGroups/sim",
        params=GA,
        json={"displayName": "g", "filter": SIMULATED_THERMOSTATS},
    )
    app_id = emu.runtime.apps.default.id
    assert await member_ids(emu.runtime, app_id=app_id, group_id="sim") == ["dev-0", "dev-2"]
    await client.patch("/api/devices/dev-1", params=GA, json={"simulated": True})
    await client.delete("/api/devices/dev-0", params=GA)
    members = (await client.get("/api/deviceGroups/sim/devices", params=GA)).json()["value"]
    assert [d["id"] for d in members] == ["dev-1", "dev-2"]
    assert await member_ids(emu.runtime, app_id=app_id, group_id="sim") == ["dev-1", "dev-2"]
    with pytest.raises(NotFound):
        await member_ids(emu.runtime, app_id=app_id, group_id="nope")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM devices", [f"dev-{i}" for i in range(6)]),
        (
            "select * from DEVICES where $provisioned = false and $simulated = false",
            ["dev-1", "dev-3", "dev-5"],
        ),
        ('SELECT * FROM devices WHERE $id = "dev-3" OR $id == "dev-4"', ["dev-3", "dev-4"]),
        ('SELECT * FROM devices WHERE NOT ($template = "' + THERMOSTAT_TEMPLATE + '")', []),
        ("SELECT * FROM devices WHERE $template = null", ["dev-4", "dev-5"]),
        (
            'SELECT * FROM devices WHERE $displayName != "Unit 1" AND $id <> "dev-0"',
            ["dev-2", "dev-3", "dev-4", "dev-5"],
        ),
        ('SELECT * FROM devices WHERE CONTAINS($displayName, "UNIT 5")', ["dev-5"]),
        (
            'SELECT * FROM devices WHERE ($id > "dev-3" OR $id < "dev-1") AND $simulated = true',
            ["dev-0", "dev-4"],
        ),
        ('SELECT * FROM devices WHERE $displayName = "x\\" OR 1=1 --"', []),
    ],
)
async def test_filter_language(client, fleet, query, expected):
    put = await client.put(
        "/api/deviceGroups/g", params=GA, json={"displayName": "g", "filter": query}
    )
    assert put.status_code == 200, put.text
    got = (await client.get("/api/deviceGroups/g/devices", params=GA)).json()["value"]
    assert [d["id"] for d in got] == expected


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("SELECT * FROM devices WHERE", 28),
        ("SELECT * FROM devices WHERE $id = ", 35),
        ('SELECT * FROM devices WHERE $id = "a" AND', 42),
        ('SELECT * FROM devices WHERE $id = "a" OR 1=1', 42),
        ('SELECT * FROM devices WHERE $id = "a"; DROP TABLE devices', 38),
        ("SELECT * FROM devices WHERE $id = 'a'' OR ''1'='1", 47),
        ("SELECT id FROM devices", 8),
        ("SELECT * FROM devices WHERE ($simulated = true", 47),
        ('SELECT * FROM devices WHERE $id = "unterminated', 35),
    ],
)
async def test_malformed_filters_get_400_with_position(client, fleet, query, position):
    response = await client.put(
        "/api/deviceGroups/bad", params=GA, json={"displayName": "g", "filter": query}
    )
    assert response.status_code == 400, response.text
    assert f"position {position}" in response.json()["error"]["message"]
    assert (await client.get("/api/deviceGroups/bad", params=GA)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * FROM devices WHERE $color = "red"',
        'SELECT * FROM devices WHERE $simulated = "true"',
        "SELECT * FROM devices WHERE $id = true",
        "SELECT * FROM devices WHERE CONTAINS($simulated, true)",
    ],
)
async def test_filters_on_unknown_fields_or_wrong_types_get_400(client, fleet, query):
    response = await client.put(
        "/api/deviceGroups/bad", params=GA, json={"displayName": "g", "filter": query}
    )
    assert response.status_code == 400, response.text


async def test_group_validation(client):
    for body in (
        {"filter": "SELECT * FROM devices"},
        {"displayName": "x"},
        {"displayName": "x", "filter": 3},
    ):
        assert (await client.put("/api/deviceGroups/g", params=GA, json=body)).status_code == 400
    bad_id = await client.put(
        "/api/deviceGroups/a%20b",
        params=GA,
        json={"displayName": "x", "filter": "SELECT * FROM devices"},
    )
    assert bad_id.status_code == 400


async def test_group_devices_pages(client, fleet):
    await client.put(
        "/api/deviceGroups/all",
        params=GA,
        json={"displayName": "all", "filter": "SELECT * FROM devices"},
    )
    first = (
        await client.get("/api/deviceGroups/all/devices", params={**PREVIEW, "maxpagesize": "4"})
    ).json()
    assert len(first["value"]) == 4
    second = (await client.get(first["nextLink"])).json()
    assert [d["id"] for d in second["value"]] == ["dev-4", "dev-5"]
    assert "nextLink" not in second


async def test_group_list_filter_and_order(client):
    for gid, name in (("a", "Zeta"), ("b", "Alpha"), ("c", "Mid")):
        await client.put(
            f"/api/deviceGroups/{gid}",
            params=GA,
            json={"displayName": name, "filter": "SELECT * FROM devices"},
        )
    ordered = (
        await client.get("/api/deviceGroups", params={**PREVIEW, "orderby": "displayName"})
    ).json()
    assert [g["displayName"] for g in ordered["value"]] == ["Alpha", "Mid", "Zeta"]
    filtered = (
        await client.get(
            "/api/deviceGroups",
            params={**PREVIEW, "filter": "id ne 'a' and not contains(displayName, 'mi')"},
        )
    ).json()
    assert [g["id"] for g in filtered["value"]] == ["b"]
