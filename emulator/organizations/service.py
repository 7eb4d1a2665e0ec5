"""Organizations: create, move, rename and delete nodes of a tree at most five levels deep."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.service import Application
from emulator.devices.tables import devices
from emulator.http.auth import Principal
from emulator.http.errors import BadRequest, Conflict, Forbidden, NotFound
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity import assignments
from emulator.identity.access import access_of
from emulator.identity.merge_patch import merge_patch
from emulator.identity.permissions import ORGANIZATIONS_READ, ORGANIZATIONS_WRITE
from emulator.organizations.tables import organizations
from emulator.organizations.tree import MAX_DEPTH, OrganizationTree
from emulator.runtime.core import Runtime

MAX_ORGANIZATIONS = 200
_ORG_ID = re.compile(r"^(?!-)[a-z0-9-]{1,48}[a-z0-9]$")
_SHOWN = 5


async def load_tree(conn: AsyncConnection, *, app_id: str) -> OrganizationTree:
    """The application's tree as stored."""
    rows = await conn.execute(
        select(organizations.c.id, organizations.c.parent).where(organizations.c.app_id == app_id)
    )
    return OrganizationTree({row.id: row.parent for row in rows.all()})


def _to_json(row: Any) -> dict[str, Any]:
    body = {"id": row.id, "displayName": row.display_name}
    if row.parent is not None:
        body["parent"] = row.parent
    return body


def _not_found(org_id: str) -> NotFound:
    return NotFound(
        f"Organization '{org_id}' does not exist. List organizations with GET /api/organizations."
    )


def _check_id(org_id: str) -> None:
    if len(org_id) > 48 or not _ORG_ID.match(org_id):
        raise BadRequest(
            f"Organization id '{org_id[:60]}' is not valid: use 2 to 48 lowercase letters, digits"
            " and '-', not starting with '-' and ending with a letter or digit."
        )


def _visible(runtime: Runtime, app: Application, principal: Principal) -> frozenset[str] | None:
    return access_of(runtime).scope_for(principal, app, ORGANIZATIONS_READ)


