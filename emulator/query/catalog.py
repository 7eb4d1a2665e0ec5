"""What a FROM clause names: the templates, and which names are telemetry or properties."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from emulator.device_templates.capabilities import (
    CapabilityIndex,
    Component,
    Property,
    Schema,
    Telemetry,
)

TELEMETRY = "telemetry"
PROPERTY = "property"


@dataclass(frozen=True)
class Capability:
    """A telemetry or (reported or cloud) property a query can name."""

    kind: str
    component: str | None
    name: str


class Catalog:
    """Names offered by every template a FROM clause matched (one id, or all of a model)."""

    def __init__(self, template_ids: Iterable[str], indexes: Iterable[CapabilityIndex]) -> None:
        self.template_ids = tuple(template_ids)
        self._by_path: dict[str, Capability] = {}
        for index in indexes:
            self._add(index.root)
            for component in index.components.values():
                self._add(component)

    def _add(self, component: Component) -> None:
        prefix = f"{component.name}." if component.name else ""
        for name in component.telemetry:
            self._by_path[prefix + name] = Capability(TELEMETRY, component.name, name)
        for name in component.properties:
            self._by_path[prefix + name] = Capability(PROPERTY, component.name, name)

    def lookup(self, path: str) -> Capability | None:
        """The capability at `name` or `component.name`, if the templates define it."""
        return self._by_path.get(path)


def _types(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type", [])
    return [kinds] if isinstance(kinds, str) else list(kinds)


def _interface(node: dict[str, Any], name: str | None) -> Component:
    """A component from an inline interface: its telemetry and properties (and extends)."""
    contents = list(node.get("contents", []))
    extends = node.get("extends", [])
    for parent in extends if isinstance(extends, list) else [extends]:
        if isinstance(parent, dict):
            contents.extend(parent.get("contents", []))
    telemetry, properties = {}, {}
    for item in contents:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        kinds = _types(item)
        schema = Schema(item["schema"] if isinstance(item.get("schema"), str) else "object")
        if "Telemetry" in kinds:
            telemetry[item["name"]] = Telemetry(item["name"], schema)
        elif "Property" in kinds or "CloudProperty" in kinds:
            properties[item["name"]] = Property(
                item["name"], schema, cloud="CloudProperty" in kinds
            )
    return Component(name, str(node.get("@id", "")), telemetry=telemetry, properties=properties)


def capability_index(template: dict[str, Any]) -> CapabilityIndex:
    """The capability index of a stored device template whose components are inline."""
    model = template.get("capabilityModel") or {}
    components = {}
    for item in model.get("contents", []):
        if isinstance(item, dict) and "Component" in _types(item):
            schema = item.get("schema")
            body = schema if isinstance(schema, dict) else {"@id": schema}
            components[item["name"]] = _interface(body, item["name"])
    root = _interface(model, None)
    return CapabilityIndex(root.interface_id, root, components)
