"""API tokens: issue (value shown once), list, revoke, and check presented tokens."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select

from emulator.api_tokens import signature
from emulator.api_tokens.tables import api_tokens
from emulator.applications.service import Application
from emulator.http.auth import Principal, RoleAssignment
from emulator.http.errors import BadRequest, NotFound, Unauthenticated
from emulator.http.paging import PageRequest, keyset_page
from emulator.identity import assignments
from emulator.identity.access import Credential, access_of
from emulator.runtime.clock import iso
from emulator.runtime.core import Runtime

HOLDER = "apiToken"
DEFAULT_LIFETIME = timedelta(days=365)
_TOKEN_ID = re.compile(r"^[A-Za-z0-9_.~-]{1,255}$")


def iso_from_ms(ms: int) -> str:
    """RFC 3339 of epoch milliseconds, exact to the millisecond (so `expiry` equals `se`)."""
    seconds, millis = divmod(ms, 1000)
    return iso(datetime.fromtimestamp(seconds, UTC) + timedelta(milliseconds=millis))


def _owner(token_id: str) -> str:
    return f"{HOLDER}:{token_id}"


def _to_json(token_id: str, expiry_ms: int, roles: tuple[RoleAssignment, ...]) -> dict[str, Any]:
    return {
        "id": token_id,
        "roles": [assignments.to_json(a) for a in roles],
        "expiry": iso_from_ms(expiry_ms),
    }


def _check_id(token_id: str) -> None:
    if not _TOKEN_ID.match(token_id):
        raise BadRequest(
            f"API token id '{token_id[:80]}' is not valid: use 1 to 255 letters, digits, '-', '_',"
            " '.' or '~' (the id appears as skn= in the token)."
        )


def _expiry_ms(raw: Any, now: float) -> int:
    if raw is None:
        return int((now + DEFAULT_LIFETIME.total_seconds()) * 1000)
    if not isinstance(raw, str):
        raise BadRequest("'expiry' must be an RFC 3339 date-time such as 2030-01-01T00:00:00.000Z.")
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"'expiry' value '{raw[:60]}' is not an RFC 3339 date-time; use a form such as"
            " 2030-01-01T00:00:00.000Z."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    ms = int(when.timestamp() * 1000)
    if ms <= now * 1000:
        raise BadRequest(
            f"'expiry' {raw} is not in the future (emulated time is"
            f" {iso_from_ms(int(now * 1000))}); give a later date-time, or leave it out for a"
            " token valid one year."
        )
    return ms


def _fixed_expiry_ms(value: str, token_id: str, body: dict[str, Any], now: float) -> int:
    """The expiry of a fixed value: its `se`, which `expiry`, when given, must equal."""
    try:
        token = signature.parse(value)
    except ValueError as exc:
        raise BadRequest(
            f"The fixed token value is not a SharedAccessSignature ({exc}); use the form"
            f" 'SharedAccessSignature sr=<any>&sig=<any>&skn={token_id}&se=<expiry ms>'."
        ) from None
    if token.skn != token_id:
        raise BadRequest(f"The fixed token value has skn={token.skn}; it must be skn={token_id}.")
    if body.get("expiry") is not None and _expiry_ms(body["expiry"], now) != token.se:
        raise BadRequest(
            f"'expiry' differs from the fixed value's se={token.se}; leave 'expiry' out."
        )
    if token.se <= now * 1000:
        raise BadRequest(f"The fixed token value expired at {iso_from_ms(token.se)}.")
    return token.se


async def create(
    *,
    runtime: Runtime,
    app: Application,
    principal: Principal,
    token_id: str,
    body: Any,
    fixed_value: str | None = None,
) -> dict[str, Any]:
    """Issue a token (replacing one of the same id); the answer holds its value, once.

    `fixed_value` (scenario files only, not the REST API) makes the token exactly that value.
    """
    _check_id(token_id)
    if not isinstance(body, dict):
        raise BadRequest('The body must be a JSON object such as {"roles": [{"role": "<id>"}]}.')
    access = access_of(runtime)
    tree = access.tree(app.id)
    now = runtime.clock.timestamp()
    if fixed_value is None:
        expiry_ms = _expiry_ms(body.get("expiry"), now)
    else:
        expiry_ms = _fixed_expiry_ms(fixed_value, token_id, body, now)
    async with runtime.db.write() as conn:
        # Checked under the write lock, so an organization cannot disappear in between.
        roles = assignments.parse(body.get("roles"), tree=tree)
        assignments.check_grant(principal, roles, tree=tree)
        seq = (
            await conn.execute(
                select(func.coalesce(func.max(api_tokens.c.seq), 0)).where(
                    api_tokens.c.app_id == app.id
                )
            )
        ).scalar_one() + 1
        rng = runtime.randomness.stream(app.id, HOLDER, token_id, str(seq))
        nonce = f"{rng.getrandbits(64):016x}"
        await conn.execute(
            delete(api_tokens).where(api_tokens.c.app_id == app.id, api_tokens.c.id == token_id)
        )
        await conn.execute(
            insert(api_tokens).values(
                app_id=app.id,
                id=token_id,
                expiry_ms=expiry_ms,
                nonce=nonce,
                created_at=now,
                seq=seq,
                fixed_value=fixed_value,
            )
        )
        await assignments.save(
            conn, app_id=app.id, holder_kind=HOLDER, holder_id=token_id, assignments=roles
        )
    access.credentials.forget(app.id, _owner(token_id))
    sig = signature.signature(
        app.secret, app_id=app.id, token_id=token_id, expiry_ms=expiry_ms, nonce=nonce
    )
    value = fixed_value or signature.render(
        app_id=app.id, token_id=token_id, expiry_ms=expiry_ms, sig=sig
    )
    return {**_to_json(token_id, expiry_ms, roles), "token": value}


async def list_page(
    *, runtime: Runtime, app: Application, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the application's tokens, oldest first, without values; and the next token."""
    query = select(api_tokens).where(api_tokens.c.app_id == app.id)
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[api_tokens.c.seq], page=page)
        roles = await assignments.load(
            conn, app_id=app.id, holder_kind=HOLDER, holder_ids=[r.id for r in rows]
        )
    return [_to_json(r.id, r.expiry_ms, roles.get(r.id, ())) for r in rows], token


