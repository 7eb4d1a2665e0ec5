"""Users of three kinds with role assignments, validated, and the grant rule."""

from __future__ import annotations

from tests.conftest import Emulator
from tests.identity_support import (
    V,
    assignment,
    auth_header,
    create_org,
    create_user,
)
from tests.test_errors import assert_envelope

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OBJECT = "1a2b3c4d-0000-1111-2222-333344445555"


async def test_three_kinds_of_user(emu: Emulator) -> None:
    email = await create_user(emu.client, "ann", "Operator")
    assert email == {
        "id": "ann",
        "type": "email",
        "email": "ann@contoso.com",
        "roles": [assignment("Operator")],
    }
    for user_id, kind in (("sp", "servicePrincipal"), ("group", "adGroup")):
        body = {
            "type": kind,
            "tenantId": TENANT,
            "objectId": OBJECT,
            "roles": [assignment("Builder")],
        }
        response = await emu.client.put(f"/api/users/{user_id}{V}", json=body)
        assert response.json() == {"id": user_id, **body}
    listed = (await emu.client.get(f"/api/users{V}")).json()["value"]
    assert [u["id"] for u in listed] == ["ann", "sp", "group"]
    assert (await emu.client.get(f"/api/users/sp{V}")).json()["type"] == "servicePrincipal"
    assert_envelope(await emu.client.get(f"/api/users/nobody{V}"), 404, "NotFound")


