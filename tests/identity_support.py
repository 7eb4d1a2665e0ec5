"""Helpers for tests that act under different roles: tokens, users and organizations over REST."""

from __future__ import annotations

import httpx

from emulator.identity import roles

V = "?api-version=2022-07-31"
ROLE_IDS = {
    "Administrator": roles.ADMINISTRATOR.id,
    "Builder": roles.BUILDER.id,
    "Operator": roles.OPERATOR.id,
    "Org Admin": roles.ORG_ADMIN.id,
    "Org Operator": roles.ORG_OPERATOR.id,
    "Org Viewer": roles.ORG_VIEWER.id,
}


def assignment(role: str, organization: str | None = None) -> dict[str, str]:
    body = {"role": ROLE_IDS[role]}
    if organization is not None:
        body["organization"] = organization
    return body


async def create_token(
    client: httpx.AsyncClient,
    token_id: str,
    role: str,
    organization: str | None = None,
    **extra: object,
) -> dict:
    """PUT /apiTokens/{id} as the client's caller; the answer must be 200."""
    body = {"roles": [assignment(role, organization)], **extra}
    response = await client.put(f"/api/apiTokens/{token_id}{V}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def auth_header(
    client: httpx.AsyncClient, role: str, organization: str | None = None
) -> dict:
    """An Authorization header of a fresh API token with this role."""
    token_id = f"t-{role.lower().replace(' ', '-')}-{organization or 'app'}"
    token = await create_token(client, token_id, role, organization)
    return {"Authorization": token["token"]}


async def create_org(client: httpx.AsyncClient, org_id: str, parent: str | None = None) -> dict:
    body = {"displayName": org_id.title(), **({"parent": parent} if parent else {})}
    response = await client.put(f"/api/organizations/{org_id}{V}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def create_user(
    client: httpx.AsyncClient, user_id: str, role: str, organization: str | None = None
) -> dict:
    body = {
        "type": "email",
        "email": f"{user_id}@contoso.com",
        "roles": [assignment(role, organization)],
    }
    response = await client.put(f"/api/users/{user_id}{V}", json=body)
    assert response.status_code == 200, response.text
    return response.json()
