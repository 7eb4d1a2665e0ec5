"""Organizations: a tree of at most five levels; deletion refused while anything uses one."""

from __future__ import annotations

from sqlalchemy import insert

from emulator.devices.tables import devices
from emulator.identity import roles
from tests.conftest import Emulator
from tests.identity_support import V, auth_header, create_org, create_token, create_user
from tests.test_errors import assert_envelope


async def test_create_get_list_update(emu: Emulator) -> None:
    assert await create_org(emu.client, "usa") == {"id": "usa", "displayName": "Usa"}
    seattle = await create_org(emu.client, "seattle", parent="usa")
    assert seattle == {"id": "seattle", "displayName": "Seattle", "parent": "usa"}
    assert (await emu.client.get(f"/api/organizations/seattle{V}")).json() == seattle
    listed = (await emu.client.get(f"/api/organizations{V}")).json()["value"]
    assert [o["id"] for o in listed] == ["usa", "seattle"]
    renamed = await emu.client.patch(
        f"/api/organizations/seattle{V}",
        json={"displayName": "Seattle HQ"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert renamed.json() == {"id": "seattle", "displayName": "Seattle HQ", "parent": "usa"}
    moved = await emu.client.patch(f"/api/organizations/seattle{V}", json={"parent": None})
    assert moved.json() == {"id": "seattle", "displayName": "Seattle HQ"}
    assert_envelope(await emu.client.get(f"/api/organizations/nowhere{V}"), 404, "NotFound")


async def test_organization_roles_appear_with_the_first_organization(emu: Emulator) -> None:
    listed = (await emu.client.get(f"/api/roles{V}")).json()["value"]
    assert [r["id"] for r in listed] == [r.id for r in roles.APP_ROLES]
    assert_envelope(await emu.client.get(f"/api/roles/{roles.ORG_VIEWER.id}{V}"), 404, "NotFound")
    await create_org(emu.client, "usa")
    listed = (await emu.client.get(f"/api/roles{V}")).json()["value"]
    assert listed[3:] == [
        {"id": "c495eb57-eb18-489e-9802-62c474e5645c", "displayName": "Org Admin"},
        {"id": "b4935647-30e4-4ed3-9074-dcac66c2f8ef", "displayName": "Org Operator"},
        {"id": "84cc62c1-dabe-49d3-b16e-8b291232b285", "displayName": "Org Viewer"},
    ]
    one = await emu.client.get(f"/api/roles/{roles.ORG_VIEWER.id}{V}")
    assert one.json() == {"id": roles.ORG_VIEWER.id, "displayName": "Org Viewer"}


async def test_tree_is_at_most_five_levels_deep(emu: Emulator) -> None:
    parent = None
    for level in ("l1", "l2", "l3", "l4", "l5"):
        await create_org(emu.client, level, parent)
        parent = level
    response = await emu.client.put(f"/api/organizations/l6{V}", json={"parent": "l5"})
    assert "at most 5" in assert_envelope(response, 400, "BadRequest")["message"]
    await create_org(emu.client, "side")
    await create_org(emu.client, "side-child", parent="side")
    response = await emu.client.patch(f"/api/organizations/side{V}", json={"parent": "l4"})
    assert "6 levels" in assert_envelope(response, 400, "BadRequest")["message"]


async def test_no_cycles_and_parents_must_exist(emu: Emulator) -> None:
    await create_org(emu.client, "a1")
    await create_org(emu.client, "b1", parent="a1")
    response = await emu.client.patch(f"/api/organizations/a1{V}", json={"parent": "b1"})
    assert "descendants" in assert_envelope(response, 400, "BadRequest")["message"]
    response = await emu.client.patch(f"/api/organizations/a1{V}", json={"parent": "a1"})
    assert_envelope(response, 400, "BadRequest")
    response = await emu.client.put(f"/api/organizations/c1{V}", json={"parent": "ghost"})
    assert "'ghost' does not exist" in assert_envelope(response, 400, "BadRequest")["message"]


async def test_ids_and_bodies_are_validated(emu: Emulator) -> None:
    for bad_id in ("-lead", "Upper", "trail-", "x" * 49, "a_b"):
        response = await emu.client.put(f"/api/organizations/{bad_id}{V}", json={})
        assert_envelope(response, 400, "BadRequest")
    for body in ({"displayName": 3}, {"parent": 5}, {"id": "other"}, [1]):
        response = await emu.client.put(f"/api/organizations/okay{V}", json=body)
        assert_envelope(response, 400, "BadRequest")
    assert (await emu.client.get(f"/api/organizations{V}")).json() == {"value": []}


async def test_delete_refuses_while_in_use_and_names_the_users(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    await create_user(emu.client, "ann", "Org Viewer", "seattle")
    await create_token(emu.client, "tok", "Org Operator", "seattle")
    app_id = emu.runtime.apps.default.id
    async with emu.runtime.db.write() as conn:
        await conn.execute(
            insert(devices),
            [
                {
                    "app_id": app_id,
                    "id": f"dev{i}",
                    "display_name": f"dev{i}",
                    "organization": "seattle",
                    "etag": "e",
                    "created_at": 0,
                }
                for i in range(7)
            ],
        )
    response = await emu.client.delete(f"/api/organizations/usa{V}")
    message = assert_envelope(response, 409, "Conflict")["message"]
    assert "1 child organization (seattle)" in message
    response = await emu.client.delete(f"/api/organizations/seattle{V}")
    message = assert_envelope(response, 409, "Conflict")["message"]
    assert "1 user (ann)" in message and "1 API token (tok)" in message
    assert "7 devices (dev0, dev1, dev2, dev3, dev4 and 2 more)" in message
    assert (await emu.client.get(f"/api/organizations/seattle{V}")).status_code == 200


async def test_delete_an_unused_organization(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    assert (await emu.client.delete(f"/api/organizations/seattle{V}")).status_code == 204
    assert (await emu.client.delete(f"/api/organizations/usa{V}")).status_code == 204
    assert_envelope(await emu.client.delete(f"/api/organizations/usa{V}"), 404, "NotFound")
    listed = (await emu.client.get(f"/api/roles{V}")).json()["value"]
    assert len(listed) == 3


async def test_org_admin_manages_only_below_its_organization(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    await create_org(emu.client, "europe")
    org_admin = await auth_header(emu.client, "Org Admin", "usa")
    listed = await emu.client.get(f"/api/organizations{V}", headers=org_admin)
    assert [o["id"] for o in listed.json()["value"]] == ["usa", "seattle"]
    hidden = await emu.client.get(f"/api/organizations/europe{V}", headers=org_admin)
    assert_envelope(hidden, 404, "NotFound")
    made = await emu.client.put(
        f"/api/organizations/redmond{V}", json={"parent": "usa"}, headers=org_admin
    )
    assert made.status_code == 200
    top = await emu.client.put(f"/api/organizations/asia{V}", json={}, headers=org_admin)
    assert "top level" in assert_envelope(top, 403, "Forbidden")["message"]
    own = await emu.client.patch(
        f"/api/organizations/usa{V}", json={"displayName": "x"}, headers=org_admin
    )
    assert_envelope(own, 403, "Forbidden")
    viewer = await auth_header(emu.client, "Org Viewer", "usa")
    response = await emu.client.get(f"/api/organizations{V}", headers=viewer)
    assert "'organizations.read'" in assert_envelope(response, 403, "Forbidden")["message"]


async def test_tree_is_reloaded_after_restart_and_cleared_on_reset(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator() as emu:
        await create_org(emu.client, "usa")
    async with make_emulator() as emu:
        assert len((await emu.client.get(f"/api/roles{V}")).json()["value"]) == 6
        await emu.client.post("/_emulator/reset")
        assert len((await emu.client.get(f"/api/roles{V}")).json()["value"]) == 3
