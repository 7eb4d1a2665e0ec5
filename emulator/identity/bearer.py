"""Bearer tokens the emulator mints for a user: JWTs (HS256 under the app secret) that act as it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import orjson
from msgspec import Struct

from emulator.applications.service import Application
from emulator.http.auth import Principal
from emulator.http.errors import BadRequest, Unauthenticated
from emulator.identity.access import Credential, access_of
from emulator.runtime.clock import iso_from_timestamp
from emulator.runtime.core import Runtime
from emulator.users import service as users

PREFIX = "Bearer "
KEY_ID = "iotc-emulator"
AUDIENCE = "https://apps.azureiotcentral.com"
LIFETIME_SECONDS = 3600  # Entra ID access tokens last about an hour


class MintedToken(Struct, frozen=True):
    access_token: str
    expires_at: float
    user_id: str

    def to_json(self) -> dict[str, Any]:
        """Shaped like `az account get-access-token`, plus the ready-made header value."""
        return {
            "accessToken": self.access_token,
            "tokenType": "Bearer",
            "expiresOn": iso_from_timestamp(self.expires_at),
            "userId": self.user_id,
            "authorization": PREFIX + self.access_token,
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, signing_input: str) -> str:
    return _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


async def mint(*, runtime: Runtime, app: Application, user_id: Any) -> MintedToken:
    """A bearer token acting as an existing user, valid for an hour of emulated time."""
    if not isinstance(user_id, str) or not user_id:
        raise BadRequest('The body must name a user: {"userId": "<id of a user>"}.')
    if await users.roles_of(runtime, app_id=app.id, user_id=user_id) is None:
        raise BadRequest(
            f"User '{user_id}' does not exist; create it with PUT /api/users/{user_id} first."
        )
    issued = int(runtime.clock.timestamp())
    expires = issued + LIFETIME_SECONDS
    header = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT", "kid": KEY_ID}))
    claims = {
        "aud": AUDIENCE,
        "iss": KEY_ID,
        "sub": user_id,
        "app": app.id,
        "iat": issued,
        "nbf": issued,
        "exp": expires,
    }
    payload = _b64(orjson.dumps(claims))
    signing_input = f"{header}.{payload}"
    return MintedToken(f"{signing_input}.{_sign(app.secret, signing_input)}", expires, user_id)


def _claims_if_ours(token: str) -> tuple[str, str, str] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = orjson.loads(_unb64(parts[0]))
    except (ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(header, dict) or header.get("kid") != KEY_ID:
        return None
    return parts[0], parts[1], parts[2]


def _invalid(reason: str) -> Unauthenticated:
    return Unauthenticated(
        f"The bearer token is invalid: {reason}. Mint a new one with"
        ' POST /_emulator/bearer-tokens {"userId": "<user id>"}.'
    )


async def verify(runtime: Runtime, header: str, app: Application) -> Principal | None:
    """The user a minted bearer token acts as; None for bearer tokens the emulator did not mint."""
    if not header.startswith(PREFIX):
        return None
    cache = access_of(runtime).credentials
    now = runtime.clock.timestamp()
    cached = cache.get(app.id, header)
    if cached is not None:
        if now < cached.expires_at:
            return cached.principal
        cache.forget_header(app.id, header)
        raise _invalid(f"it expired at {iso_from_timestamp(cached.expires_at)}")
    parts = _claims_if_ours(header[len(PREFIX) :].strip())
    if parts is None:
        return None
    encoded_header, encoded_claims, sig = parts
    if not hmac.compare_digest(sig, _sign(app.secret, f"{encoded_header}.{encoded_claims}")):
        raise _invalid("its signature does not match (was it minted by another application?)")
    claims = orjson.loads(_unb64(encoded_claims))
    if now >= claims["exp"]:
        raise _invalid(f"it expired at {iso_from_timestamp(claims['exp'])}")
    generation = cache.generation(app.id)
    roles = await users.roles_of(runtime, app_id=app.id, user_id=claims["sub"])
    if roles is None:
        raise _invalid(f"user '{claims['sub']}' no longer exists")
    principal = Principal("user", claims["sub"], roles)
    cache.put(
        app.id,
        header,
        Credential(principal, float(claims["exp"]), users.owner(claims["sub"])),
        generation=generation,
    )
    return principal
