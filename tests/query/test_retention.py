"""Telemetry older than the retention is invisible to queries and deleted by a daily timer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from emulator.cli import parse_settings
from emulator.config import Settings
from emulator.telemetry.tables import telemetry
from tests.query.history import DAY, TEMPLATE_ID, make_history, store
from tests.query.test_api import results


async def _stored_times(emu) -> list[float]:
    async with emu.runtime.db.read() as conn:
        return list((await conn.execute(select(telemetry.c.ts))).scalars())


async def test_old_telemetry_is_hidden_then_purged_daily(make_emulator) -> None:
    async with make_emulator(telemetry_retention_days=2) as emu:
        history = make_history(emu.runtime.clock.timestamp(), days=5)
        await store(emu.runtime, history)
        got = await results(emu.client, f"SELECT $id, $ts, humidity FROM {TEMPLATE_ID}")
        kept = [
            m for m in history.root() if m.ts >= history.now - 2 * DAY and "humidity" in m.values
        ]
        assert len(got) == len(kept) > 0
        before = await _stored_times(emu)
        assert min(before) < history.now - 4 * DAY  # not purged yet

        await emu.advance(DAY)
        cutoff = emu.runtime.clock.timestamp() - 2 * DAY
        times = await _stored_times(emu)
        assert sorted(times) == sorted(t for t in before if t >= cutoff) and times

        await emu.advance(DAY)
        later_cutoff = emu.runtime.clock.timestamp() - 2 * DAY
        assert all(t >= later_cutoff for t in await _stored_times(emu))


async def test_default_retention_is_thirty_days(emu) -> None:
    assert emu.runtime.settings.telemetry_retention_days == 30
    history = make_history(emu.runtime.clock.timestamp(), days=40)
    await store(emu.runtime, history)
    await emu.advance(DAY)
    async with emu.runtime.db.read() as conn:
        oldest = (await conn.execute(select(func.min(telemetry.c.ts)))).scalar_one()
    assert history.now + DAY - 30 * DAY <= oldest < history.now + DAY - 29 * DAY


def test_retention_flag_and_environment_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().telemetry_retention_days == 30
    assert parse_settings(["--telemetry-retention-days", "7"]).telemetry_retention_days == 7
    monkeypatch.setenv("IOTC_TELEMETRY_RETENTION_DAYS", "0.5")
    assert parse_settings([]).telemetry_retention_days == 0.5
    with pytest.raises(SystemExit):
        parse_settings(["--telemetry-retention-days", "0"])
