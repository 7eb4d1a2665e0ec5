"""What a FROM clause names: the templates, and which names are telemetry or properties."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct

from emulator.device_templates.capabilities import CapabilityIndex, Component

TELEMETRY = "telemetry"
PROPERTY = "property"


class Capability(Struct, frozen=True):
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

    def telemetry_paths(self) -> list[str]:
        """Every telemetry name (`component.name` inside components), in model order."""
        return [path for path, c in self._by_path.items() if c.kind == TELEMETRY]

    def lookup(self, path: str) -> Capability | None:
        """The capability at `name` or `component.name`, if the templates define it."""
        return self._by_path.get(path)
