"""Every operation the emulator serves, called over HTTP under every built-in role."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from emulator.app import create_app
from emulator.config import DEFAULT_ADMIN_TOKEN, Settings
from emulator.http.operations import GA_2022_07_31
from emulator.identity import roles
from emulator.identity.permissions import ROLE_PERMISSIONS, required_permission
from tests.conftest import BASE_URL

pytestmark = pytest.mark.asyncio(loop_scope="module")

ORG = "matrix-org"
PLACEHOLDERS = {"organizationId": "placeholder-org", "userId": "placeholder-user"}
# Public routes, and the control plane (ARM callers, tested in tests/test_control_plane.py).
NO_APP_CALLER = {"Emulator_Health", "Emulator_GetScenarioSchema"}
ROLE_ORGS = {r.id: (ORG if r.organization_scoped else None) for r in roles.BY_ID.values()}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str

    def url(self) -> str:
        path = re.sub(r"{(\w+)}", lambda m: PLACEHOLDERS.get(m.group(1), "x1"), self.path)
        if not path.startswith("/api/"):
            return path
        version = "2022-07-31" if self.operation_id in GA_2022_07_31 else "2022-10-31-preview"
        return f"{path}?api-version={version}"


def served_operations() -> list[Operation]:
    """Every route that carries an operation id and needs a caller, from the app's description."""
    spec = create_app(Settings(db_path=None)).openapi()
    found = [
        Operation(op["operationId"], method.upper(), path)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
        if "operationId" in op
        and op["operationId"] not in NO_APP_CALLER
        and "control plane" not in op.get("tags", ())
    ]
    return sorted(found, key=lambda o: o.operation_id)


class Matrix:
    """One emulator for the whole matrix, with an API token per built-in role."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, dict[str, str]] = {}

    async def prepare(self) -> None:
        """(Re)create the organization and one token per role, e.g. after a reset."""
        await self.client.put(f"/api/organizations/{ORG}?api-version=2022-07-31", json={})
        for role_id, org in ROLE_ORGS.items():
            body = {"roles": [{"role": role_id, **({"organization": org} if org else {})}]}
            response = await self.client.put(
                f"/api/apiTokens/matrix-{role_id}?api-version=2022-07-31", json=body
            )
            assert response.status_code == 200, response.text
            self.headers[role_id] = {"Authorization": response.json()["token"]}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def matrix(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Matrix]:
    db = Path(tmp_path_factory.mktemp("matrix")) / "matrix.db"
    # A running clock at 10,000x: operations that wait on emulated time (command timeouts, job
    # batches) finish in milliseconds, while tokens (valid a year) outlive the test.
    app = create_app(Settings(db_path=str(db), seed=7, time_scale=10_000))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=BASE_URL,
            headers={"Authorization": DEFAULT_ADMIN_TOKEN},
        ) as client,
    ):
        found = Matrix(client)
        await found.prepare()
        yield found


@pytest.mark.parametrize(
    "role", sorted(roles.BY_ID.values(), key=lambda r: r.display_name), ids=lambda r: r.display_name
)
@pytest.mark.parametrize("operation", served_operations(), ids=lambda o: o.operation_id)
async def test_role_is_enforced_on_operation(
    matrix: Matrix, operation: Operation, role: roles.Role
) -> None:
    permission = required_permission(operation.operation_id)
    body = {} if operation.method in ("PUT", "PATCH", "POST") else None
    response = await asyncio.wait_for(
        matrix.client.request(
            operation.method, operation.url(), json=body, headers=matrix.headers[role.id]
        ),
        timeout=10,
    )
    refusal = f"'{permission}' permission that {operation.operation_id} needs"
    if permission in ROLE_PERMISSIONS[role.id]:
        assert response.status_code != 401
        assert not (response.status_code == 403 and refusal in response.text), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "Forbidden"
        assert refusal in response.json()["error"]["message"]
    if operation.operation_id == "Emulator_Reset" and response.status_code == 204:
        await matrix.prepare()
