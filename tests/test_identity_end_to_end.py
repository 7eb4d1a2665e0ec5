"""The token flow against the real `python -m emulator` process, as a curl user runs it."""

from __future__ import annotations

from pathlib import Path

import httpx

from emulator.config import DEFAULT_ADMIN_TOKEN
from tests.identity_support import ROLE_IDS, V
from tests.test_end_to_end import running_emulator


def test_token_flow_over_http(tmp_path: Path) -> None:
    admin = {"Authorization": DEFAULT_ADMIN_TOKEN}
    with running_emulator("--db", str(tmp_path / "e2e.db"), "--auth", "strict") as base:
        created = httpx.put(
            f"{base}/api/apiTokens/operator-token{V}",
            json={"roles": [{"role": ROLE_IDS["Operator"]}]},
            headers=admin,
        )
        assert created.status_code == 200
        operator = {"Authorization": created.json()["token"]}
        denied = httpx.get(f"{base}/api/apiTokens{V}", headers=operator)
        assert denied.status_code == 403 and denied.json()["error"]["code"] == "Forbidden"
        listed = httpx.get(f"{base}/api/apiTokens{V}", headers=admin).json()["value"]
        assert [t["id"] for t in listed] == ["operator-token"] and "token" not in listed[0]
        assert (
            httpx.delete(f"{base}/api/apiTokens/operator-token{V}", headers=admin).status_code
            == 204
        )
        revoked = httpx.get(f"{base}/api/apiTokens{V}", headers=operator)
        assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "Unauthenticated"