async def list_page(
    *, runtime: Runtime, app: Application, principal: Principal, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the organizations the caller may see, oldest first; and the next token."""
    visible = _visible(runtime, app, principal)
    query = select(organizations).where(organizations.c.app_id == app.id)
    if visible is not None:
        query = query.where(organizations.c.id.in_(sorted(visible)))
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[organizations.c.seq], page=page)
    return [_to_json(r) for r in rows], token


async def _row(conn: AsyncConnection, app_id: str, org_id: str) -> Any:
    return (
        await conn.execute(
            select(organizations).where(
                organizations.c.app_id == app_id, organizations.c.id == org_id
            )
        )
    ).first()


async def get(
    *, runtime: Runtime, app: Application, principal: Principal, org_id: str
) -> dict[str, Any]:
    visible = _visible(runtime, app, principal)
    async with runtime.db.read() as conn:
        row = await _row(conn, app.id, org_id)
    if row is None or (visible is not None and org_id not in visible):
        raise _not_found(org_id)
    return _to_json(row)


def _check_manageable(
    runtime: Runtime, app: Application, principal: Principal, parent: str | None, action: str
) -> None:
    """Organization-scoped callers manage only organizations below the ones they belong to."""
    scope = access_of(runtime).scope_for(principal, app, ORGANIZATIONS_WRITE)
    if scope is not None and (parent is None or parent not in scope):
        where = f"under '{parent}'" if parent else "at the top level"
        raise Forbidden(
            f"The caller may not {action} an organization {where}: its roles apply only within"
            f" {', '.join(sorted(scope)) or 'no organization'}. Use an Administrator."
        )


def _parse_fields(body: Any, org_id: str) -> tuple[Any, Any]:
    if not isinstance(body, dict):
        raise BadRequest(
            'The body must be a JSON object such as {"displayName": "Seattle", "parent": "usa"}.'
        )
    if body.get("id") not in (None, org_id):
        raise BadRequest(
            f"The body's id '{body['id']}' differs from the id in the URL '{org_id}'; they must"
            " match (or leave id out)."
        )
    name, parent = body.get("displayName"), body.get("parent")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise BadRequest("'displayName' must be a non-empty string.")
    if parent is not None and not isinstance(parent, str):
        raise BadRequest("'parent' must be an organization id (a string) or null.")
    return name, parent


def _check_placement(tree: OrganizationTree, org_id: str, parent: str | None) -> None:
    if parent is None:
        return
    if parent not in tree:
        raise BadRequest(
            f"Parent organization '{parent}' does not exist; create it first with"
            f" PUT /api/organizations/{parent}."
        )
    if org_id in tree and parent in tree.subtree(org_id):
        raise BadRequest(
            f"Organization '{org_id}' cannot move under '{parent}': that is itself or one of its"
            " descendants. Choose a parent outside its subtree."
        )
    levels = tree.depth(parent) + (tree.height(org_id) if org_id in tree else 1)
    if levels > MAX_DEPTH:
        raise BadRequest(
            f"Placing '{org_id}' under '{parent}' makes the tree {levels} levels deep; IoT Central"
            f" allows at most {MAX_DEPTH}. Choose a parent higher in the tree."
        )


async def put(
    *, runtime: Runtime, app: Application, principal: Principal, org_id: str, body: Any
) -> dict[str, Any]:
    """Create the organization, or replace its name and parent."""
    _check_id(org_id)
    name, parent = _parse_fields(body, org_id)
    return await _save(runtime, app, principal, org_id, name, parent)


async def patch(
    *, runtime: Runtime, app: Application, principal: Principal, org_id: str, body: Any
) -> dict[str, Any]:
    """Apply a JSON merge patch to displayName and parent (null parent: top level)."""
    current = await get(runtime=runtime, app=app, principal=principal, org_id=org_id)
    if not isinstance(body, dict):
        raise BadRequest('The body must be a JSON merge patch object such as {"displayName": "X"}.')
    name, parent = _parse_fields(merge_patch(current, body), org_id)
    return await _save(runtime, app, principal, org_id, name, parent)


async def _save(
    runtime: Runtime,
    app: Application,
    principal: Principal,
    org_id: str,
    name: str | None,
    parent: str | None,
) -> dict[str, Any]:
    tree = access_of(runtime).tree(app.id)
    async with runtime.db.write() as conn:
        existing = await _row(conn, app.id, org_id)
        if existing is not None:
            _check_manageable(runtime, app, principal, existing.parent, "change")
        _check_manageable(runtime, app, principal, parent, "place")
        _check_placement(tree, org_id, parent)
        values = {"display_name": name or org_id, "parent": parent}
        if existing is None:
            count, seq = (
                await conn.execute(
                    select(func.count(), func.coalesce(func.max(organizations.c.seq), 0)).where(
                        organizations.c.app_id == app.id
                    )
                )
            ).one()
            if count >= MAX_ORGANIZATIONS:
                raise Conflict(
                    f"The application already has {MAX_ORGANIZATIONS} organizations, IoT"
                    " Central's limit. Delete one first."
                )
            await conn.execute(
                insert(organizations).values(app_id=app.id, id=org_id, seq=seq + 1, **values)
            )
        else:
            await conn.execute(
                update(organizations)
                .where(organizations.c.app_id == app.id, organizations.c.id == org_id)
                .values(**values)
            )
        row = await _row(conn, app.id, org_id)
    tree.set(org_id, parent)
    return _to_json(row)


def _describe(noun: str, ids: list[str], total: int) -> str:
    shown = ", ".join(ids[:_SHOWN])
    more = f" and {total - _SHOWN} more" if total > _SHOWN else ""
    return f"{total} {noun}{'' if total == 1 else 's'} ({shown}{more})"


async def remove(*, runtime: Runtime, app: Application, principal: Principal, org_id: str) -> None:
    """Delete an organization nothing uses any more; otherwise say what still uses it."""
    tree = access_of(runtime).tree(app.id)
    async with runtime.db.write() as conn:
        existing = await _row(conn, app.id, org_id)
        visible = _visible(runtime, app, principal)
        if existing is None or (visible is not None and org_id not in visible):
            raise _not_found(org_id)
        _check_manageable(runtime, app, principal, existing.parent, "delete")
        children = tree.children(org_id)
        holders = await assignments.holders_in(conn, app_id=app.id, organization=org_id)
        device_filter = (devices.c.app_id == app.id, devices.c.organization == org_id)
        device_count = (
            await conn.execute(select(func.count()).select_from(devices).where(*device_filter))
        ).scalar_one()
        device_ids = (
            (
                await conn.execute(
                    select(devices.c.id).where(*device_filter).order_by(devices.c.id).limit(_SHOWN)
                )
            )
            .scalars()
            .all()
        )
        uses = [
            _describe(noun, ids, total)
            for noun, ids, total in (
                ("child organization", sorted(children), len(children)),
                ("user", holders.get("user", []), len(holders.get("user", []))),
                ("API token", holders.get("apiToken", []), len(holders.get("apiToken", []))),
                ("device", list(device_ids), device_count),
            )
            if total
        ]
        if uses:
            raise Conflict(
                f"Organization '{org_id}' is still in use by {'; '.join(uses)}. Move or delete"
                " them first, then delete the organization."
            )
        await conn.execute(
            delete(organizations).where(
                organizations.c.app_id == app.id, organizations.c.id == org_id
            )
        )
    tree.remove(org_id)
