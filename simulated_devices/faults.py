"""Fault profiles: make a simulated device slow, wrong, silent or offline, repeatably."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from msgspec import Struct

from simulated_devices.behaviour import Ack, Reply

DEFAULT_ACK_DELAY = 2.0
FAILURE_CODE = 500
MAX_DELAY = 3600.0


class FaultProfile(Struct, frozen=True):
    """What to change in a device's behaviour; the defaults change nothing."""

    connected: bool = True
    command_response_code: int | None = None
    command_latency: float = 0.0
    property_ack_code: int | None = None
    property_ack_delay: float = DEFAULT_ACK_DELAY
    telemetry_interval: float | None = None
    failure_rate: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {_camel(name): getattr(self, name) for name in self.__struct_fields__}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


_NAMES = {_camel(name) for name in FaultProfile.__struct_fields__}


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _code(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValueError(f"{name} must be an HTTP-like status code from 100 to 599, not {value!r}")
    return value


def parse_profile(body: Any) -> FaultProfile:
    """A profile from its JSON form; ValueError says which field is wrong and what fits."""
    if not isinstance(body, dict):
        raise ValueError('a fault profile is a JSON object such as {"connected": false}')
    unknown = sorted(set(body) - _NAMES)
    if unknown:
        raise ValueError(f"unknown fields {unknown}; the fields are {sorted(_NAMES)}")
    connected = body.get("connected", True)
    if not isinstance(connected, bool):
        raise ValueError(f"connected must be true or false, not {connected!r}")
    ack_delay = _number(body, "propertyAckDelay", 0, MAX_DELAY)
    return FaultProfile(
        connected=connected,
        command_response_code=_code(body, "commandResponseCode"),
        command_latency=_number(body, "commandLatency", 0, MAX_DELAY) or 0.0,
        property_ack_code=_code(body, "propertyAckCode"),
        property_ack_delay=DEFAULT_ACK_DELAY if ack_delay is None else ack_delay,
        telemetry_interval=_number(body, "telemetryInterval", 1, 86400),
        failure_rate=_number(body, "failureRate", 0, 1) or 0.0,
    )


class Faults:
    """A profile plus the seeded source that decides which calls fail under `failureRate`."""

    __slots__ = ("profile", "rng")

    def __init__(self, profile: FaultProfile, rng: random.Random) -> None:
        self.profile = profile
        self.rng = rng

    def _fails(self) -> bool:
        rate = self.profile.failure_rate
        return rate > 0 and self.rng.random() < rate

    async def command(self, answer: Callable[[], Awaitable[Reply]]) -> Reply:
        """The reply the caller sees: a drawn failure (the device does nothing), else the
        device's answer, with the forced response code if there is one."""
        if self._fails():
            return Reply(FAILURE_CODE, {"message": "simulated failure (failureRate)"})
        reply = await answer()
        code = self.profile.command_response_code
        return reply if code is None else Reply(code, reply.payload)

    def ack(self, apply: Callable[[], Ack]) -> Ack:
        """The acknowledgement the device sends. A drawn failure or a forced error code refuses
        the value (the device keeps its own); a forced success code only relabels the ack."""
        if self._fails():
            return Ack(FAILURE_CODE, "simulated failure (failureRate)", None)
        code = self.profile.property_ack_code
        if code is not None and not 200 <= code < 300:
            return Ack(code, f"refused (propertyAckCode {code})", None)
        ack = apply()
        return ack if code is None else Ack(code, ack.description, ack.value)

    def interval(self, default: float) -> float:
        return self.profile.telemetry_interval or default
