"""Users (email, service principal, AD group) and the roles they hold in the application."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.service import Application
from emulator.http.auth import Principal, RoleAssignment
from emulator.http.errors import BadRequest, Conflict, NotFound
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity import assignments
from emulator.identity.access import access_of
from emulator.identity.merge_patch import merge_patch
from emulator.identity.permissions import USERS_READ
from emulator.runtime.core import Runtime
from emulator.users.tables import users

HOLDER = "user"
TYPES = ("email", "servicePrincipal", "adGroup")
_USER_ID = re.compile(r"^[a-zA-Z0-9_-]{1,48}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def owner(user_id: str) -> str:
    """The credential-cache owner key of a user's bearer tokens."""
    return f"{HOLDER}:{user_id}"


def _to_json(row: Any, roles: tuple[RoleAssignment, ...]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.id, "type": row.type}
    if row.type == "email":
        body["email"] = row.email
    else:
        body["tenantId"] = row.tenant_id
        body["objectId"] = row.object_id
    body["roles"] = [assignments.to_json(a) for a in roles]
    return body


def _not_found(user_id: str) -> NotFound:
    return NotFound(f"User '{user_id}' does not exist. List users with GET /api/users.")


def _check_id(user_id: str) -> None:
    if not _USER_ID.match(user_id):
        raise BadRequest(
            f"User id '{user_id[:60]}' is not valid: use 1 to 48 letters, digits, '-' or '_'."
        )


def _sees(scope: frozenset[str] | None, roles: tuple[RoleAssignment, ...]) -> bool:
    return scope is None or any(a.organization in scope for a in roles)


async def _load(conn: AsyncConnection, app_id: str, user_id: str) -> tuple[Any, tuple]:
    row = (
        await conn.execute(select(users).where(users.c.app_id == app_id, users.c.id == user_id))
    ).first()
    found = await assignments.load(conn, app_id=app_id, holder_kind=HOLDER, holder_ids=[user_id])
    return row, found.get(user_id, ())


async def roles_of(
    runtime: Runtime, *, app_id: str, user_id: str
) -> tuple[RoleAssignment, ...] | None:
    """A user's role assignments, or None when the user does not exist."""
    async with runtime.db.read() as conn:
        row, roles = await _load(conn, app_id, user_id)
    return None if row is None else roles


async def list_page(
    *, runtime: Runtime, app: Application, principal: Principal, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the users the caller may see, oldest first; and the next page's token."""
    scope = access_of(runtime).scope_for(principal, app, USERS_READ)
    query = select(users).where(users.c.app_id == app.id)
    if scope is not None:
        query = query.where(
            assignments.held_within(
                app_id=app.id, holder_kind=HOLDER, holder_id=users.c.id, scope=scope
            )
        )
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[users.c.seq], page=page)
        roles = await assignments.load(
            conn, app_id=app.id, holder_kind=HOLDER, holder_ids=[r.id for r in rows]
        )
    return [_to_json(r, roles.get(r.id, ())) for r in rows], token


async def get(
    *, runtime: Runtime, app: Application, principal: Principal, user_id: str
) -> dict[str, Any]:
    scope = access_of(runtime).scope_for(principal, app, USERS_READ)
    async with runtime.db.read() as conn:
        row, roles = await _load(conn, app.id, user_id)
    if row is None or not _sees(scope, roles):
        raise _not_found(user_id)
    return _to_json(row, roles)


def _string(body: dict[str, Any], field: str, user_type: str) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"A {user_type} user needs '{field}' (a non-empty string).")
    return value


def _fields(body: Any) -> dict[str, Any]:
    """The stored columns of a user body, validated."""
    if not isinstance(body, dict):
        raise BadRequest(
            'The body must be a JSON object such as {"type": "email", "email": "a@b.com",'
            ' "roles": [{"role": "<role id>"}]}.'
        )
    user_type = body.get("type")
    if user_type not in TYPES:
        raise BadRequest(f"'type' must be one of {', '.join(TYPES)}, not {user_type!r}.")
    if user_type == "email":
        email = _string(body, "email", user_type)
        if not _EMAIL.match(email):
            raise BadRequest(f"'{email[:80]}' is not an email address such as user@contoso.com.")
        return {"type": user_type, "email": email, "email_key": email.lower()}
    return {
        "type": user_type,
        "tenant_id": _string(body, "tenantId", user_type),
        "object_id": _string(body, "objectId", user_type),
    }


