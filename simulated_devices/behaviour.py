"""What a simulated device does: the parts each interface plays and the device that joins them.

A behaviour never touches HTTP or SQL. It is given the device's capability index and a seeded
random source; every call receives the emulated time, so the same seed replays the same values.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from msgspec import Struct

from emulator.device_templates.capabilities import CapabilityIndex, Component

DEFAULT_TELEMETRY_INTERVAL = 5.0


class Slot(Struct, frozen=True):
    """Where a capability lives: a module (None for the device) and a component (None: root)."""

    module: str | None = None
    component: str | None = None


ROOT = Slot()


class Reading(Struct, frozen=True):
    """One value a device sends (telemetry) or reports (a read-only property)."""

    slot: Slot
    name: str
    value: Any


class Ack(Struct, frozen=True):
    """A device's answer to a desired value: PnP ack code, description, the value it now holds."""

    code: int
    description: str
    value: Any


class Reply(Struct, frozen=True):
    """A device's answer to a command: an HTTP-like status and a payload."""

    code: int
    payload: Any = None


# Points a device sent for one telemetry since a moment: [(timestamp, value), ...], oldest first.
HistoryReader = Callable[[Slot, str, float], Awaitable[list[tuple[float, Any]]]]


class Part(Protocol):
    """The behaviour of one interface instance (the root or a component) of a device."""

    def telemetry(self, now: float) -> dict[str, Any]:
        """Values to send at this tick."""
        ...

    def reported(self, now: float, *, initial: bool) -> dict[str, Any]:
        """Read-only property values to report: all of them when initial, else what changed."""
        ...

    def desired(self, name: str, value: Any, now: float) -> Ack:
        """Apply a desired property value and say how it went."""
        ...

    async def command(
        self, name: str, request: Any, now: float, history: HistoryReader, slot: Slot
    ) -> Reply:
        """Answer a command."""
        ...


PartFactory = Callable[[Component, random.Random], Part]


class DeviceBehaviour:
    """A device made of one part per interface instance, found by slot."""

    __slots__ = ("parts", "interval")

    def __init__(
        self, parts: dict[Slot, Part], interval: float = DEFAULT_TELEMETRY_INTERVAL
    ) -> None:
        self.parts = parts
        self.interval = interval

    def tick(self, now: float) -> tuple[list[Reading], list[Reading]]:
        """Telemetry sent and read-only properties changed at this tick."""
        sent: list[Reading] = []
        changed: list[Reading] = []
        for slot, part in self.parts.items():
            for name, value in part.telemetry(now).items():
                sent.append(Reading(slot, name, value))
            for name, value in part.reported(now, initial=False).items():
                changed.append(Reading(slot, name, value))
        return sent, changed

    def boot(self, now: float) -> list[Reading]:
        """Every read-only property, reported when the device connects."""
        return [
            Reading(slot, name, value)
            for slot, part in self.parts.items()
            for name, value in part.reported(now, initial=True).items()
        ]

    def desired(self, slot: Slot, name: str, value: Any, now: float) -> Ack:
        part = self.parts.get(slot)
        if part is None:
            return Ack(400, f"no component at {slot}", None)
        return part.desired(name, value, now)

    async def command(
        self, slot: Slot, name: str, request: Any, now: float, history: HistoryReader
    ) -> Reply:
        part = self.parts.get(slot)
        if part is None:
            return Reply(404, {"message": f"no component at {slot}"})
        return await part.command(name, request, now, history, slot)


def slots_of(index: CapabilityIndex) -> dict[Slot, Component]:
    """Every interface instance of a model: root, components, module roots and their components."""
    found = {ROOT: index.root}
    found.update({Slot(None, name): c for name, c in index.components.items()})
    for module_name, module in index.modules.items():
        found[Slot(module_name, None)] = module.root
        found.update({Slot(module_name, name): c for name, c in module.components.items()})
    return found