async def test_patch_merges_and_keeps_type(emu: Emulator) -> None:
    await create_user(emu.client, "ann", "Operator")
    patched = await emu.client.patch(
        f"/api/users/ann{V}",
        json={"roles": [assignment("Builder")]},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    assert patched.json()["roles"] == [assignment("Builder")]
    assert patched.json()["email"] == "ann@contoso.com"
    response = await emu.client.patch(f"/api/users/ann{V}", json={"type": "adGroup"})
    assert "cannot change" in assert_envelope(response, 400, "BadRequest")["message"]
    response = await emu.client.patch(f"/api/users/ann{V}", json={"email": None})
    assert_envelope(response, 400, "BadRequest")
    assert_envelope(await emu.client.patch(f"/api/users/zed{V}", json={}), 404, "NotFound")


async def test_validation(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    ok_roles = [assignment("Operator")]
    cases = [
        ({"type": "robot", "roles": ok_roles}, "'type'"),
        ({"type": "email", "roles": ok_roles}, "'email'"),
        ({"type": "email", "email": "not-an-email", "roles": ok_roles}, "email address"),
        ({"type": "servicePrincipal", "tenantId": TENANT, "roles": ok_roles}, "'objectId'"),
        ({"type": "email", "email": "a@b.co"}, "'roles'"),
        ({"type": "email", "email": "a@b.co", "roles": [{"role": "x"}]}, "does not exist"),
        (
            {"type": "email", "email": "a@b.co", "roles": [assignment("Org Viewer", "nowhere")]},
            "organization 'nowhere' does not exist",
        ),
    ]
    for body, fragment in cases:
        response = await emu.client.put(f"/api/users/bad{V}", json=body)
        assert fragment in assert_envelope(response, 400, "BadRequest")["message"], body
    response = await emu.client.put(
        f"/api/users/has.dot{V}", json={"type": "email", "email": "a@b.co", "roles": ok_roles}
    )
    assert_envelope(response, 400, "BadRequest")
    assert (await emu.client.get(f"/api/users{V}")).json() == {"value": []}


async def test_one_user_per_email_and_per_principal(emu: Emulator) -> None:
    await create_user(emu.client, "ann", "Operator")
    body = {"type": "email", "email": "ANN@contoso.com", "roles": [assignment("Operator")]}
    response = await emu.client.put(f"/api/users/ann2{V}", json=body)
    assert "'ann'" in assert_envelope(response, 409, "Conflict")["message"]
    assert (await emu.client.put(f"/api/users/ann{V}", json=body)).status_code == 200
    sp = {"type": "servicePrincipal", "tenantId": TENANT, "objectId": OBJECT}
    sp["roles"] = [assignment("Operator")]
    assert (await emu.client.put(f"/api/users/sp1{V}", json=sp)).status_code == 200
    assert_envelope(await emu.client.put(f"/api/users/sp2{V}", json=sp), 409, "Conflict")


async def test_delete(emu: Emulator) -> None:
    await create_user(emu.client, "ann", "Operator")
    assert (await emu.client.delete(f"/api/users/ann{V}")).status_code == 204
    assert_envelope(await emu.client.get(f"/api/users/ann{V}"), 404, "NotFound")
    assert_envelope(await emu.client.delete(f"/api/users/ann{V}"), 404, "NotFound")


async def test_only_administrators_manage_users_app_wide(emu: Emulator) -> None:
    builder = await auth_header(emu.client, "Builder")
    body = {"type": "email", "email": "x@y.com", "roles": [assignment("Operator")]}
    response = await emu.client.put(f"/api/users/x{V}", json=body, headers=builder)
    assert "'users.write'" in assert_envelope(response, 403, "Forbidden")["message"]


async def test_org_admin_grants_only_within_its_subtree_and_power(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    await create_org(emu.client, "europe")
    org_admin = await auth_header(emu.client, "Org Admin", "usa")

    async def put(user_id: str, *roles: dict) -> int:
        body = {"type": "email", "email": f"{user_id}@c.com", "roles": list(roles)}
        response = await emu.client.put(f"/api/users/{user_id}{V}", json=body, headers=org_admin)
        return response.status_code

    assert await put("u1", assignment("Org Operator", "seattle")) == 200
    assert await put("u2", assignment("Org Admin", "usa")) == 200
    assert await put("u3", assignment("Org Viewer", "europe")) == 403
    assert await put("u4", assignment("Operator")) == 403
    assert await put("u5", assignment("Administrator")) == 403
    await create_user(emu.client, "boss", "Administrator")
    await create_user(emu.client, "far", "Org Viewer", "europe")
    listed = await emu.client.get(f"/api/users{V}", headers=org_admin)
    assert [u["id"] for u in listed.json()["value"]] == ["u1", "u2"]
    assert_envelope(await emu.client.get(f"/api/users/far{V}", headers=org_admin), 404, "NotFound")
    assert (await emu.client.delete(f"/api/users/u1{V}", headers=org_admin)).status_code == 204


async def test_nobody_grants_more_than_they_hold(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_user(emu.client, "boss", "Administrator")
    org_admin = await auth_header(emu.client, "Org Admin", "usa")
    response = await emu.client.patch(
        f"/api/users/boss{V}", json={"roles": [assignment("Org Viewer", "usa")]}, headers=org_admin
    )
    assert_envelope(response, 404, "NotFound")  # an app-wide user is outside its view
    await create_user(emu.client, "mixed", "Org Viewer", "usa")
    await emu.client.patch(
        f"/api/users/mixed{V}",
        json={"roles": [assignment("Org Viewer", "usa"), assignment("Builder")]},
    )
    response = await emu.client.delete(f"/api/users/mixed{V}", headers=org_admin)
    assert "Builder" in assert_envelope(response, 403, "Forbidden")["message"]


async def test_list_pages_with_maxpagesize_and_next_link(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    for i in range(5):
        await create_user(emu.client, f"u{i}", "Org Viewer", "usa")
        await create_user(emu.client, f"w{i}", "Operator")
    url = "/api/users?api-version=2022-10-31-preview&maxpagesize=3"
    seen: list[str] = []
    pages = 0
    while url:
        body = (await emu.client.get(url)).json()
        seen += [u["id"] for u in body["value"]]
        url, pages = body.get("nextLink"), pages + 1
    assert pages == 4 and len(seen) == 10 and len(set(seen)) == 10
    org_admin = await auth_header(emu.client, "Org Admin", "usa")
    url = "/api/users?api-version=2022-10-31-preview&maxpagesize=2"
    seen = []
    while url:
        body = (await emu.client.get(url, headers=org_admin)).json()
        seen += [u["id"] for u in body["value"]]
        url = body.get("nextLink")
    assert seen == [f"u{i}" for i in range(5)]
