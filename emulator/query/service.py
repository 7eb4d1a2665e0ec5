"""Running a query: parse, check, resolve against the FROM template, compile, execute, shape."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.engine import Row

from emulator.applications.service import Application
from emulator.device_templates.service import get_capabilities
from emulator.device_templates.tables import device_templates
from emulator.http.errors import BadRequest
from emulator.query import ast, limits
from emulator.query.analysis import Plan, analyse
from emulator.query.catalog import Catalog
from emulator.query.compiler import compile_plan
from emulator.query.parser import parse
from emulator.runtime.clock import iso_from_timestamp
from emulator.runtime.core import Runtime

DAY_SECONDS = 86400


def render_timestamp(ts: float) -> str:
    """`$ts` as IoT Central writes it: UTC, trailing zeros of the fraction dropped."""
    text = iso_from_timestamp(ts)
    whole, fraction = text[:-1].split(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}Z" if fraction else f"{whole}Z"


async def _catalog(runtime: Runtime, app_id: str, source: str) -> Catalog:
    """The templates FROM names: the one with that id, else every one with that model id."""
    t = device_templates
    async with runtime.db.read() as conn:
        rows = (
            await conn.execute(
                select(t.c.id).where(
                    t.c.app_id == app_id, or_(t.c.id == source, t.c.model_id == source)
                )
            )
        ).all()
    ids = [r.id for r in rows if r.id == source] or [r.id for r in rows]
    indexes = [await get_capabilities(runtime, app_id=app_id, template_id=i) for i in ids]
    found = [(i, index) for i, index in zip(ids, indexes, strict=True) if index is not None]
    if not found:
        raise BadRequest(
            f"FROM names '{source}', which is neither a device template id nor the model id of"
            " a template in this application. List templates with GET /api/deviceTemplates."
        )
    return Catalog([i for i, _ in found], [index for _, index in found])


def _decode(value: str | None) -> Any:
    return None if value is None else orjson.loads(value)


def _shape(plan: Plan, row: Row) -> dict[str, Any]:
    result: dict[str, Any] = {}
    fields = row._mapping
    if plan.aggregated:
        result["$ts"] = render_timestamp(fields["bucket"])
    for index, output in enumerate(plan.outputs):
        ref = output.ref
        if output.aggregate in ("first", "last"):
            value = _decode(fields[f"a{index}"])
        elif output.aggregate is not None:
            value = fields[f"a{index}"]
        elif ref.meta == "$ts":
            value = result["$ts"] if plan.aggregated else render_timestamp(fields["ts"])
        elif ref.meta == "$id":
            value = fields["device_id"]
        elif ref.meta is not None:
            value = bool(fields[ref.meta.lstrip("$")])
        else:
            assert ref.member is not None
            value = _decode(fields[f"v{ref.member.slot}"])
        result[output.key] = value
    return result


async def run(
    *, runtime: Runtime, app: Application, text: str, organizations: Collection[str] | None
) -> list[dict[str, Any]]:
    """The rows of one query, or BadRequest saying what is wrong with it and how to fix it."""
    try:
        limits.check_text(text)
        query = parse(text)
        catalog = await _catalog(runtime, app.id, query.source)
        plan = analyse(
            query,
            catalog,
            now=runtime.clock.timestamp(),
            retention_seconds=runtime.settings.telemetry_retention_days * DAY_SECONDS,
        )
        statement = compile_plan(
            plan,
            app_id=app.id,
            organizations=organizations,
            row_limit=limits.row_limit(plan.telemetry),
        )
        await runtime.batches.flush()  # points and reports still buffered are part of the answer
        async with runtime.db.read() as conn:
            rows = (await conn.execute(statement)).all()
        if plan.aggregated:
            rows = [r for r in rows if r.messages]
        limits.check_rows(len(rows), plan.telemetry)
    except ast.QueryError as exc:
        raise BadRequest(str(exc)) from None
    return [_shape(plan, row) for row in rows]
