"""The checked-in OpenAPI description matches what the app serves."""

from pathlib import Path

import httpx

from emulator.openapi import generate

CHECKED_IN = Path(__file__).parents[1] / "openapi" / "emulator.json"


def test_checked_in_copy_is_current() -> None:
    assert CHECKED_IN.read_bytes() == generate(), (
        "openapi/emulator.json is stale; regenerate it with: python -m emulator.openapi"
    )


async def test_served_description_documents_the_emulator_tag(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    health = spec["paths"]["/_emulator/health"]["get"]
    assert health["tags"] == ["emulator"] and health["operationId"] == "Emulator_Health"
    assert (await client.get("/docs")).status_code == 200
