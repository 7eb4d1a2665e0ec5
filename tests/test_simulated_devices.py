"""Behaviours of simulated devices, without HTTP or SQL: a capability index, a seed, a time."""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

import pytest

from emulator.device_templates.capabilities import Schema
from simulated_devices.behaviour import ROOT, Ack, Reading, Reply, Slot
from simulated_devices.factory import behaviour_for
from simulated_devices.faults import FaultProfile, Faults, parse_profile
from simulated_devices.generic import GenericPart
from simulated_devices.temperature_controller import ControllerPart
from simulated_devices.thermostat import ThermostatPart
from tests.capability_models import (
    EVERY_SCHEMA,
    controller_index,
    generic_index,
    thermostat_index,
)

T0 = 1_700_000_000.0


class Recorder:
    """A history reader over what the device sent, as the telemetry sink would answer."""

    def __init__(self) -> None:
        self.points: list[tuple[float, Reading]] = []

    def record(self, now: float, sent: list[Reading]) -> None:
        self.points.extend((now, r) for r in sent)

    async def __call__(self, slot: Slot, name: str, since: float) -> list[tuple[float, Any]]:
        return [
            (t, r.value) for t, r in self.points if r.slot == slot and r.name == name and t >= since
        ]


def run(behaviour, seconds: int, recorder: Recorder | None = None) -> list[Reading]:
    sent_all: list[Reading] = []
    for i in range(seconds):
        sent, _ = behaviour.tick(T0 + i)
        sent_all.extend(sent)
        if recorder is not None:
            recorder.record(T0 + i, sent)
    return sent_all


