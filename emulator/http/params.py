"""Request parts many routers take: a JSON object body, `If-Match`, the caller's organizations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Header

from emulator.http.context import ApiContext

JsonBody = Annotated[dict[str, Any], Body()]
IfMatch = Annotated[str | None, Header(alias="If-Match")]


def visible_organizations(ctx: ApiContext) -> frozenset[str] | None:
    """Organizations whose devices the caller sees; None for the whole application."""
    return ctx.runtime.auth.visible_organizations(ctx.principal, ctx.app)
