"""Where device telemetry goes: last values in memory, every point written in batches."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import insert, select

from emulator.store.batches import WriteBehind
from emulator.store.db import Database
from emulator.telemetry.tables import telemetry

# (app_id, device_id, module, component, name); None for the device itself / the root component.
Key = tuple[str, str, str | None, str | None, str]

_INSERT = insert(telemetry)


class TelemetrySink:
    """Receives every point a device sends and answers last values and history."""

    def __init__(self, db: Database, batches: WriteBehind) -> None:
        self.db = db
        self.batches = batches
        self._last: dict[Key, tuple[float, Any]] = {}

    def record(
        self,
        app_id: str,
        device_id: str,
        template: str | None,
        module: str | None,
        component: str | None,
        name: str,
        ts: float,
        value: Any,
    ) -> None:
        """Keep the point as the last value and queue it for the history table."""
        self._last[(app_id, device_id, module, component, name)] = (ts, value)
        number = (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )
        self.batches.append(
            _INSERT,
            {
                "app_id": app_id,
                "device_id": device_id,
                "template": template,
                "module": module,
                "component": component,
                "name": name,
                "ts": ts,
                "value": orjson.dumps(value).decode(),
                "num": number,
            },
        )

    async def last(self, key: Key) -> tuple[float, Any] | None:
        """The latest point of one telemetry; read from the table after a restart."""
        found = self._last.get(key)
        if found is not None:
            return found
        await self.batches.flush()
        app_id, device_id, module, component, name = key
        query = (
            select(telemetry.c.ts, telemetry.c.value)
            .where(*self._series(app_id, device_id, module, component, name))
            .order_by(telemetry.c.ts.desc(), telemetry.c.seq.desc())
            .limit(1)
        )
        async with self.db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        self._last[key] = (row.ts, orjson.loads(row.value))
        return self._last[key]

    async def history(self, key: Key, since: float) -> list[tuple[float, Any]]:
        """Every stored point of one telemetry from `since` on, oldest first."""
        await self.batches.flush()
        query = (
            select(telemetry.c.ts, telemetry.c.value)
            .where(*self._series(*key), telemetry.c.ts >= since)
            .order_by(telemetry.c.ts, telemetry.c.seq)
        )
        async with self.db.read() as conn:
            rows = (await conn.execute(query)).all()
        return [(row.ts, orjson.loads(row.value)) for row in rows]

    @staticmethod
    def _series(
        app_id: str, device_id: str, module: str | None, component: str | None, name: str
    ) -> list[Any]:
        return [
            telemetry.c.app_id == app_id,
            telemetry.c.device_id == device_id,
            telemetry.c.name == name,
            telemetry.c.module.is_(None) if module is None else telemetry.c.module == module,
            telemetry.c.component.is_(None)
            if component is None
            else telemetry.c.component == component,
        ]

    def forget(self, app_id: str, device_id: str | None = None) -> None:
        """Drop the last values of an application, or of one of its devices."""
        self._last = {
            k: v
            for k, v in self._last.items()
            if k[0] != app_id or (device_id is not None and k[1] != device_id)
        }
