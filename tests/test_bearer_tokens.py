"""Bearer tokens minted for a user act with that user's roles, in strict mode too."""

from __future__ import annotations

import base64
import json

from tests.conftest import Emulator
from tests.identity_support import V, assignment, auth_header, create_org, create_user
from tests.test_errors import assert_envelope

ROLES = f"/api/roles{V}"


async def mint(emu: Emulator, user_id: str, **headers: str) -> dict:
    response = await emu.client.post(
        "/_emulator/bearer-tokens", json={"userId": user_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_minted_token_acts_as_the_user(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(auth="strict") as emu:
        await create_user(emu.client, "ops", "Operator")
        await create_user(emu.client, "boss", "Administrator")
        ops = await mint(emu, "ops")
        assert ops["tokenType"] == "Bearer" and ops["userId"] == "ops"
        assert ops["authorization"] == f"Bearer {ops['accessToken']}"
        claims = json.loads(base64.urlsafe_b64decode(ops["accessToken"].split(".")[1] + "=="))
        assert claims["sub"] == "ops" and claims["aud"] == "https://apps.azureiotcentral.com"
        assert claims["exp"] - claims["iat"] == 3600
        denied = await emu.client.get(ROLES, headers={"Authorization": ops["authorization"]})
        assert "'roles.read'" in assert_envelope(denied, 403, "Forbidden")["message"]
        boss = await mint(emu, "boss")
        allowed = await emu.client.get(ROLES, headers={"Authorization": boss["authorization"]})
        assert allowed.status_code == 200


async def test_role_changes_apply_to_existing_tokens(emu: Emulator) -> None:
    await create_user(emu.client, "ann", "Operator")
    header = {"Authorization": (await mint(emu, "ann"))["authorization"]}
    assert (await emu.client.get(ROLES, headers=header)).status_code == 403
    await emu.client.patch(f"/api/users/ann{V}", json={"roles": [assignment("Administrator")]})
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200
    await emu.client.delete(f"/api/users/ann{V}")
    response = await emu.client.get(ROLES, headers=header)
    assert "no longer exists" in assert_envelope(response, 401, "Unauthenticated")["message"]


async def test_expires_after_an_emulated_hour(emu: Emulator) -> None:
    await create_user(emu.client, "boss", "Administrator")
    header = {"Authorization": (await mint(emu, "boss"))["authorization"]}
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200
    await emu.advance(3599)
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200
    await emu.advance(1)
    response = await emu.client.get(ROLES, headers=header)
    assert "expired" in assert_envelope(response, 401, "Unauthenticated")["message"]


async def test_tampered_or_foreign_tokens_are_refused(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(apps=("first", "second")) as emu:
        second = {"Host": "second.azureiotcentral.com"}
        await create_user(emu.client, "boss", "Administrator")
        token = (await mint(emu, "boss"))["accessToken"]
        head, claims, sig = token.split(".")
        forged = json.loads(base64.urlsafe_b64decode(claims + "=="))
        forged["sub"] = "someone-else"
        forged_claims = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=")
        for bad in (f"{head}.{forged_claims.decode()}.{sig}", f"{head}.{claims}.{sig[:-2]}xx"):
            response = await emu.client.get(ROLES, headers={"Authorization": f"Bearer {bad}"})
            assert_envelope(response, 401, "Unauthenticated")
        response = await emu.client.get(
            ROLES, headers={**second, "Authorization": f"Bearer {token}"}
        )
        assert_envelope(response, 401, "Unauthenticated")


async def test_minting_needs_an_existing_user_and_an_administrator(emu: Emulator) -> None:
    response = await emu.client.post("/_emulator/bearer-tokens", json={"userId": "ghost"})
    assert "does not exist" in assert_envelope(response, 400, "BadRequest")["message"]
    assert_envelope(await emu.client.post("/_emulator/bearer-tokens", json={}), 400, "BadRequest")
    await create_user(emu.client, "ann", "Operator")
    operator = await auth_header(emu.client, "Operator")
    response = await emu.client.post(
        "/_emulator/bearer-tokens", json={"userId": "ann"}, headers=operator
    )
    assert "'emulator.control'" in assert_envelope(response, 403, "Forbidden")["message"]


async def test_organization_scope_follows_the_user(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    await create_org(emu.client, "seattle", parent="usa")
    await create_org(emu.client, "europe")
    await create_user(emu.client, "ann", "Org Operator", "usa")
    header = (await mint(emu, "ann"))["authorization"]
    principal = await emu.runtime.auth.authenticate(header, emu.runtime.apps.default)
    scope = emu.runtime.auth.visible_organizations(principal, emu.runtime.apps.default)
    assert scope == frozenset({"usa", "seattle"})
