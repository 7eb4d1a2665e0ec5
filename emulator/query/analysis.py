"""Checks a parsed query against IoT Central's rules and resolves every name it uses."""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct, field
from msgspec.structs import replace

from emulator.query import ast, limits
from emulator.query.catalog import PROPERTY, TELEMETRY, Capability, Catalog

AGGREGATE_ONLY_RANGE_SECONDS = 30 * 86400  # aggregates without GROUP BY cover the last 30 days
DEVICE_FLAGS = ("$provisioned", "$simulated")


class Member(Struct, frozen=True):
    """A telemetry or property the query reads; `slot` numbers its pivoted columns."""

    capability: Capability
    slot: int


class Ref(Struct, frozen=True):
    """What a name in the query stands for: a device field, a member, or an aggregate output."""

    meta: str | None = None  # "$id", "$ts", "$provisioned", "$simulated"
    member: Member | None = None
    output: int | None = None  # index into Plan.outputs (aggregates only)


class Output(Struct, frozen=True):
    """One key of each result row."""

    key: str
    ref: Ref
    aggregate: str | None = None


class Compare(Struct, frozen=True):
    ref: Ref
    operator: str
    value: ast.Literal


class AnyOf(Struct, frozen=True):
    ref: Ref
    values: tuple[ast.Literal, ...]


class Junction(Struct, frozen=True):
    operator: str
    terms: tuple[Filter, ...]


Filter = Compare | AnyOf | Junction


class Plan(Struct):
    """Everything the compiler needs, with names resolved."""

    telemetry: bool
    template_ids: tuple[str, ...]
    members: list[Member] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    where: Filter | None = None
    device_filter: Filter | None = None  # the $id-only part of WHERE, applied early
    start: float | None = None
    end: float | None = None
    group_seconds: float | None = None
    aggregated: bool = False
    order: list[tuple[Ref, bool]] = field(default_factory=list)
    top: int | None = None

    @property
    def uses_device_flags(self) -> bool:
        refs = [o.ref for o in self.outputs] + [r for r, _ in self.order]
        refs += list(_filter_refs(self.where))
        return any(r.meta in DEVICE_FLAGS for r in refs)


def _filter_refs(condition: Filter | None) -> Iterator[Ref]:
    match condition:
        case None:
            return
        case Junction(terms=terms):
            for term in terms:
                yield from _filter_refs(term)
        case _:
            yield condition.ref


def _at(node: ast.Field | ast.Projection | ast.Window) -> str:
    return f"line {node.line}, column {node.column}"


