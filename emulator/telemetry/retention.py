"""Telemetry retention: points older than the configured period are deleted in the background."""

from __future__ import annotations

import logging

from sqlalchemy import delete

from emulator.runtime.core import Runtime
from emulator.telemetry.tables import telemetry

log = logging.getLogger("iotc_emulator.retention")

PURGE_INTERVAL_SECONDS = 86400.0  # once an emulated day; queries hide older points meanwhile
DAY_SECONDS = 86400.0


def cutoff(runtime: Runtime) -> float:
    """The emulated time before which telemetry is past retention."""
    return runtime.clock.timestamp() - runtime.settings.telemetry_retention_days * DAY_SECONDS


async def purge(*, runtime: Runtime) -> int:
    """Delete every application's telemetry older than the retention; answers the count."""
    await runtime.batches.flush()  # buffered points are stored first, so none outlive the purge
    async with runtime.db.write(keeps_reads=True) as conn:
        result = await conn.execute(delete(telemetry).where(telemetry.c.ts < cutoff(runtime)))
    if result.rowcount:
        log.info("deleted %d telemetry points past retention", result.rowcount)
    return result.rowcount


def install(runtime: Runtime) -> None:
    """Purge once the runtime runs, then every emulated day."""

    async def tick() -> None:
        runtime.scheduler.call_later(PURGE_INTERVAL_SECONDS, tick)
        await purge(runtime=runtime)

    runtime.scheduler.call_later(0, tick)
