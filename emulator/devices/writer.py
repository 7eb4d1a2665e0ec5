"""Group commit for device writes: PUTs and PATCHes that arrive while a transaction is being
written wait and go together in the next one, which reads every row and template the batch needs
in two queries and inserts the new devices with one executemany."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from emulator.device_templates.tables import device_templates
from emulator.devices.tables import devices
from emulator.http.errors import ApiError
from emulator.runtime.core import Runtime

MAX_BATCH = 500
Apply = Callable[..., dict[str, Any]]
Render = Callable[[dict[str, Any]], dict[str, Any]]

_UPDATE = (
    update(devices)
    .where(devices.c.app_id == bindparam("key_app"), devices.c.id == bindparam("key_id"))
    .values(
        {
            name: bindparam(name)
            for name in (c.name for c in devices.columns)
            if name not in ("app_id", "id")
        }
    )
)


class DeviceWriter:
    """Applies device changes in batches, each change succeeding or failing on its own."""

    KEY = "devices.writer"

    def __init__(self, runtime: Runtime, apply: Apply, render: Render) -> None:
        self.runtime = runtime
        self._apply = apply
        self._render = render
        self._pending: list[tuple[Any, asyncio.Future[dict[str, Any]]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, change: Any) -> dict[str, Any]:
        """Write one change; the Device JSON once committed, published as device.changed."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending.append((change, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        device = await future
        await self.runtime.events.publish("device.changed", app=change.app, device=device)
        return device

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                outcomes = await self._write([change for change, _ in batch])
            except Exception as exc:  # the transaction failed: every change in it failed
                outcomes = [exc] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _write(self, batch: list[Any]) -> list[dict[str, Any] | Exception]:
        async with self.runtime.db.write() as conn:
            existing: dict[tuple[str, str], dict[str, Any]] = {}
            known: set[tuple[str, str]] = set()
            for app_id in {c.app.id for c in batch}:
                changes = [c for c in batch if c.app.id == app_id]
                ids = {c.device_id for c in changes}
                rows = await conn.execute(
                    select(devices).where(devices.c.app_id == app_id, devices.c.id.in_(ids))
                )
                for row in rows:
                    existing[(app_id, row.id)] = {str(k): v for k, v in row._mapping.items()}
                wanted = {c.template for c in changes if c.template}
                if wanted:
                    found = await conn.execute(
                        select(device_templates.c.id).where(
                            device_templates.c.app_id == app_id, device_templates.c.id.in_(wanted)
                        )
                    )
                    known.update((app_id, t) for t in found.scalars())
            now = self.runtime.clock.timestamp()
            state = dict(existing)
            written: dict[tuple[str, str], dict[str, Any]] = {}
            outcomes: list[dict[str, Any] | Exception] = []
            for change in batch:
                key = (change.app.id, change.device_id)
                try:
                    record = self._apply(
                        change,
                        state.get(key),
                        template_known=lambda t, app_id=key[0]: (app_id, t) in known,
                        now=now,
                    )
                except ApiError as exc:
                    outcomes.append(exc)
                    continue
                state[key] = written[key] = record
                outcomes.append(self._render(record))
            new = [r for k, r in written.items() if k not in existing]
            changed = [
                {**r, "key_app": k[0], "key_id": k[1]} for k, r in written.items() if k in existing
            ]
            if new:
                await conn.execute(insert(devices), new)
            if changed:
                await conn.execute(_UPDATE, changed)
        return outcomes
