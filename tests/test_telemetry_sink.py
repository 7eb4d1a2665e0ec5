"""The telemetry sink and its write-behind batches, on a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from emulator.config import Settings
from emulator.runtime.core import Runtime
from emulator.store.batches import WriteBehind
from emulator.telemetry.sink import TelemetrySink
from emulator.telemetry.tables import telemetry

KEY = ("app", "d1", None, "thermostat1", "temperature")


@pytest.fixture(params=["file", "memory"])
async def runtime(request, tmp_path) -> AsyncIterator[Runtime]:
    path = str(tmp_path / "sink.db") if request.param == "file" else None
    runtime = Runtime(Settings(db_path=path, seed=1))
    await runtime.start()
    yield runtime
    await runtime.stop()


async def stored(runtime: Runtime) -> int:
    async with runtime.db.read() as conn:
        return (await conn.execute(select(func.count()).select_from(telemetry))).scalar_one()


def record(sink: TelemetrySink, key, ts: float, value) -> None:
    app, device, module, component, name = key
    sink.record(app, device, "tpl", module, component, name, ts, value)


async def test_last_value_and_history(runtime):
    sink = TelemetrySink(runtime.db, WriteBehind(runtime.db))
    for i in range(5):
        record(sink, KEY, 100.0 + i, 20 + i)
    record(sink, ("app", "d1", None, None, "temperature"), 104.0, 99)
    assert await sink.last(KEY) == (104.0, 24)
    assert await sink.history(KEY, 102.0) == [(102.0, 22), (103.0, 23), (104.0, 24)]
    assert await stored(runtime) == 6


async def test_last_value_survives_a_restart_through_the_table(runtime):
    sink = TelemetrySink(runtime.db, WriteBehind(runtime.db))
    record(sink, KEY, 100.0, {"x": 1})
    await sink.batches.flush()
    fresh = TelemetrySink(runtime.db, WriteBehind(runtime.db))
    assert await fresh.last(KEY) == (100.0, {"x": 1})
    assert await fresh.last(("app", "d2", None, None, "temperature")) is None


async def test_reads_during_a_background_write_lose_nothing(runtime):
    batches = WriteBehind(runtime.db)
    sink = TelemetrySink(runtime.db, batches)
    writing = True

    async def keep_reading() -> None:
        while writing:
            await stored(runtime)

    reader = asyncio.ensure_future(keep_reading())
    for round_ in range(20):
        for i in range(200):
            record(sink, KEY, round_ * 1000.0 + i, i)
        await asyncio.sleep(0.001)
    writing = False
    await reader
    await batches.flush()
    assert await stored(runtime) == 4000


async def test_history_since_and_forgetting(runtime):
    batches = WriteBehind(runtime.db)
    sink = TelemetrySink(runtime.db, batches)
    for i in range(10):
        record(sink, KEY, float(i), i)
    assert [ts for ts, _ in await sink.history(KEY, 6.0)] == [6.0, 7.0, 8.0, 9.0]
    sink.forget("app", "d1")
    assert await sink.last(KEY) == (9.0, 9)  # back from the table


async def test_discarded_rows_are_never_written(runtime):
    batches = WriteBehind(runtime.db)
    sink = TelemetrySink(runtime.db, batches)
    record(sink, KEY, 1.0, 1)
    record(sink, ("other", "d1", None, None, "t"), 1.0, 1)
    batches.discard(lambda row: row["app_id"] != "app")
    await batches.flush()
    assert await stored(runtime) == 1