class _Analyser:
    def __init__(self, query: ast.Query, catalog: Catalog) -> None:
        self.query = query
        self.catalog = catalog
        self.members: dict[tuple[str | None, str], Member] = {}
        self.aliases: dict[str, ast.Projection] = {
            p.alias: p for p in query.projections if p.alias is not None
        }

    def capability(self, name: ast.Field) -> Capability:
        found = self.catalog.lookup(name.path)
        if found is None:
            raise ast.QueryError(
                f"'{name.path}' at {_at(name)} is not a telemetry, property or cloud property of"
                f" device template '{self.query.source}', nor an alias in the SELECT list."
                " Names are case-sensitive; components are written component.name."
            )
        return found

    def member(self, capability: Capability) -> Member:
        key = (capability.component, capability.name)
        if key not in self.members:
            self.members[key] = Member(capability, len(self.members))
        return self.members[key]

    def kinds(self) -> set[str]:
        """Which kinds of data the query touches, from every name it uses."""
        q = self.query
        found: set[str] = set()
        if q.group_seconds is not None or any(p.aggregate for p in q.projections):
            found.add(TELEMETRY)
        for projection in q.projections:
            if projection.aggregate and projection.field is not None:
                self.aggregated_capability(projection)
        names = [p.field for p in q.projections if p.field is not None]
        names += [c.field for c in _leaves(q.where) if not isinstance(c, ast.Window)]
        names += [o.field for o in q.order]
        if any(isinstance(c, ast.Window) for c in _leaves(q.where)):
            found.add(TELEMETRY)
        for name in names:
            if name.path == "$ts":
                found.add(TELEMETRY)
            elif not name.is_meta and name.path not in self.aliases:
                capability = self.catalog.lookup(name.path)
                if capability is not None:
                    found.add(capability.kind)
        return found

    def resolve(self, name: ast.Field) -> Ref:
        """A name in WHERE or ORDER BY: a device field, an alias, or a capability."""
        if name.is_meta:
            return Ref(meta=name.path)
        projection = self.aliases.get(name.path)
        if projection is not None and projection.field is not None:
            if projection.aggregate:
                return Ref(output=self.output_index(projection.key))
            return self.resolve(projection.field)
        return Ref(member=self.member(self.capability(name)))

    def output_index(self, key: str) -> int:
        return next(i for i, o in enumerate(self.plan.outputs) if o.key == key)

    def run(self, now: float, retention_seconds: float) -> Plan:
        limits.check_shape(self.query)
        self.query = self.expand_wildcard(self.query)
        q = self.query
        kinds = self.kinds()
        if kinds == {TELEMETRY, PROPERTY}:
            raise ast.QueryError(
                "The query mixes telemetry and properties; a query selects and filters either"
                " telemetry or properties (reported and cloud), not both. Split it in two."
            )
        telemetry = TELEMETRY in kinds
        limits.check_top(q.top, telemetry)
        self.plan = Plan(telemetry, self.catalog.template_ids, top=q.top)
        self.plan.aggregated = any(p.aggregate for p in q.projections)
        self.plan.group_seconds = q.group_seconds
        if q.group_seconds is not None and not self.plan.aggregated:
            raise ast.QueryError(
                "GROUP BY WINDOW needs aggregates in the SELECT list, such as AVG(temperature)."
            )
        self.outputs()
        self.where(now, retention_seconds)
        self.order()
        self.plan.members = list(self.members.values())
        return self.plan

    def expand_wildcard(self, q: ast.Query) -> ast.Query:
        """`SELECT *`: $id, $ts and every telemetry of the template, as separate items."""
        star = next((p for p in q.projections if p.field is None), None)
        if star is None:
            return q
        if star.alias or len(q.projections) > 1:
            raise ast.QueryError(
                f"'*' at {_at(star)} stands alone in SELECT, without AS; list names instead to"
                " pick or rename them."
            )
        paths = ["$id", "$ts", *self.catalog.telemetry_paths()]
        items = tuple(
            ast.Projection(
                ast.Field(path, star.line, star.column), None, None, star.line, star.column
            )
            for path in paths
        )
        return replace(q, projections=items)

    def outputs(self) -> None:
        keys: set[str] = set()
        for projection in self.query.projections:
            if projection.alias and self.catalog.lookup(projection.alias) is not None:
                raise ast.QueryError(
                    f"The alias '{projection.alias}' at {_at(projection)} is the name of a"
                    " telemetry or property; choose an alias that is not."
                )
            if projection.key in keys:
                raise ast.QueryError(
                    f"Two SELECT items produce the key '{projection.key}'; give one an alias"
                    " with AS."
                )
            keys.add(projection.key)
            self.plan.outputs.append(self.output(projection))

    def output(self, projection: ast.Projection) -> Output:
        name = projection.field
        assert name is not None
        if projection.aggregate:
            capability = self.aggregated_capability(projection)
            return Output(projection.key, Ref(member=self.member(capability)), projection.aggregate)
        if name.is_meta:
            if self.plan.aggregated and name.path not in ("$id", "$ts"):
                raise ast.QueryError(
                    f"'{name.path}' at {_at(name)} cannot be selected with aggregates; only $id"
                    " and $ts can."
                )
            return Output(projection.key, Ref(meta=name.path))
        if self.plan.aggregated:
            raise ast.QueryError(
                f"'{name.path}' at {_at(name)} is selected beside aggregates; wrap it in one"
                " (AVG, SUM, MIN, MAX, COUNT, FIRST, LAST) or remove it."
            )
        return Output(projection.key, Ref(member=self.member(self.capability(name))))

    def aggregated_capability(self, projection: ast.Projection) -> Capability:
        """The telemetry inside an aggregate; meta fields and properties cannot be aggregated."""
        name = projection.field
        assert name is not None and projection.aggregate is not None
        capability = None if name.is_meta else self.capability(name)
        if capability is None or capability.kind != TELEMETRY:
            raise ast.QueryError(
                f"{projection.aggregate.upper()}({name.path}) at {_at(projection)}: only"
                " telemetry can be aggregated."
            )
        return capability

    def where(self, now: float, retention_seconds: float) -> None:
        condition = self.query.where
        terms = (
            condition.terms
            if isinstance(condition, ast.Logical) and condition.operator == "and"
            else (condition,)
        )
        windows = [t for t in terms if isinstance(t, ast.Window)]
        rest = [t for t in terms if t is not None and not isinstance(t, ast.Window)]
        for term in rest:
            for leaf in _leaves(term):
                if isinstance(leaf, ast.Window):
                    raise ast.QueryError(
                        f"WITHIN_WINDOW at {_at(leaf)} must be joined to the rest of WHERE with"
                        " AND, outside parentheses and OR."
                    )
        if len(windows) > 1:
            raise ast.QueryError(
                f"WITHIN_WINDOW at {_at(windows[1])} repeats; use one time window."
            )
        plan = self.plan
        if plan.telemetry:
            plan.end = now
            plan.start = now - retention_seconds
            if windows:
                window = windows[0]
                if window.seconds is not None:
                    plan.start = max(plan.start, now - window.seconds)
                else:
                    plan.start = max(plan.start, window.start)  # type: ignore[arg-type]
                    plan.end = min(now, window.end)  # type: ignore[arg-type]
            elif plan.aggregated and plan.group_seconds is None:
                plan.start = max(plan.start, now - AGGREGATE_ONLY_RANGE_SECONDS)
        filters = [self.filter(t) for t in rest]
        device_only = [f for f in filters if all(r.meta == "$id" for r in _filter_refs(f))]
        plan.device_filter = _join("and", device_only)
        plan.where = _join("and", [f for f in filters if f not in device_only])

    def filter(self, condition: ast.Condition) -> Filter:
        match condition:
            case ast.Logical(operator=operator, terms=terms):
                return Junction(operator, tuple(self.filter(t) for t in terms))
            case ast.Comparison(field=name, operator=operator, value=value):
                ref = self.filter_ref(name)
                _check_literal(ref, name, value)
                return Compare(ref, operator, value)
            case ast.Membership(field=name, values=values):
                ref = self.filter_ref(name)
                if ref.member is not None and ref.member.capability.kind == PROPERTY:
                    raise ast.QueryError(
                        f"IN at {_at(name)}: IN works with telemetry and $id only; compare"
                        " properties with = joined by OR."
                    )
                for value in values:
                    _check_literal(ref, name, value)
                if len({type(v) for v in values}) > 1:
                    raise ast.QueryError(
                        f"IN at {_at(name)} mixes strings and numbers; use one kind of value."
                    )
                return AnyOf(ref, values)
        raise AssertionError(condition)  # pragma: no cover

    def filter_ref(self, name: ast.Field) -> Ref:
        if name.path == "$ts":
            raise ast.QueryError(
                f"$ts at {_at(name)} cannot be compared; filter time with WITHIN_WINDOW(PT1H)"
                " or WITHIN_WINDOW('start/end')."
            )
        ref = self.resolve(name)
        if ref.output is not None:
            raise ast.QueryError(
                f"'{name.path}' at {_at(name)} names an aggregate; WHERE filters telemetry"
                " before it is aggregated, so compare the telemetry itself."
            )
        return ref

    def order(self) -> None:
        for item in self.query.order:
            ref = self.order_ref(item.field)
            self.plan.order.append((ref, item.descending))

    def order_ref(self, name: ast.Field) -> Ref:
        plan = self.plan
        if not plan.aggregated:
            return self.resolve(name)
        keys = [o.key for o in plan.outputs]
        if name.path in keys:
            index = keys.index(name.path)
            output = plan.outputs[index]
            return output.ref if output.aggregate is None else Ref(output=index)
        if name.path == "$ts" or (
            name.path == "$id" and Ref(meta="$id") in [o.ref for o in plan.outputs]
        ):
            return Ref(meta=name.path)
        raise ast.QueryError(
            f"ORDER BY '{name.path}' at {_at(name)}: an aggregate query sorts by $ts, a selected"
            f" $id, or one of its result keys ({', '.join(keys)})."
        )


def _leaves(condition: ast.Condition | None) -> Iterator[ast.Condition]:
    match condition:
        case None:
            return
        case ast.Logical(terms=terms):
            for term in terms:
                yield from _leaves(term)
        case _:
            yield condition


def _join(operator: str, filters: list[Filter]) -> Filter | None:
    if not filters:
        return None
    return filters[0] if len(filters) == 1 else Junction(operator, tuple(filters))


def _check_literal(ref: Ref, name: ast.Field, value: ast.Literal) -> None:
    if ref.meta == "$id" and not isinstance(value, str):
        raise ast.QueryError(f"$id at {_at(name)} is a string; quote the device id: $id = 'dev-1'.")
    if ref.meta in DEVICE_FLAGS and not isinstance(value, bool):
        raise ast.QueryError(f"{ref.meta} at {_at(name)} is true or false; compare it with those.")


def analyse(query: ast.Query, catalog: Catalog, *, now: float, retention_seconds: float) -> Plan:
    """The resolved plan of a query, or QueryError naming what breaks IoT Central's rules."""
    return _Analyser(query, catalog).run(now, retention_seconds)
