"""Entity tags: a new one on every write, and `If-Match` checks (RFC 7232) against them."""

from __future__ import annotations

import base64
import hashlib

from emulator.http.errors import PreconditionFailed


def next_etag(previous: str | None, content: bytes) -> str:
    """An opaque tag that differs from `previous` even when the content did not change."""
    digest = hashlib.sha256((previous or "").encode() + b"\0" + content).digest()
    return base64.b64encode(digest[:15]).decode()


def quoted(etag: str) -> str:
    """The tag as IoT Central shows it on templates and groups: inside double quotes."""
    return f'"{etag}"'


def _bare(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    while len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    return tag.replace('\\"', "")


def check_if_match(header: str | None, current: str | None, what: str) -> None:
    """PreconditionFailed unless `If-Match` is absent, `*`, or lists the current tag."""
    if header is None:
        return
    if header.strip() == "*" and current is not None:
        return
    wanted = {_bare(t) for t in header.split(",") if t.strip()}
    if current is None or _bare(current) not in wanted:
        raise PreconditionFailed(
            f"The etag in If-Match does not match the current etag of {what}; GET it again and"
            " retry with the etag it returns (or leave If-Match out to overwrite)."
        )
