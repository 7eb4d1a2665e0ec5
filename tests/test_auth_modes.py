"""The Authorization header under the loose, strict and off modes."""

import httpx

from tests.conftest import ADMIN
from tests.test_errors import assert_envelope

ROLES = "/api/roles?api-version=2022-07-31"


async def test_no_header_is_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await client.get(ROLES, headers={"Authorization": ""})
    error = assert_envelope(response, 401, "Unauthenticated")
    assert "Authorization" in error["message"]


async def test_admin_token_acts_as_administrator(client: httpx.AsyncClient) -> None:
    assert (await client.get(ROLES, headers=ADMIN)).status_code == 200


async def test_garbage_token_is_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await client.get(ROLES, headers={"Authorization": "not-a-token"})
    assert_envelope(response, 401, "Unauthenticated")


async def test_loose_mode_accepts_any_bearer(client: httpx.AsyncClient) -> None:
    response = await client.get(ROLES, headers={"Authorization": "Bearer anything.at.all"})
    assert response.status_code == 200


async def test_strict_mode_refuses_foreign_bearer_and_names_the_flag(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(auth="strict") as emu:
        response = await emu.client.get(ROLES, headers={"Authorization": "Bearer anything"})
        error = assert_envelope(response, 401, "Unauthenticated")
        assert "--auth loose" in error["message"]
        assert (await emu.client.get(ROLES, headers=ADMIN)).status_code == 200


async def test_off_mode_checks_nothing(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(auth="off") as emu:
        response = await emu.client.get(ROLES, headers={"Authorization": ""})
        assert response.status_code == 200


async def test_custom_admin_token(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(admin_token="s3cret") as emu:
        assert (await emu.client.get(ROLES, headers={"Authorization": "s3cret"})).status_code == 200
        response = await emu.client.get(ROLES, headers=ADMIN)
        assert_envelope(response, 401, "Unauthenticated")
