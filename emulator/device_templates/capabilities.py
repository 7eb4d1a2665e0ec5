"""The capability index: what a device template's model offers, per component.

Devices, simulation, properties, commands, jobs and queries all read templates through this
index; `dtdl.parse_capability_model` builds it from a template's `capabilityModel`.
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field


class Schema(Struct, frozen=True):
    """A DTDL schema, normalised.

    kind is a DTDL primitive (boolean, date, dateTime, double, duration, float, integer, long,
    string, time), a geospatial/vector kind (point, geopoint, vector), or a complex kind
    (object, map, enum, array).
    """

    kind: str
    fields: tuple[SchemaField, ...] = ()  # object
    map_key: Schema | None = None  # map
    map_value: Schema | None = None  # map
    element: Schema | None = None  # array
    enum_values: tuple[EnumValue, ...] = ()  # enum
    enum_value_kind: str | None = None  # enum: "integer" or "string"


class SchemaField(Struct, frozen=True):
    name: str
    schema: Schema


class EnumValue(Struct, frozen=True):
    name: str
    value: int | str


class Telemetry(Struct, frozen=True):
    name: str
    schema: Schema
    display_name: str | None = None
    semantic_types: tuple[str, ...] = ()
    unit: str | None = None


class Property(Struct, frozen=True):
    """A device property (writable or read-only) or an IoT Central cloud property."""

    name: str
    schema: Schema
    writable: bool = False
    cloud: bool = False
    display_name: str | None = None
    semantic_types: tuple[str, ...] = ()
    unit: str | None = None


class CommandPayload(Struct, frozen=True):
    name: str
    schema: Schema


class Command(Struct, frozen=True):
    name: str
    request: CommandPayload | None = None
    response: CommandPayload | None = None
    display_name: str | None = None


class Component(Struct, frozen=True):
    """One interface instance: the root (name None) or a named component."""

    name: str | None
    interface_id: str
    display_name: str | None = None
    description: str | None = None
    telemetry: dict[str, Telemetry] = field(default_factory=dict)
    properties: dict[str, Property] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)

    @property
    def writable_properties(self) -> dict[str, Property]:
        return {n: p for n, p in self.properties.items() if p.writable and not p.cloud}

    @property
    def cloud_properties(self) -> dict[str, Property]:
        return {n: p for n, p in self.properties.items() if p.cloud}


class Module(Struct, frozen=True):
    """An IoT Edge module of a template, with its own root and components."""

    name: str
    root: Component
    components: dict[str, Component] = field(default_factory=dict)


class CapabilityIndex(Struct, frozen=True):
    """Everything a template's model offers."""

    model_id: str
    root: Component
    components: dict[str, Component] = field(default_factory=dict)
    modules: dict[str, Module] = field(default_factory=dict)

    def component(self, name: str | None, module: str | None = None) -> Component | None:
        """The root (name None) or a named component, of the device or of one of its modules."""
        if module is not None:
            mod = self.modules.get(module)
            if mod is None:
                return None
            return mod.root if name is None else mod.components.get(name)
        return self.root if name is None else self.components.get(name)

    def split_path(self, path: str) -> tuple[str | None, str]:
        """`thermostat1.targetTemperature` -> ("thermostat1", "targetTemperature")."""
        if "." in path:
            component, name = path.split(".", 1)
            if component in self.components:
                return component, name
        return None, path

    def interface_ids(self) -> set[str]:
        """Every interface id used by the root and the components."""
        ids = {self.root.interface_id}
        ids.update(c.interface_id for c in self.components.values())
        return ids


JsonValue = Any
