"""The query parameters of a list call (page size, token, filter, orderby) read in one go."""

from __future__ import annotations

from msgspec import Struct

from emulator.http.context import ApiContext
from emulator.http.filters import Condition, Ordering, parse_filter, parse_orderby
from emulator.http.paging import PageRequest, page_request


class ListQuery(Struct, frozen=True):
    page: PageRequest
    ordering: Ordering
    condition: Condition | None


def list_query(
    ctx: ApiContext,
    *,
    orderable: tuple[str, ...] = ("id", "displayName"),
    default_order: str = "id",
    filterable: bool = True,
) -> ListQuery:
    """Page, order and filter of a list call, under the names this api-version uses."""
    params = ctx.request.query_params
    order_name = ctx.version.orderby_parameter
    ordering = parse_orderby(
        params.get(order_name) if order_name and filterable else None, orderable, default_order
    )
    filter_name = ctx.version.filter_parameter
    text = params.get(filter_name) if filter_name and filterable else None
    condition = parse_filter(text) if text and text.strip() else None
    return ListQuery(page_request(ctx, sort=ordering.token), ordering, condition)
