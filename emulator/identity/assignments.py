"""Role assignments of users and API tokens: validation, the grant rule, and storage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from emulator.http.auth import Principal, RoleAssignment
from emulator.http.errors import BadRequest, Forbidden
from emulator.identity import roles
from emulator.identity.permissions import ROLE_PERMISSIONS
from emulator.identity.tables import role_assignments as table
from emulator.organizations.tree import OrganizationTree

MAX_ASSIGNMENTS = 50


def parse(raw: Any, *, tree: OrganizationTree) -> tuple[RoleAssignment, ...]:
    """Role assignments from a request body, checked against the application's roles and orgs."""
    if not isinstance(raw, list) or not raw:
        raise BadRequest(
            "'roles' must be a non-empty array of role assignments such as"
            ' [{"role": "ae2c9854-393b-4f97-8c42-479d70ce626e"}]; list roles with GET /api/roles.'
        )
    if len(raw) > MAX_ASSIGNMENTS:
        raise BadRequest(f"'roles' has {len(raw)} entries; at most {MAX_ASSIGNMENTS} are allowed.")
    return tuple(_parse_one(i, item, tree) for i, item in enumerate(raw))


def _parse_one(index: int, item: Any, tree: OrganizationTree) -> RoleAssignment:
    where = f"roles[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("role"), str):
        raise BadRequest(f"{where} must be an object with a string 'role' (a role id).")
    organization = item.get("organization")
    if organization is not None and not isinstance(organization, str):
        raise BadRequest(f"{where}.organization must be a string (an organization id).")
    role = roles.find(item["role"], has_organizations=bool(tree))
    if role is None:
        raise BadRequest(
            f"{where}: role '{item['role']}' does not exist in this application; list roles"
            " with GET /api/roles (organization roles appear once an organization exists)."
        )
    if organization is not None and organization not in tree:
        raise BadRequest(
            f"{where}: organization '{organization}' does not exist; create it with"
            f" PUT /api/organizations/{organization} or list them with GET /api/organizations."
        )
    if role.organization_scoped and organization is None:
        raise BadRequest(
            f"{where}: the {role.display_name} role applies within an organization; add"
            ' "organization": "<organization id>".'
        )
    if not role.organization_scoped and organization is not None:
        raise BadRequest(
            f"{where}: the {role.display_name} role is an application role and applies to the"
            " whole application; remove 'organization' or use an organization role"
            " (Org Admin, Org Operator, Org Viewer)."
        )
    return RoleAssignment(role.id, organization)


def to_json(assignment: RoleAssignment) -> dict[str, str]:
    body = {"role": assignment.role}
    if assignment.organization is not None:
        body["organization"] = assignment.organization
    return body


def _covers(held: RoleAssignment, wanted: RoleAssignment, tree: OrganizationTree) -> bool:
    if not ROLE_PERMISSIONS[wanted.role] <= ROLE_PERMISSIONS.get(held.role, frozenset()):
        return False
    if held.organization is None:
        return True
    return wanted.organization is not None and wanted.organization in tree.subtree(
        held.organization
    )


def check_grant(
    granter: Principal, wanted: tuple[RoleAssignment, ...], *, tree: OrganizationTree
) -> None:
    """Refuse assignments that give more permissions, or a wider scope, than the granter has."""
    for assignment in wanted:
        if not any(_covers(held, assignment, tree) for held in granter.roles):
            role = roles.BY_ID[assignment.role].display_name
            scope = (
                f" in organization '{assignment.organization}'" if assignment.organization else ""
            )
            raise Forbidden(
                f"The caller may not grant the {role} role{scope}: nobody may grant a role with"
                " more permissions, or over a wider part of the organization tree, than their own."
                " Use a caller that holds such a role."
            )


async def save(
    conn: AsyncConnection,
    *,
    app_id: str,
    holder_kind: str,
    holder_id: str,
    assignments: tuple[RoleAssignment, ...],
) -> None:
    """Replace the holder's assignments with these, in order."""
    await remove(conn, app_id=app_id, holder_kind=holder_kind, holder_id=holder_id)
    await conn.execute(
        insert(table),
        [
            {
                "app_id": app_id,
                "holder_kind": holder_kind,
                "holder_id": holder_id,
                "position": i,
                "role": a.role,
                "organization": a.organization,
            }
            for i, a in enumerate(assignments)
        ],
    )


async def remove(conn: AsyncConnection, *, app_id: str, holder_kind: str, holder_id: str) -> None:
    await conn.execute(
        delete(table).where(
            table.c.app_id == app_id,
            table.c.holder_kind == holder_kind,
            table.c.holder_id == holder_id,
        )
    )


async def load(
    conn: AsyncConnection, *, app_id: str, holder_kind: str, holder_ids: Sequence[str]
) -> dict[str, tuple[RoleAssignment, ...]]:
    """Assignments of these holders, by holder id."""
    query = select(table).where(
        table.c.app_id == app_id,
        table.c.holder_kind == holder_kind,
        table.c.holder_id.in_(holder_ids),
    )
    grouped: dict[str, list[RoleAssignment]] = defaultdict(list)
    for row in (await conn.execute(query.order_by(table.c.holder_id, table.c.position))).all():
        grouped[row.holder_id].append(RoleAssignment(row.role, row.organization))
    return {holder: tuple(found) for holder, found in grouped.items()}


def held_within(
    *, app_id: str, holder_kind: str, holder_id: ColumnElement[str], scope: frozenset[str]
) -> ColumnElement[bool]:
    """SQL condition: the holder has an assignment in one of these organizations."""
    return exists().where(
        table.c.app_id == app_id,
        table.c.holder_kind == holder_kind,
        table.c.holder_id == holder_id,
        table.c.organization.in_(sorted(scope)),
    )


async def holders_in(
    conn: AsyncConnection, *, app_id: str, organization: str
) -> dict[str, list[str]]:
    """Holder ids by kind whose assignments name this organization."""
    rows = await conn.execute(
        select(table.c.holder_kind, table.c.holder_id)
        .where(table.c.app_id == app_id, table.c.organization == organization)
        .distinct()
        .order_by(table.c.holder_kind, table.c.holder_id)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for kind, holder in rows.all():
        found[kind].append(holder)
    return found
