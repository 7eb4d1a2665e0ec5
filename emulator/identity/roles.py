"""The built-in roles of an IoT Central application and their fixed ids."""

from __future__ import annotations

from msgspec import Struct


class Role(Struct, frozen=True):
    id: str
    display_name: str
    organization_scoped: bool = False

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "displayName": self.display_name}


ADMINISTRATOR = Role("ca310b8d-2f4a-44e0-a36e-957c202cd8d4", "Administrator")
BUILDER = Role("344138e9-8de4-4497-8c54-5237e96d6aaf", "Builder")
OPERATOR = Role("ae2c9854-393b-4f97-8c42-479d70ce626e", "Operator")
ORG_ADMIN = Role("c495eb57-eb18-489e-9802-62c474e5645c", "Org Admin", True)
ORG_OPERATOR = Role("b4935647-30e4-4ed3-9074-dcac66c2f8ef", "Org Operator", True)
ORG_VIEWER = Role("84cc62c1-dabe-49d3-b16e-8b291232b285", "Org Viewer", True)

APP_ROLES = (ADMINISTRATOR, BUILDER, OPERATOR)
ORG_ROLES = (ORG_ADMIN, ORG_OPERATOR, ORG_VIEWER)
BY_ID = {r.id: r for r in APP_ROLES + ORG_ROLES}


def available(*, has_organizations: bool) -> tuple[Role, ...]:
    """The roles an application offers: organization roles appear with its first organization."""
    return APP_ROLES + ORG_ROLES if has_organizations else APP_ROLES


def find(role_id: str, *, has_organizations: bool) -> Role | None:
    role = BY_ID.get(role_id)
    if role is None or (role.organization_scoped and not has_organizations):
        return None
    return role