def is_valid(schema: Schema, value: Any) -> bool:
    kind = schema.kind
    if kind in ("double", "float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "enum":
        return value in {e.value for e in schema.enum_values}
    if kind == "object":
        return all(is_valid(f.schema, value[f.name]) for f in schema.fields)
    if kind == "map":
        return all(is_valid(schema.map_value, v) for v in value.values())
    if kind == "array":
        return isinstance(value, list) and all(is_valid(schema.element, v) for v in value)
    if kind == "geopoint":
        return set(value) == {"lat", "lon", "alt"} and -90 <= value["lat"] <= 90
    if kind == "point":
        return value["type"] == "Point" and len(value["coordinates"]) == 2
    if kind == "vector":
        return set(value) == {"x", "y", "z"}
    if kind == "duration":
        return re.fullmatch(r"PT\d+M\d+S", value) is not None
    if kind == "date":
        return datetime.strptime(value, "%Y-%m-%d") is not None
    if kind == "dateTime":
        return datetime.fromisoformat(value.replace("Z", "+00:00")) is not None
    if kind == "time":
        return datetime.strptime(value, "%H:%M:%S") is not None
    return False


def test_factory_picks_parts_by_interface():
    controller = behaviour_for(controller_index(), random.Random(1))
    assert isinstance(controller.parts[ROOT], ControllerPart)
    assert isinstance(controller.parts[Slot(None, "thermostat1")], ThermostatPart)
    assert isinstance(controller.parts[Slot(None, "deviceInformation")], GenericPart)
    generic = behaviour_for(generic_index(), random.Random(1))
    assert isinstance(generic.parts[ROOT], GenericPart)
    assert Slot("camera", None) in generic.parts


def test_same_seed_same_values_other_seed_other_values():
    first = run(behaviour_for(controller_index(), random.Random(7)), 30)
    again = run(behaviour_for(controller_index(), random.Random(7)), 30)
    other = run(behaviour_for(controller_index(), random.Random(8)), 30)
    assert first == again
    assert first != other


def test_temperature_drifts_toward_target_and_max_is_reported():
    behaviour = behaviour_for(thermostat_index(), random.Random(3))
    boot = behaviour.boot(T0)
    assert [r.name for r in boot] == ["maxTempSinceLastReboot"]
    ack = behaviour.desired(ROOT, "targetTemperature", 60.0, T0)
    assert (ack.code, ack.value) == (200, 60.0)
    temperatures = [r.value for r in run(behaviour, 80)]
    assert abs(temperatures[-1] - 60.0) < 3
    assert temperatures[-1] > temperatures[0]
    part = behaviour.parts[ROOT]
    assert part.max_temp == max(temperatures + [boot[0].value])
    # a reported change comes with a new maximum, and only then
    _, changed = behaviour.tick(T0 + 100)
    assert changed == [] or changed[0].value == part.max_temp


def test_thermostat_rejects_a_non_number_target():
    behaviour = behaviour_for(thermostat_index(), random.Random(3))
    assert behaviour.desired(ROOT, "targetTemperature", "hot", T0).code == 400


async def test_max_min_report_is_computed_from_what_was_sent_since():
    behaviour = behaviour_for(thermostat_index(), random.Random(5))
    recorder = Recorder()
    sent = run(behaviour, 20, recorder)
    since = "2023-11-14T22:13:30.000Z"  # T0 + 10 s
    reply = await behaviour.command(ROOT, "getMaxMinReport", since, T0 + 20, recorder)
    expected = [r.value for r in sent[10:]]
    assert reply.code == 200
    assert reply.payload["maxTemp"] == max(expected)
    assert reply.payload["minTemp"] == min(expected)
    assert reply.payload["avgTemp"] == pytest.approx(sum(expected) / len(expected))
    assert reply.payload["startTime"] == since
    assert reply.payload["endTime"] == "2023-11-14T22:13:39.000Z"


async def test_max_min_report_without_readings_or_with_a_bad_since():
    behaviour = behaviour_for(thermostat_index(), random.Random(5))
    recorder = Recorder()
    assert (await behaviour.command(ROOT, "getMaxMinReport", None, T0, recorder)).code == 404
    assert (await behaviour.command(ROOT, "getMaxMinReport", "soon", T0, recorder)).code == 400


async def test_reboot_resets_the_thermostats_extremes():
    behaviour = behaviour_for(controller_index(), random.Random(9))
    behaviour.desired(Slot(None, "thermostat1"), "targetTemperature", 90.0, T0)
    run(behaviour, 30)
    thermostat = behaviour.parts[Slot(None, "thermostat1")]
    assert thermostat.max_temp > thermostat.temperature - 5
    behaviour.desired(Slot(None, "thermostat1"), "targetTemperature", 0.0, T0)
    run(behaviour, 40)
    assert thermostat.max_temp > thermostat.temperature
    reply = await behaviour.command(ROOT, "reboot", 0, T0, Recorder())
    assert reply.code == 200
    assert thermostat.max_temp == thermostat.temperature


def test_controller_boot_reports_serial_number_and_device_information():
    behaviour = behaviour_for(controller_index(), random.Random(9))
    names = {(r.slot.component, r.name) for r in behaviour.boot(T0)}
    assert (None, "serialNumber") in names
    assert ("deviceInformation", "manufacturer") in names
    assert ("thermostat2", "maxTempSinceLastReboot") in names
    sent, _ = behaviour.tick(T0)
    assert {(r.slot.component, r.name) for r in sent} == {
        (None, "workingSet"),
        ("thermostat1", "temperature"),
        ("thermostat2", "temperature"),
    }


async def test_generic_values_fit_every_schema():
    behaviour = behaviour_for(generic_index(), random.Random(11))
    for sent in (behaviour.tick(T0 + i)[0] for i in range(20)):
        root = {r.name: r.value for r in sent if r.slot == ROOT}
        assert set(root) == set(EVERY_SCHEMA)
        for name, value in root.items():
            assert is_valid(EVERY_SCHEMA[name], value), (name, value)
        assert any(r.slot == Slot("camera", None) and r.name == "frames" for r in sent)
    boot = {r.name: r.value for r in behaviour.boot(T0)}
    assert set(boot) == {"firmware"}  # read-only only; writable ones wait for a desired value
    assert behaviour.desired(ROOT, "interval", 10, T0).code == 200
    reply = await behaviour.command(ROOT, "diagnose", None, T0, Recorder())
    assert reply.code == 200 and is_valid(EVERY_SCHEMA["state"], reply.payload)
    assert (await behaviour.command(ROOT, "nothing", None, T0, Recorder())).code == 404


def test_fault_profile_parsing_names_the_bad_field():
    profile = parse_profile({"connected": False, "failureRate": 0.5, "commandResponseCode": 503})
    assert profile.connected is False and profile.failure_rate == 0.5
    assert profile.to_json()["commandResponseCode"] == 503
    assert parse_profile({}) == FaultProfile()
    for body, field in (
        ({"failureRate": 2}, "failureRate"),
        ({"connected": "no"}, "connected"),
        ({"commandResponseCode": 42}, "commandResponseCode"),
        ({"telemetryInterval": 0}, "telemetryInterval"),
        ({"latency": 1}, "latency"),
    ):
        with pytest.raises(ValueError, match=field):
            parse_profile(body)


async def test_failure_rate_replays_with_the_same_seed():
    async def device_answer() -> Reply:
        return Reply(200)

    async def outcomes(seed: int) -> list[int]:
        faults = Faults(parse_profile({"failureRate": 0.5}), random.Random(seed))
        return [(await faults.command(device_answer)).code for _ in range(40)]

    first = await outcomes(42)
    assert first == await outcomes(42)
    assert 5 < first.count(500) < 35 and first.count(200) + first.count(500) == 40
    assert first != await outcomes(43)


async def test_forced_codes_and_interval():
    applied: list[int] = []

    async def device_answer() -> Reply:
        return Reply(200, {"a": 1})

    def apply() -> Ack:
        applied.append(1)
        return Ack(200, "completed", 5)

    refusing = Faults(
        parse_profile({"commandResponseCode": 503, "propertyAckCode": 400, "telemetryInterval": 2}),
        random.Random(1),
    )
    assert await refusing.command(device_answer) == Reply(503, {"a": 1})
    assert refusing.ack(apply) == Ack(400, "refused (propertyAckCode 400)", None)
    assert applied == []  # a refused value never reaches the device's state
    relabelling = Faults(parse_profile({"propertyAckCode": 202}), random.Random(1))
    assert relabelling.ack(apply) == Ack(202, "completed", 5) and applied == [1]
    assert refusing.interval(5.0) == 2.0
    assert Faults(FaultProfile(), random.Random(1)).interval(5.0) == 5.0
