"""Behaviour generated from the capability model, for interfaces without a dedicated one."""

from __future__ import annotations

import random
from typing import Any

from emulator.device_templates.capabilities import Component
from simulated_devices.behaviour import Ack, HistoryReader, Reply, Slot
from simulated_devices.values import random_value


class GenericPart:
    """Sends every telemetry, reports every read-only property once, accepts every write."""

    __slots__ = ("component", "rng")

    def __init__(self, component: Component, rng: random.Random) -> None:
        self.component = component
        self.rng = rng

    def telemetry(self, now: float) -> dict[str, Any]:
        return {
            name: random_value(t.schema, self.rng, now)
            for name, t in self.component.telemetry.items()
        }

    def reported(self, now: float, *, initial: bool) -> dict[str, Any]:
        if not initial:
            return {}
        return {
            name: random_value(p.schema, self.rng, now)
            for name, p in self.component.properties.items()
            if not p.writable and not p.cloud
        }

    def desired(self, name: str, value: Any, now: float) -> Ack:
        return Ack(200, "completed", value)

    async def command(
        self, name: str, request: Any, now: float, history: HistoryReader, slot: Slot
    ) -> Reply:
        command = self.component.commands.get(name)
        if command is None:
            return Reply(404, {"message": f"unknown command {name}"})
        if command.response is None:
            return Reply(200)
        return Reply(200, random_value(command.response.schema, self.rng, now))
