"""Write-behind batches: high-volume rows are buffered and written many per transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Hashable
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Compiled
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from emulator.store.db import Database, driver_connection

log = logging.getLogger("iotc_emulator.store")

Row = dict[str, Any]


class WriteBehind:
    """Collects rows per statement and writes them with executemany, off the caller's path.

    `append` keeps every row (telemetry points); `put` keeps the last row per key (a property
    reported many times between two writes is written once). Readers call `flush()` first.
    """

    def __init__(self, db: Database, high_water: int = 50_000) -> None:
        self.db = db
        self.high_water = high_water
        self._lists: dict[Executable, list[Row]] = {}
        self._maps: dict[Executable, dict[Hashable, Row]] = {}
        self._count = 0
        self._task: asyncio.Task[None] | None = None
        self._compiled: dict[tuple[Executable, tuple[str, ...]], Compiled] = {}

    @property
    def pending(self) -> int:
        return self._count

    def append(self, statement: Executable, row: Row) -> None:
        self._lists.setdefault(statement, []).append(row)
        self._count += 1
        self._kick()

    def put(self, statement: Executable, key: Hashable, row: Row) -> None:
        self._maps.setdefault(statement, {})[key] = row
        self._count += 1
        self._kick()

    def discard(self, keep: Callable[[Row], bool]) -> None:
        """Drop buffered rows the predicate rejects (an application being reset)."""
        self._lists = {s: [r for r in rows if keep(r)] for s, rows in self._lists.items()}
        self._maps = {
            s: {k: r for k, r in rows.items() if keep(r)} for s, rows in self._maps.items()
        }

    def _kick(self) -> None:
        if self._task is None or self._task.done():
            with contextlib.suppress(RuntimeError):  # no running loop: the next flush writes
                self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._lists or self._maps:
            lists, maps = self._lists, self._maps
            self._lists, self._maps, self._count = {}, {}, 0
            try:
                async with self.db.write(keeps_reads=True) as conn:
                    for statement, rows in lists.items():
                        await self.executemany(conn, statement, rows)
                    for statement, keyed in maps.items():
                        await self.executemany(conn, statement, list(keyed.values()))
            except Exception:
                log.exception("a batch of buffered writes failed and was dropped")

    async def executemany(
        self, conn: AsyncConnection, statement: Executable, rows: list[Row]
    ) -> None:
        """executemany with the statement compiled once: per-row work stays a tuple."""
        if not rows:
            return
        keys = tuple(rows[0])
        compiled = self._compiled.get((statement, keys))
        if compiled is None:
            compiled = statement.compile(dialect=conn.dialect, column_keys=list(keys))
            self._compiled[(statement, keys)] = compiled
        order = compiled.positiontup or []
        pick = itemgetter(*order)
        params = [pick(r) for r in rows] if len(order) > 1 else [(pick(r),) for r in rows]
        # The driver's own executemany: two calls to its thread (execute, close), where
        # SQLAlchemy's cursor takes three (open, execute, close).
        async with (await driver_connection(conn)).executemany(compiled.string, params):
            pass

    async def flush(self) -> None:
        """Return once everything buffered so far is written."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        if self._lists or self._maps:
            await self._drain()

    async def relieve(self) -> None:
        """Write now if the buffer has grown past its high-water mark (back-pressure)."""
        if self._count >= self.high_water:
            await self.flush()

    async def close(self) -> None:
        await self.flush()