def _not_found(token_id: str) -> NotFound:
    return NotFound(
        f"API token '{token_id}' does not exist. List tokens with GET /api/apiTokens;"
        f" create one with PUT /api/apiTokens/{token_id}."
    )


async def get(*, runtime: Runtime, app: Application, token_id: str) -> dict[str, Any]:
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(
                select(api_tokens).where(api_tokens.c.app_id == app.id, api_tokens.c.id == token_id)
            )
        ).first()
        if row is None:
            raise _not_found(token_id)
        roles = await assignments.load(
            conn, app_id=app.id, holder_kind=HOLDER, holder_ids=[token_id]
        )
    return _to_json(row.id, row.expiry_ms, roles.get(token_id, ()))


async def remove(*, runtime: Runtime, app: Application, token_id: str) -> None:
    """Revoke a token: it stops working with the next request."""
    async with runtime.db.write() as conn:
        deleted = await conn.execute(
            delete(api_tokens).where(api_tokens.c.app_id == app.id, api_tokens.c.id == token_id)
        )
        if deleted.rowcount == 0:
            raise _not_found(token_id)
        await assignments.remove(conn, app_id=app.id, holder_kind=HOLDER, holder_id=token_id)
    access_of(runtime).credentials.forget(app.id, _owner(token_id))


def _invalid(reason: str) -> Unauthenticated:
    return Unauthenticated(
        f"The provided authentication token is invalid: {reason}. Create an API token with"
        " PUT /api/apiTokens/{tokenId} and send its 'token' value as the Authorization header."
    )


async def verify(runtime: Runtime, header: str, app: Application) -> Principal | None:
    """The principal of an API token header; Unauthenticated when it is one but does not hold."""
    if not header.startswith(signature.PREFIX):
        return None
    cache = access_of(runtime).credentials
    now = runtime.clock.timestamp()
    cached = cache.get(app.id, header)
    if cached is not None:
        if now < cached.expires_at:
            return cached.principal
        cache.forget_header(app.id, header)
        raise _invalid(f"it expired at {iso_from_ms(int(cached.expires_at * 1000))}")
    try:
        token = signature.parse(header)
    except ValueError as exc:
        raise _invalid(f"it is not a well-formed SharedAccessSignature ({exc})") from None
    generation = cache.generation(app.id)
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(
                select(api_tokens.c.nonce, api_tokens.c.expiry_ms, api_tokens.c.fixed_value).where(
                    api_tokens.c.app_id == app.id, api_tokens.c.id == token.skn
                )
            )
        ).first()
        roles = (
            await assignments.load(conn, app_id=app.id, holder_kind=HOLDER, holder_ids=[token.skn])
            if row is not None
            else {}
        )
    fixed = row is not None and row.fixed_value is not None
    if token.sr != app.id and not fixed:
        raise _invalid("it was issued by another application (sr= names another app id)")
    if row is None:
        raise _invalid(f"API token '{token.skn}' does not exist or was deleted")
    if fixed:
        if not hmac.compare_digest(header.encode(), row.fixed_value.encode()):
            raise _invalid("it is not the value this token was given")
    elif token.se != row.expiry_ms or not signature.matches(token, app.secret, row.nonce):
        raise _invalid("its signature does not match")
    if now * 1000 >= token.se:
        raise _invalid(f"it expired at {iso_from_ms(token.se)}")
    principal = Principal("api-token", token.skn, roles.get(token.skn, ()))
    cache.put(
        app.id,
        header,
        Credential(principal, token.se / 1000, _owner(token.skn)),
        generation=generation,
    )
    return principal
