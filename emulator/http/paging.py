"""Keyset paging for every list operation: opaque `$skiptoken`, absolute `nextLink`.

A page is read with `WHERE (sort keys) > (last keys of the previous page) ORDER BY keys LIMIT n+1`,
so the last page of a long list costs what the first one costs. The token carries the sort it was
made for and the last row's keys; nothing is kept on the server between pages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from msgspec import Struct
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement
from starlette.responses import Response

from emulator.http.context import ApiContext
from emulator.http.errors import BadRequest
from emulator.http.responses import json_response
from emulator.http.versions import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

SKIPTOKEN = "$skiptoken"


class PageRequest(Struct, frozen=True):
    """What one list call asks for: how many items, after which keys, under which sort."""

    size: int = DEFAULT_PAGE_SIZE
    after: tuple[Any, ...] | None = None
    sort: str = ""


def page_size(ctx: ApiContext, *, declared: bool = True) -> int:
    """The page size the caller asked for in this api-version's parameter, or the default."""
    name = ctx.version.page_size_parameter
    text = ctx.request.query_params.get(name) if name and declared else None
    if text is None:
        return DEFAULT_PAGE_SIZE
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_PAGE_SIZE:
        raise BadRequest(
            f"{name} must be a whole number from 1 to {MAX_PAGE_SIZE}, not '{text}';"
            f" leave it out for pages of {DEFAULT_PAGE_SIZE}."
        )
    return int(text)


def page_request(ctx: ApiContext, *, sort: str = "", declared: bool = True) -> PageRequest:
    """Read the page size and `$skiptoken` of a list call made under `sort`.

    `declared` is False for operations whose spec declares no page-size parameter.
    """
    token = ctx.request.query_params.get(SKIPTOKEN)
    return PageRequest(page_size(ctx, declared=declared), _decode(token, sort), sort)


def _encode(sort: str, keys: tuple[Any, ...]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([sort, *keys])).decode().rstrip("=")


def _decode(token: str | None, sort: str) -> tuple[Any, ...] | None:
    if token is None:
        return None
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        data = None
    if not isinstance(data, list) or len(data) < 2 or data[0] != sort:
        raise BadRequest(
            f"The {SKIPTOKEN} '{token[:40]}' does not belong to this list; call the nextLink of"
            " the previous page unchanged (same filter and orderby), or drop the token to start"
            " over."
        )
    return tuple(data[1:])


async def keyset_page(
    conn: AsyncConnection,
    query: Select,
    *,
    keys: Sequence[ColumnElement[Any]],
    page: PageRequest,
    descending: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of `query` in `keys` order, and the token of the next page (None at the end)."""
    if page.after is not None:
        if len(page.after) != len(keys):
            raise BadRequest(
                f"The {SKIPTOKEN} does not belong to this list; start over without it."
            )
        left = tuple_(*keys) if len(keys) > 1 else keys[0]
        right = tuple_(*page.after) if len(keys) > 1 else page.after[0]
        query = query.where(left < right if descending else left > right)
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = (await conn.execute(query.order_by(*order).limit(page.size + 1))).all()
    if len(rows) <= page.size:
        return list(rows), None
    rows = rows[: page.size]
    last = rows[-1]._mapping
    return list(rows), _encode(page.sort, tuple(last[k] for k in keys))


def next_link(ctx: ApiContext, token: str | None) -> str | None:
    """The absolute URL of the next page: this request's own URL with the new token."""
    if token is None:
        return None
    url = ctx.request.url
    params = [(k, v) for k, v in ctx.request.query_params.multi_items() if k != SKIPTOKEN]
    params.append((SKIPTOKEN, token))
    return str(url.replace(query=urlencode(params, safe="$:;")))


def page_body(ctx: ApiContext, items: list[Any], token: str | None) -> dict[str, Any]:
    """`{"value": [...], "nextLink": ...}`, nextLink left out on the last page."""
    body: dict[str, Any] = {"value": items}
    link = next_link(ctx, token)
    if link is not None:
        body["nextLink"] = link
    return body


def page_response(ctx: ApiContext, items: list[Any], token: str | None) -> Response:
    """A page of a list as the API answers it."""
    return json_response(page_body(ctx, items, token))
