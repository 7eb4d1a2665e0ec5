"""Repeated device reads are answered before routing, with the same checks and the same bytes."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.http.replay import ReplayMiddleware
from tests.conftest import Emulator
from tests.identity_support import auth_header, create_org, create_token

GA = "api-version=2022-07-31"
HOST = b"myapp.azureiotcentral.com"


async def _unrouted(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the request went through routing")


async def replay(emu: Emulator, path: str, query: str, authorization: str) -> list[dict]:
    """Call the replay layer alone: it must answer without the app behind it."""
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", HOST), (b"authorization", authorization.encode())],
    }
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    await ReplayMiddleware(_unrouted, emu.runtime)(scope, None, send)  # type: ignore[arg-type]
    return sent


@pytest.fixture
async def operator(emu: Emulator) -> str:
    await emu.client.put(f"/api/devices/d1?{GA}", json={"displayName": "one"})
    return (await auth_header(emu.client, "Operator"))["Authorization"]


@pytest.mark.parametrize("path", ["/api/devices/d1", "/api/devices"])
async def test_a_repeated_read_is_replayed_byte_for_byte(
    emu: Emulator, operator: str, path: str
) -> None:
    routed = await emu.client.get(f"{path}?{GA}", headers={"Authorization": operator})
    assert routed.status_code == 200
    start, body = await replay(emu, path, GA, operator)
    assert start["status"] == 200
    assert body["body"] == routed.content
    headers = dict(start["headers"])
    assert headers[b"content-type"] == routed.headers["content-type"].encode()
    assert headers[b"content-length"] == routed.headers["content-length"].encode()


async def test_replayed_answers_still_get_a_request_id(emu: Emulator, operator: str) -> None:
    auth = {"Authorization": operator}
    first = await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    second = await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    assert second.content == first.content
    assert first.headers["x-ms-request-id"] != second.headers["x-ms-request-id"]


async def test_nothing_is_replayed_after_a_write(emu: Emulator, operator: str) -> None:
    auth = {"Authorization": operator}
    await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    await emu.client.patch(f"/api/devices/d1?{GA}", json={"displayName": "two"})
    with pytest.raises(AssertionError, match="routing"):
        await replay(emu, "/api/devices/d1", GA, operator)
    again = await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    assert again.json()["displayName"] == "two"


async def test_each_api_version_has_its_own_answer(emu: Emulator, operator: str) -> None:
    auth = {"Authorization": operator}
    preview = "api-version=2022-10-31-preview"
    await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    with pytest.raises(AssertionError, match="routing"):
        await replay(emu, "/api/devices/d1", preview, operator)
    routed = await emu.client.get(f"/api/devices/d1?{preview}", headers=auth)
    assert (await replay(emu, "/api/devices/d1", preview, operator))[1]["body"] == routed.content
    unknown = await emu.client.get("/api/devices/d1?api-version=2099-01-01", headers=auth)
    assert unknown.status_code == 404


async def test_a_deleted_token_is_not_replayed(emu: Emulator) -> None:
    await emu.client.put(f"/api/devices/d1?{GA}", json={"displayName": "one"})
    token = (await create_token(emu.client, "short-lived", "Operator"))["token"]
    assert (
        await emu.client.get(f"/api/devices/d1?{GA}", headers={"Authorization": token})
    ).is_success
    await emu.client.delete(f"/api/apiTokens/short-lived?{GA}")
    answer = await emu.client.get(f"/api/devices/d1?{GA}", headers={"Authorization": token})
    assert answer.status_code == 401


async def test_an_expired_token_is_not_replayed(emu: Emulator) -> None:
    await emu.client.put(f"/api/devices/d1?{GA}", json={"displayName": "one"})
    token = (await create_token(emu.client, "expiring", "Operator"))["token"]
    assert (
        await emu.client.get(f"/api/devices/d1?{GA}", headers={"Authorization": token})
    ).is_success
    await emu.advance(366 * 24 * 3600)
    answer = await emu.client.get(f"/api/devices/d1?{GA}", headers={"Authorization": token})
    assert answer.status_code == 401
    assert "expired" in answer.json()["error"]["message"]


async def test_a_caller_without_the_permission_is_not_replayed(
    emu: Emulator, operator: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = {"Authorization": operator}
    await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    monkeypatch.setattr(emu.runtime.auth, "permission_check", lambda p, op, app: "devices.read")
    answer = await emu.client.get(f"/api/devices/d1?{GA}", headers=auth)
    assert answer.status_code == 403
    assert "devices.read" in answer.json()["error"]["message"]


async def test_an_organization_scoped_caller_gets_its_own_answer(emu: Emulator) -> None:
    await create_org(emu.client, "europe")
    await create_org(emu.client, "usa")
    await emu.client.put(f"/api/devices/eu1?{GA}", json={"organizations": ["europe"]})
    assert (await emu.client.get(f"/api/devices/eu1?{GA}")).status_code == 200
    assert len((await emu.client.get(f"/api/devices?{GA}")).json()["value"]) == 1
    usa = await auth_header(emu.client, "Org Operator", "usa")
    assert (await emu.client.get(f"/api/devices/eu1?{GA}", headers=usa)).status_code == 404
    assert (await emu.client.get(f"/api/devices?{GA}", headers=usa)).json()["value"] == []


async def test_next_links_follow_the_host_each_caller_used(emu: Emulator) -> None:
    for n in range(26):
        await emu.client.put(f"/api/devices/d{n:02d}?{GA}", json={})
    links = []
    for host in ("myapp.azureiotcentral.com", "myapp.localhost:8080"):
        page = await emu.client.get(f"/api/devices?{GA}", headers={"Host": host})
        links.append(page.json()["nextLink"])
    assert links[0].startswith("http://myapp.azureiotcentral.com/api/devices?")
    assert links[1].startswith("http://myapp.localhost:8080/api/devices?")
