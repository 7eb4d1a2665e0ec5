"""Every error is IoT Central's envelope with x-ms-error-code and a request id."""

import logging
import re

import httpx
import pytest

from tests.conftest import Emulator

RID = re.compile(r"^[a-z0-9]{8}$")


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["x-ms-error-code"] == code
    error = response.json()["error"]
    assert set(error) == {"code", "message", "requestId", "time"}
    assert error["code"] == code
    assert RID.match(error["requestId"])
    assert error["requestId"] == response.headers["x-ms-request-id"]
    assert error["time"].endswith(" GMT")
    assert f"Request ID: {error['requestId']}" in error["message"]
    return error


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/_emulator/health")
    second = await client.get("/_emulator/health")
    assert RID.match(first.headers["x-ms-request-id"])
    assert first.headers["x-ms-request-id"] != second.headers["x-ms-request-id"]


async def test_unknown_route_is_not_found(client: httpx.AsyncClient) -> None:
    error = assert_envelope(
        await client.get("/api/nothing-here?api-version=2022-07-31"), 404, "NotFound"
    )
    assert "/api" in error["message"]


async def test_wrong_method_names_the_allowed_ones(client: httpx.AsyncClient) -> None:
    error = assert_envelope(
        await client.delete("/api/roles?api-version=2022-07-31"), 405, "MethodNotAllowed"
    )
    assert "GET" in error["message"]


async def test_missing_api_version_lists_supported(client: httpx.AsyncClient) -> None:
    error = assert_envelope(await client.get("/api/roles"), 404, "NotFound")
    assert "api-version" in error["message"] and "2022-07-31" in error["message"]


async def test_unknown_api_version(client: httpx.AsyncClient) -> None:
    error = assert_envelope(await client.get("/api/roles?api-version=undefined"), 404, "NotFound")
    assert error["message"].startswith('"undefined" is not a valid API version.')


async def test_malformed_json_is_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/_emulator/clock", content=b'{"advance": ', headers={"content-type": "application/json"}
    )
    error = assert_envelope(response, 400, "BadRequest")
    assert "JSON" in error["message"]


async def test_wrong_field_type_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/_emulator/clock", json={"frozen": "sometimes"})
    error = assert_envelope(response, 400, "BadRequest")
    assert "frozen" in error["message"]


async def test_body_over_the_limit_is_refused(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(max_body_bytes=100) as emu:
        response = await emu.client.post("/_emulator/clock", json={"advance": "PT1S" + " " * 200})
        error = assert_envelope(response, 413, "PayloadTooLarge")
        assert "100 bytes" in error["message"]


async def test_unhandled_exception_is_500_without_stack_trace(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise RuntimeError("secret internals")

    emu.app.add_api_route("/_emulator/boom", boom)
    with caplog.at_level(logging.ERROR):
        response = await emu.client.get("/_emulator/boom")
    error = assert_envelope(response, 500, "InternalServerError")
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "log" in error["message"]
    assert "secret internals" in caplog.text


async def test_access_log_line_per_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="iotc_emulator.access"):
        response = await client.get("/_emulator/health")
    rid = response.headers["x-ms-request-id"]
    lines = [r.getMessage() for r in caplog.records if r.name == "iotc_emulator.access"]
    assert any(
        line.startswith("GET /_emulator/health 200 ") and f"rid={rid}" in line for line in lines
    )


async def test_debug_log_adds_request_bodies(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="iotc_emulator.access"):
        await client.post("/_emulator/clock", json={"advance": "PT2S"})
    assert any("PT2S" in r.getMessage() for r in caplog.records)


async def test_error_time_is_emulated_time(emu: Emulator) -> None:
    from email.utils import parsedate_to_datetime

    await emu.advance(10 * 86400)
    error = assert_envelope(await emu.client.get("/api/roles"), 404, "NotFound")
    stamped = parsedate_to_datetime(error["time"]).timestamp()
    assert abs(stamped - emu.runtime.clock.timestamp()) < 2
