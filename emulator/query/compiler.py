"""Plan to SQLAlchemy Core: one parameterized SELECT over telemetry or property state.

Both kinds first pivot storage into one row per message (telemetry: device and timestamp) or per
device (properties), with two columns per member: `v<slot>` the JSON value and `n<slot>` its
number, when it is one. Filters, aggregation, order and TOP then apply to that pivot.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)

from emulator.devices.tables import devices
from emulator.properties.tables import device_properties
from emulator.query import ast
from emulator.query.analysis import (
    AnyOf,
    Compare,
    Filter,
    Junction,
    Member,
    Plan,
    Ref,
)
from emulator.telemetry.tables import telemetry

# FIRST/LAST pick the value at the earliest/latest timestamp of a group: the timestamp, printed
# to a fixed width, prefixes the JSON value, so MIN/MAX of the pair orders by time.
_TS_WIDTH = 18
_TS_FORMAT = f"%0{_TS_WIDTH}.6f"

_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _json_number(value: ColumnElement) -> ColumnElement:
    return case((func.json_type(value).in_(("integer", "real")), func.json_extract(value, "$")))


def _json_text(value: ColumnElement) -> ColumnElement:
    return case((func.json_type(value) == "text", func.json_extract(value, "$")))


def _visible_devices(app_id: str, organizations: Collection[str] | None) -> ColumnElement:
    return (
        select(devices.c.id)
        .where(devices.c.app_id == app_id, devices.c.organization.in_(organizations or ()))
        .scalar_subquery()
    )


def _telemetry_pivot(plan: Plan, app_id: str, organizations: Collection[str] | None) -> Subquery:
    t = telemetry
    matches = []
    columns: list[ColumnElement] = [t.c.device_id.label("device_id"), t.c.ts.label("ts")]
    for member in plan.members:
        capability = member.capability
        component = (
            t.c.component.is_(None)
            if capability.component is None
            else t.c.component == capability.component
        )
        match = and_(component, t.c.name == capability.name)
        matches.append(match)
        columns.append(func.max(case((match, t.c.value))).label(f"v{member.slot}"))
        columns.append(func.max(case((match, t.c.num))).label(f"n{member.slot}"))
    source = t
    if plan.uses_device_flags:
        source = t.join(
            devices, and_(devices.c.app_id == t.c.app_id, devices.c.id == t.c.device_id)
        )
        columns.append(func.max(devices.c.simulated).label("simulated"))
        columns.append(func.max(devices.c.provisioned).label("provisioned"))
    conditions = [
        t.c.app_id == app_id,
        t.c.template.in_(plan.template_ids),
        t.c.module.is_(None),  # the language has no syntax for IoT Edge modules' telemetry
        t.c.ts >= plan.start,
        t.c.ts <= plan.end,
    ]
    if matches:
        conditions.append(or_(*matches))
    if plan.device_filter is not None:
        conditions.append(_filter(plan.device_filter, {"$id": t.c.device_id}, None))
    if organizations is not None:
        conditions.append(t.c.device_id.in_(_visible_devices(app_id, organizations)))
    return (
        select(*columns)
        .select_from(source)
        .where(*conditions)
        .group_by(t.c.ts, t.c.device_id)  # time first: cheaper to group in index order
        .subquery("messages")
    )


def _property_pivot(plan: Plan, app_id: str, organizations: Collection[str] | None) -> Subquery:
    d, p = devices, device_properties
    matches = []
    columns: list[ColumnElement] = [
        d.c.id.label("device_id"),
        d.c.simulated.label("simulated"),
        d.c.provisioned.label("provisioned"),
    ]
    for member in plan.members:
        capability = member.capability
        match = and_(p.c.component == (capability.component or ""), p.c.name == capability.name)
        matches.append(match)
        value = func.max(case((match, p.c.reported)))
        columns.append(value.label(f"v{member.slot}"))
        columns.append(_json_number(value).label(f"n{member.slot}"))
    joined = d.outerjoin(
        p,
        and_(
            p.c.app_id == d.c.app_id,
            p.c.device_id == d.c.id,
            p.c.module == "",
            or_(*matches) if matches else false(),
        ),
    )
    conditions = [d.c.app_id == app_id, d.c.template.in_(plan.template_ids)]
    if plan.device_filter is not None:
        conditions.append(_filter(plan.device_filter, {"$id": d.c.id}, None))
    if organizations is not None:
        conditions.append(d.c.organization.in_(organizations))
    return (
        select(*columns)
        .select_from(joined)
        .where(*conditions)
        .group_by(d.c.id, d.c.simulated, d.c.provisioned)
        .subquery("devices_pivot")
    )


def _meta_columns(pivot: Subquery) -> dict[str, ColumnElement]:
    columns = {"$id": pivot.c.device_id}
    if "ts" in pivot.c:
        columns["$ts"] = pivot.c.ts
    if "simulated" in pivot.c:
        columns["$simulated"] = pivot.c.simulated
        columns["$provisioned"] = pivot.c.provisioned
    return columns


def _member_columns(pivot: Subquery | None, member: Member) -> tuple[ColumnElement, ColumnElement]:
    assert pivot is not None
    return pivot.c[f"v{member.slot}"], pivot.c[f"n{member.slot}"]


def _filter(
    condition: Filter, meta: dict[str, ColumnElement], pivot: Subquery | None
) -> ColumnElement:
    match condition:
        case Junction(operator="and", terms=terms):
            return and_(*(_filter(t, meta, pivot) for t in terms))
        case Junction(terms=terms):
            return or_(*(_filter(t, meta, pivot) for t in terms))
        case Compare(ref=ref, operator=operator, value=value):
            return _COMPARE[operator](_operand(ref, value, meta, pivot), value)
        case AnyOf(ref=ref, values=values):
            return _operand(ref, values[0], meta, pivot).in_(values)
    raise AssertionError(condition)  # pragma: no cover


def _operand(
    ref: Ref, value: ast.Literal, meta: dict[str, ColumnElement], pivot: Subquery | None
) -> ColumnElement:
    """The SQL side of a comparison, typed by the literal it is compared with."""
    if ref.meta is not None:
        return meta[ref.meta]
    assert ref.member is not None
    json_value, number = _member_columns(pivot, ref.member)
    if isinstance(value, bool):
        return case((json_value == "true", 1), (json_value == "false", 0))
    if isinstance(value, int | float):
        return number
    return _json_text(json_value)


def _aggregate(function: str, member: Member, pivot: Subquery) -> ColumnElement:
    json_value, number = _member_columns(pivot, member)
    if function in ("first", "last"):
        stamped = func.printf(_TS_FORMAT, pivot.c.ts, type_=String) + json_value
        pick = func.min if function == "first" else func.max
        return func.substr(pick(stamped), _TS_WIDTH + 1)
    if function == "count":
        return func.count(json_value)
    return getattr(func, function)(number)


def _order_columns(
    ref: Ref, meta: dict[str, ColumnElement], pivot: Subquery
) -> list[ColumnElement]:
    if ref.meta is not None:
        return [meta[ref.meta]]
    assert ref.member is not None
    json_value, number = _member_columns(pivot, ref.member)
    return [number, json_value]


def compile_plan(
    plan: Plan, *, app_id: str, organizations: Collection[str] | None, row_limit: int
) -> Select:
    """The statement answering the plan; `organizations` None means every device is visible."""
    if plan.telemetry:
        pivot = _telemetry_pivot(plan, app_id, organizations)
    else:
        pivot = _property_pivot(plan, app_id, organizations)
    meta = _meta_columns(pivot)
    limit = plan.top if plan.top is not None else row_limit + 1
    if not plan.aggregated:
        statement = select(pivot)
        if plan.where is not None:
            statement = statement.where(_filter(plan.where, meta, pivot))
        order = [
            c.desc() if desc else c
            for ref, desc in plan.order
            for c in _order_columns(ref, meta, pivot)
        ]
        tiebreak = [pivot.c.ts, pivot.c.device_id] if plan.telemetry else [pivot.c.device_id]
        return statement.order_by(*order, *tiebreak).limit(limit)
    return _aggregated(plan, pivot, meta, limit)


def _aggregated(plan: Plan, pivot: Subquery, meta: dict[str, ColumnElement], limit: int) -> Select:
    if plan.group_seconds is not None:
        width = plan.group_seconds
        bucket: ColumnElement = (cast(pivot.c.ts / width, Integer) * width).label("bucket")
    else:
        bucket = literal(plan.start).label("bucket")
    columns: list[ColumnElement] = [bucket, func.count().label("messages")]
    groups: list[ColumnElement] = [bucket] if plan.group_seconds is not None else []
    by_device = any(o.ref.meta == "$id" for o in plan.outputs)
    if by_device:
        columns.append(pivot.c.device_id)
        groups.append(pivot.c.device_id)
    aggregates: dict[int, ColumnElement] = {}
    for index, output in enumerate(plan.outputs):
        if output.aggregate is not None:
            assert output.ref.member is not None
            function = _aggregate(output.aggregate, output.ref.member, pivot)
            aggregates[index] = function.label(f"a{index}")
    columns.extend(aggregates.values())
    statement = select(*columns)
    if plan.where is not None:
        statement = statement.where(_filter(plan.where, meta, pivot))
    if groups:
        statement = statement.group_by(*groups)
    keyed = {"$ts": bucket, "$id": pivot.c.device_id}
    order = []
    for ref, descending in plan.order:
        column = keyed[ref.meta] if ref.meta is not None else aggregates[ref.output]  # type: ignore[index]
        order.append(column.desc() if descending else column)
    if not plan.order:
        order.append(bucket.desc())
    if by_device:
        order.append(pivot.c.device_id)
    return statement.order_by(*order).limit(limit)
