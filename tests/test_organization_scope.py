"""Organization-scoped tokens see and touch only the devices of their subtree."""

from __future__ import annotations

from tests.conftest import Emulator
from tests.identity_support import V, auth_header, create_org


async def test_org_operator_sees_only_its_subtree(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    await create_org(emu.client, "europe")
    for device_id, org in (
        ("d-usa", "usa"),
        ("d-sea", "seattle"),
        ("d-eu", "europe"),
        ("d-root", None),
    ):
        body = {"displayName": device_id, **({"organizations": [org]} if org else {})}
        assert (await emu.client.put(f"/api/devices/{device_id}{V}", json=body)).status_code == 200
    usa = await auth_header(emu.client, "Org Operator", "usa")
    listed = (await emu.client.get(f"/api/devices{V}", headers=usa)).json()["value"]
    assert sorted(d["id"] for d in listed) == ["d-sea", "d-usa"]
    assert (await emu.client.get(f"/api/devices/d-eu{V}", headers=usa)).status_code == 404
    refused = await emu.client.put(
        f"/api/devices/d-new{V}", json={"organizations": ["europe"]}, headers=usa
    )
    assert refused.status_code == 403
    made = await emu.client.put(
        f"/api/devices/d-new{V}", json={"organizations": ["seattle"]}, headers=usa
    )
    assert made.status_code == 200
    everyone = (await emu.client.get(f"/api/devices{V}")).json()["value"]
    assert len(everyone) == 5
