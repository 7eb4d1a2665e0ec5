"""API tokens: issued once, listed without values, checked on every call, revoked at once."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

from emulator.api_tokens.service import iso_from_ms
from emulator.api_tokens.signature import PREFIX
from emulator.identity.access import access_of
from tests.conftest import Emulator
from tests.identity_support import V, assignment, create_org, create_token
from tests.test_errors import assert_envelope

ROLES = f"/api/roles{V}"


def fields(token: str) -> dict[str, str]:
    assert token.startswith(PREFIX)
    return dict(part.split("=", 1) for part in token[len(PREFIX) :].split("&"))


async def test_created_token_has_the_documented_anatomy(emu: Emulator) -> None:
    token = await create_token(emu.client, "operator-token", "Operator")
    assert set(token) == {"id", "roles", "expiry", "token"}
    assert token["id"] == "operator-token"
    assert token["roles"] == [assignment("Operator")]
    parts = fields(token["token"])
    assert list(parts) == ["sr", "sig", "skn", "se"]
    assert parts["sr"] == emu.runtime.apps.default.id
    assert parts["skn"] == "operator-token"
    assert len(unquote(parts["sig"])) == 44  # base64 of a SHA-256 HMAC
    expiry = datetime.fromisoformat(token["expiry"])
    assert int(parts["se"]) == round(expiry.timestamp() * 1000)


async def test_expiry_defaults_to_one_year_on_the_emulator_clock(emu: Emulator) -> None:
    clock = emu.runtime.clock
    clock.jump_to(clock.timestamp() + 400 * 86400)  # emulated time, far from the real clock
    token = await create_token(emu.client, "yearly", "Operator")
    expiry = datetime.fromisoformat(token["expiry"]).timestamp()
    assert abs(expiry - (emu.runtime.clock.timestamp() + 365 * 86400)) < 1


async def test_explicit_expiry_is_kept_to_the_millisecond(emu: Emulator) -> None:
    token = await create_token(emu.client, "short", "Builder", expiry="2099-03-22T12:01:27.889Z")
    assert token["expiry"] == "2099-03-22T12:01:27.889Z"
    assert fields(token["token"])["se"] == "4077864087889"


async def test_list_and_get_never_show_the_value(emu: Emulator) -> None:
    await create_token(emu.client, "a", "Operator")
    await create_token(emu.client, "b", "Builder")
    listed = (await emu.client.get(f"/api/apiTokens{V}")).json()["value"]
    assert [t["id"] for t in listed] == ["a", "b"]
    assert all("token" not in t for t in listed)
    one = (await emu.client.get(f"/api/apiTokens/b{V}")).json()
    assert one == listed[1]
    assert one["roles"] == [assignment("Builder")]


async def test_a_token_acts_with_its_role(emu: Emulator) -> None:
    builder = (await create_token(emu.client, "builder", "Builder"))["token"]
    error = assert_envelope(
        await emu.client.get(ROLES, headers={"Authorization": builder}), 403, "Forbidden"
    )
    assert "'roles.read'" in error["message"] and "Roles_List" in error["message"]
    admin = (await create_token(emu.client, "admin", "Administrator"))["token"]
    assert (await emu.client.get(ROLES, headers={"Authorization": admin})).status_code == 200


def in_an_hour(emu: Emulator) -> str:
    """An expiry one emulated hour ahead: tests advance past it without simulating a year."""
    return iso_from_ms(int((emu.runtime.clock.timestamp() + 3600) * 1000))


async def test_expired_token_is_unauthenticated(emu: Emulator) -> None:
    token = (await create_token(emu.client, "soon", "Administrator", expiry=in_an_hour(emu)))[
        "token"
    ]
    header = {"Authorization": token}
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200  # now cached
    se = int(fields(token)["se"]) / 1000
    await emu.advance(se - emu.runtime.clock.timestamp() - 1)
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200
    await emu.advance(1)
    error = assert_envelope(await emu.client.get(ROLES, headers=header), 401, "Unauthenticated")
    assert "expired" in error["message"]


async def test_expired_token_is_refused_without_a_cached_copy(emu: Emulator) -> None:
    token = (await create_token(emu.client, "soon", "Administrator", expiry=in_an_hour(emu)))[
        "token"
    ]
    await emu.advance(3600)
    response = await emu.client.get(ROLES, headers={"Authorization": token})
    assert "expired" in assert_envelope(response, 401, "Unauthenticated")["message"]


async def test_revoked_token_stops_working_at_once(emu: Emulator) -> None:
    token = (await create_token(emu.client, "gone", "Administrator"))["token"]
    header = {"Authorization": token}
    assert (await emu.client.get(ROLES, headers=header)).status_code == 200
    response = await emu.client.delete(f"/api/apiTokens/gone{V}")
    assert response.status_code == 204 and response.content == b""
    assert_envelope(await emu.client.get(ROLES, headers=header), 401, "Unauthenticated")
    assert_envelope(await emu.client.get(f"/api/apiTokens/gone{V}"), 404, "NotFound")
    assert_envelope(await emu.client.delete(f"/api/apiTokens/gone{V}"), 404, "NotFound")


async def test_recreating_a_token_id_retires_the_old_value(emu: Emulator) -> None:
    old = (await create_token(emu.client, "rotated", "Administrator"))["token"]
    assert (await emu.client.get(ROLES, headers={"Authorization": old})).status_code == 200
    new = (await create_token(emu.client, "rotated", "Operator"))["token"]
    assert new != old
    assert_envelope(
        await emu.client.get(ROLES, headers={"Authorization": old}), 401, "Unauthenticated"
    )
    assert_envelope(await emu.client.get(ROLES, headers={"Authorization": new}), 403, "Forbidden")


async def test_tampered_tokens_are_unauthenticated(emu: Emulator) -> None:
    token = (await create_token(emu.client, "real", "Administrator"))["token"]
    sig = fields(token)["sig"]
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    se = fields(token)["se"]
    for forged in (
        token.replace(sig, flipped),
        token.replace(f"se={se}", f"se={int(se) + 1000}"),
        token.replace("skn=real", "skn=other"),
        token + "&extra=1",
        token.replace("&se=", "&xx="),
        "SharedAccessSignature garbage",
    ):
        response = await emu.client.get(ROLES, headers={"Authorization": forged})
        error = assert_envelope(response, 401, "Unauthenticated")
        assert "authentication token is invalid" in error["message"]


async def test_tokens_work_only_on_their_application(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(apps=("first", "second")) as emu:
        first = {"Host": "first.azureiotcentral.com"}
        second = {"Host": "second.azureiotcentral.com"}
        response = await emu.client.put(
            f"/api/apiTokens/t{V}", json={"roles": [assignment("Administrator")]}, headers=first
        )
        token = response.json()["token"]
        ok = await emu.client.get(ROLES, headers={**first, "Authorization": token})
        assert ok.status_code == 200
        response = await emu.client.get(ROLES, headers={**second, "Authorization": token})
        assert "another application" in assert_envelope(response, 401, "Unauthenticated")["message"]


async def test_only_administrators_create_tokens(emu: Emulator) -> None:
    builder = (await create_token(emu.client, "builder", "Builder"))["token"]
    response = await emu.client.put(
        f"/api/apiTokens/x{V}",
        json={"roles": [assignment("Operator")]},
        headers={"Authorization": builder},
    )
    assert "'apiTokens.write'" in assert_envelope(response, 403, "Forbidden")["message"]


async def test_invalid_bodies_are_bad_requests(emu: Emulator) -> None:
    await create_org(emu.client, "usa")
    cases = [
        ({}, "'roles'"),
        ({"roles": []}, "'roles'"),
        ({"roles": [{"role": "nope"}]}, "does not exist"),
        ({"roles": [assignment("Operator", "usa")]}, "application role"),
        ({"roles": [assignment("Org Viewer")]}, "within an organization"),
        ({"roles": [assignment("Org Viewer", "mars")]}, "organization 'mars' does not exist"),
        ({"roles": [assignment("Operator")], "expiry": "tomorrow"}, "RFC 3339"),
        ({"roles": [assignment("Operator")], "expiry": "2001-01-01T00:00:00Z"}, "future"),
    ]
    for body, fragment in cases:
        response = await emu.client.put(f"/api/apiTokens/bad{V}", json=body)
        assert fragment in assert_envelope(response, 400, "BadRequest")["message"], body
    response = await emu.client.put(
        f"/api/apiTokens/has%20space{V}", json={"roles": [assignment("Operator")]}
    )
    assert_envelope(response, 400, "BadRequest")
    assert (await emu.client.get(f"/api/apiTokens{V}")).json() == {"value": []}


async def test_verification_is_cached_and_forgotten_on_reset(emu: Emulator) -> None:
    token = (await create_token(emu.client, "cached", "Administrator"))["token"]
    cache = access_of(emu.runtime).credentials
    app_id = emu.runtime.apps.default.id
    await emu.client.get(ROLES, headers={"Authorization": token})
    assert cache.get(app_id, token) is not None
    assert (await emu.client.post("/_emulator/reset")).status_code == 204
    assert cache.get(app_id, token) is None
    assert_envelope(
        await emu.client.get(ROLES, headers={"Authorization": token}), 401, "Unauthenticated"
    )


async def test_strict_mode_accepts_issued_tokens(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(auth="strict") as emu:
        token = (await create_token(emu.client, "op", "Administrator"))["token"]
        assert (await emu.client.get(ROLES, headers={"Authorization": token})).status_code == 200


async def test_tokens_survive_a_restart(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator() as emu:
        token = (await create_token(emu.client, "kept", "Administrator"))["token"]
    async with make_emulator() as emu:
        response = await emu.client.get(ROLES, headers={"Authorization": token})
        assert response.status_code == 200


def test_iso_and_se_agree_for_awkward_milliseconds() -> None:
    for ms in (1647950487889, 1647950487001, 1647950487999, 0):
        parsed = datetime.fromisoformat(iso_from_ms(ms)).replace(tzinfo=UTC)
        assert round(parsed.timestamp() * 1000) == ms


async def test_long_lists_come_in_pages_of_25(emu: Emulator) -> None:
    for i in range(30):
        await create_token(emu.client, f"t{i:02}", "Operator")
    first = (await emu.client.get(f"/api/apiTokens{V}")).json()
    assert [t["id"] for t in first["value"]] == [f"t{i:02}" for i in range(25)]
    rest = (await emu.client.get(first["nextLink"])).json()
    assert [t["id"] for t in rest["value"]] == [f"t{i:02}" for i in range(25, 30)]
    assert "nextLink" not in rest
