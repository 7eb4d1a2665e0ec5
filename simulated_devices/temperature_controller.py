"""The temperature controller of the public PnP samples: two thermostats and a reboot command."""

from __future__ import annotations

import random
from typing import Any

from emulator.device_templates.capabilities import Component
from simulated_devices.behaviour import Ack, HistoryReader, Reply, Slot
from simulated_devices.thermostat import ThermostatPart

CONTROLLER_IDS = frozenset(
    {"dtmi:com:example:TemperatureController;1", "dtmi:com:example:TemperatureController;2"}
)


class ControllerPart:
    """The controller's root: `workingSet` telemetry, `serialNumber`, and `reboot`."""

    __slots__ = ("rng", "serial_number", "working_set", "thermostats")

    def __init__(self, component: Component, rng: random.Random) -> None:
        self.rng = rng
        self.serial_number = f"SN-{rng.getrandbits(40):010X}"
        self.working_set = round(rng.uniform(2000.0, 6000.0), 1)
        self.thermostats: list[ThermostatPart] = []

    def telemetry(self, now: float) -> dict[str, Any]:
        step = self.working_set + self.rng.gauss(0.0, 50.0)
        self.working_set = round(min(16000.0, max(500.0, step)), 1)
        return {"workingSet": self.working_set}

    def reported(self, now: float, *, initial: bool) -> dict[str, Any]:
        return {"serialNumber": self.serial_number} if initial else {}

    def desired(self, name: str, value: Any, now: float) -> Ack:
        return Ack(400, f"{name} is not a writable property of the controller", None)

    async def command(
        self, name: str, request: Any, now: float, history: HistoryReader, slot: Slot
    ) -> Reply:
        if name != "reboot":
            return Reply(404, {"message": f"unknown command {name}"})
        for thermostat in self.thermostats:
            thermostat.reboot()
        return Reply(200)
