"""Queries over what simulated devices really sent, read back through independent paths."""

from __future__ import annotations

import pytest

from tests.dataplane.helpers import V, create_device, thermostat
from tests.query.history import iso_ts
from tests.query.test_api import results
from tests.registry.models import THERMOSTAT_TEMPLATE

DEVICES = ("t1", "t2")


@pytest.fixture
async def fleet(emu):
    await thermostat(emu.client, "t1")
    await create_device(emu.client, "t2")
    await emu.advance(600)
    return emu


async def _points(emu, device: str, since: float) -> list[tuple[float, float]]:
    key = (emu.runtime.apps.default.id, device, None, None, "temperature")
    return await emu.runtime.telemetry.history(key, since)


async def test_last_minutes_of_simulated_telemetry(fleet) -> None:
    emu = fleet
    now = emu.runtime.clock.timestamp()
    got = await results(
        emu.client,
        f"SELECT $id, $ts, temperature FROM {THERMOSTAT_TEMPLATE} WHERE WITHIN_WINDOW(PT5M)",
    )
    expected = []
    for device in DEVICES:
        expected += [(ts, device, value) for ts, value in await _points(emu, device, now - 300)]
    expected.sort()
    assert got == [{"$id": d, "$ts": iso_ts(ts), "temperature": v} for ts, d, v in expected]
    assert len(got) > 100


async def test_simulated_averages_per_minute(fleet) -> None:
    emu = fleet
    now = emu.runtime.clock.timestamp()
    got = await results(
        emu.client,
        f"SELECT $id, AVG(temperature) AS avg, COUNT(temperature), LAST(temperature)"
        f" FROM {THERMOSTAT_TEMPLATE} WHERE WITHIN_WINDOW(PT5M) GROUP BY WINDOW(PT1M)",
    )
    expected = []
    windows: dict[tuple[float, str], list[float]] = {}
    for device in DEVICES:
        for ts, value in await _points(emu, device, now - 300):
            windows.setdefault(((ts // 60) * 60, device), []).append(value)
    for (start, device), values in sorted(windows.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        expected.append(
            {
                "$ts": iso_ts(start),
                "$id": device,
                "avg": pytest.approx(sum(values) / len(values)),
                "count_temperature": len(values),
                "last_temperature": values[-1],
            }
        )
    assert got == expected


async def test_simulated_reported_properties(fleet) -> None:
    emu = fleet
    got = await results(
        emu.client, f"SELECT $id, maxTempSinceLastReboot AS max, city FROM {THERMOSTAT_TEMPLATE}"
    )
    expected = []
    for device in DEVICES:
        reported = (await emu.client.get(f"/api/devices/{device}/properties{V}")).json()
        expected.append(
            {"$id": device, "max": reported.get("maxTempSinceLastReboot"), "city": None}
        )
    assert got == expected
    assert all(isinstance(row["max"], float) for row in got)


async def test_points_still_buffered_are_answered(fleet) -> None:
    emu = fleet
    now = emu.runtime.clock.timestamp()
    app_id = emu.runtime.apps.default.id
    emu.runtime.telemetry.record(
        app_id, "t2", THERMOSTAT_TEMPLATE, None, None, "temperature", now, -40.5
    )
    assert emu.runtime.batches.pending >= 1
    got = await results(
        emu.client,
        f"SELECT TOP 1 $id, $ts, temperature AS t FROM {THERMOSTAT_TEMPLATE} ORDER BY t",
    )
    assert got == [{"$id": "t2", "$ts": iso_ts(now), "t": -40.5}]
