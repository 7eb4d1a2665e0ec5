"""The API token format: `SharedAccessSignature sr=<app id>&sig=<signature>&skn=<id>&se=<ms>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote

from msgspec import Struct

PREFIX = "SharedAccessSignature "
_FIELDS = ("sr", "sig", "skn", "se")


class SasToken(Struct, frozen=True):
    """The parts of a presented API token."""

    sr: str  # the application id
    sig: str  # base64 HMAC-SHA256, URL-decoded
    skn: str  # the token id
    se: int  # expiry, epoch milliseconds


def signature(secret: bytes, *, app_id: str, token_id: str, expiry_ms: int, nonce: str) -> str:
    """Base64 HMAC-SHA256 under the application secret over app id, token id, expiry and nonce."""
    message = "\n".join((app_id, token_id, str(expiry_ms), nonce)).encode()
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def render(*, app_id: str, token_id: str, expiry_ms: int, sig: str) -> str:
    return f"{PREFIX}sr={app_id}&sig={quote(sig, safe='')}&skn={token_id}&se={expiry_ms}"


def parse(header: str) -> SasToken:
    """The token's fields; ValueError says which part is malformed."""
    fields: dict[str, str] = {}
    for part in header[len(PREFIX) :].strip().split("&"):
        name, sep, value = part.partition("=")
        if not sep or name not in _FIELDS or name in fields:
            raise ValueError(f"unexpected part '{part[:40]}'")
        fields[name] = value
    missing = [f for f in _FIELDS if not fields.get(f)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if not fields["se"].isdigit():
        raise ValueError("se must be the expiry in epoch milliseconds")
    return SasToken(fields["sr"], unquote(fields["sig"]), fields["skn"], int(fields["se"]))


def matches(token: SasToken, secret: bytes, nonce: str) -> bool:
    """Whether the presented signature is the one this application would have issued."""
    expected = signature(
        secret, app_id=token.sr, token_id=token.skn, expiry_ms=token.se, nonce=nonce
    )
    return hmac.compare_digest(expected.encode(), token.sig.encode())