async def _check_unique(
    conn: AsyncConnection, app_id: str, user_id: str, fields: dict[str, Any]
) -> None:
    if fields["type"] == "email":
        same = users.c.email_key == fields["email_key"]
        what = f"email {fields['email']}"
    else:
        same = (
            (users.c.type == fields["type"])
            & (users.c.tenant_id == fields["tenant_id"])
            & (users.c.object_id == fields["object_id"])
        )
        what = f"{fields['type']} {fields['tenant_id']}/{fields['object_id']}"
    other = (
        await conn.execute(
            select(users.c.id).where(users.c.app_id == app_id, users.c.id != user_id, same)
        )
    ).scalar()
    if other is not None:
        raise Conflict(
            f"User '{other}' already has {what}; one user per identity. Update '{other}' instead."
        )


async def put(
    *, runtime: Runtime, app: Application, principal: Principal, user_id: str, body: Any
) -> dict[str, Any]:
    """Create the user, or replace it."""
    _check_id(user_id)
    return await _save(runtime, app, principal, user_id, body)


async def patch(
    *, runtime: Runtime, app: Application, principal: Principal, user_id: str, body: Any
) -> dict[str, Any]:
    """Apply a JSON merge patch; a user's type and id cannot change."""
    current = await get(runtime=runtime, app=app, principal=principal, user_id=user_id)
    if not isinstance(body, dict):
        raise BadRequest('The body must be a JSON merge patch object such as {"roles": [...]}.')
    for fixed in ("id", "type"):
        if fixed in body and body[fixed] != current[fixed]:
            raise BadRequest(
                f"A user's {fixed} cannot change ('{current[fixed]}'); delete the user and create"
                " a new one instead."
            )
    return await _save(runtime, app, principal, user_id, merge_patch(current, body))


async def _save(
    runtime: Runtime, app: Application, principal: Principal, user_id: str, body: Any
) -> dict[str, Any]:
    fields = _fields(body)
    tree = access_of(runtime).tree(app.id)
    async with runtime.db.write() as conn:
        # Checked under the write lock, so an organization cannot disappear in between.
        roles = assignments.parse(body.get("roles"), tree=tree)
        assignments.check_grant(principal, roles, tree=tree)
        existing, held = await _load(conn, app.id, user_id)
        if existing is not None:
            assignments.check_grant(principal, held, tree=tree)
        await _check_unique(conn, app.id, user_id, fields)
        if existing is None:
            seq = (
                await conn.execute(
                    select(func.coalesce(func.max(users.c.seq), 0)).where(users.c.app_id == app.id)
                )
            ).scalar_one() + 1
        else:
            seq = existing.seq
            await conn.execute(delete(users).where(users.c.app_id == app.id, users.c.id == user_id))
        await conn.execute(insert(users).values(app_id=app.id, id=user_id, seq=seq, **fields))
        await assignments.save(
            conn, app_id=app.id, holder_kind=HOLDER, holder_id=user_id, assignments=roles
        )
        row, saved = await _load(conn, app.id, user_id)
    access_of(runtime).credentials.forget(app.id, owner(user_id))
    return _to_json(row, saved)


async def remove(*, runtime: Runtime, app: Application, principal: Principal, user_id: str) -> None:
    """Delete a user; bearer tokens minted for it stop working at once."""
    tree = access_of(runtime).tree(app.id)
    scope = access_of(runtime).scope_for(principal, app, USERS_READ)
    async with runtime.db.write() as conn:
        existing, held = await _load(conn, app.id, user_id)
        if existing is None or not _sees(scope, held):
            raise _not_found(user_id)
        assignments.check_grant(principal, held, tree=tree)
        await conn.execute(delete(users).where(users.c.app_id == app.id, users.c.id == user_id))
        await assignments.remove(conn, app_id=app.id, holder_kind=HOLDER, holder_id=user_id)
    access_of(runtime).credentials.forget(app.id, owner(user_id))
