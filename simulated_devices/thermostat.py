"""The thermostat of the public PnP samples: a temperature that drifts toward its target."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from emulator.device_templates.capabilities import Component
from emulator.runtime.clock import iso_from_timestamp
from simulated_devices.behaviour import Ack, HistoryReader, Reply, Slot

THERMOSTAT_IDS = frozenset({"dtmi:com:example:Thermostat;1", "dtmi:com:example:Thermostat;2"})
DEFAULT_TARGET = 21.0
PULL = 0.1  # share of the gap to the target closed at each reading
NOISE = 0.3  # standard deviation of the noise added to each reading, in °C


def _parse_since(request: Any) -> float | None:
    """`since` as epoch seconds; the request is the dateTime itself or {"since": ...}."""
    if isinstance(request, dict):
        request = request.get("since")
    if request is None:
        return 0.0
    if not isinstance(request, str):
        return None
    try:
        return datetime.fromisoformat(request.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class ThermostatPart:
    """Sends `temperature`, reports `maxTempSinceLastReboot`, takes `targetTemperature`."""

    __slots__ = ("rng", "temperature", "target", "max_temp", "_max_reported")

    def __init__(self, component: Component, rng: random.Random) -> None:
        self.rng = rng
        self.temperature = round(rng.uniform(15.0, 30.0), 2)
        self.target = DEFAULT_TARGET
        self.max_temp = self.temperature
        self._max_reported: float | None = None

    def telemetry(self, now: float) -> dict[str, Any]:
        drift = (self.target - self.temperature) * PULL + self.rng.gauss(0.0, NOISE)
        self.temperature = round(self.temperature + drift, 2)
        self.max_temp = max(self.max_temp, self.temperature)
        return {"temperature": self.temperature}

    def reported(self, now: float, *, initial: bool) -> dict[str, Any]:
        if not initial and self.max_temp == self._max_reported:
            return {}
        self._max_reported = self.max_temp
        return {"maxTempSinceLastReboot": self.max_temp}

    def desired(self, name: str, value: Any, now: float) -> Ack:
        if name != "targetTemperature":
            return Ack(400, f"{name} is not a writable property of the thermostat", None)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Ack(400, "targetTemperature must be a number", self.target)
        self.target = float(value)
        return Ack(200, "completed", value)

    def reboot(self) -> None:
        """Forget the extremes, as a restarted device does."""
        self.max_temp = self.temperature

    async def command(
        self, name: str, request: Any, now: float, history: HistoryReader, slot: Slot
    ) -> Reply:
        if name != "getMaxMinReport":
            return Reply(404, {"message": f"unknown command {name}"})
        since = _parse_since(request)
        if since is None:
            return Reply(400, {"message": "since must be an RFC 3339 date-time"})
        points = await history(slot, "temperature", since)
        if not points:
            return Reply(404, {"message": f"no temperature sent since {iso_from_timestamp(since)}"})
        values = [float(v) for _, v in points]
        return Reply(
            200,
            {
                "maxTemp": max(values),
                "minTemp": min(values),
                "avgTemp": sum(values) / len(values),
                "startTime": iso_from_timestamp(points[0][0]),
                "endTime": iso_from_timestamp(points[-1][0]),
            },
        )
