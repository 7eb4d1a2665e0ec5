"""The runtime of one emulator process: clock, scheduler, database, applications, auth."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.service import Application, ApplicationRegistry
from emulator.applications.tables import applications
from emulator.config import Settings
from emulator.http.auth import Authenticator
from emulator.runtime.clock import Clock
from emulator.runtime.events import EventBus
from emulator.runtime.randomness import Randomness
from emulator.runtime.scheduler import Scheduler
from emulator.store.db import Database, metadata

if TYPE_CHECKING:
    from emulator.runtime.gateway import DeviceGateway
    from emulator.runtime.simulation import Simulation
    from emulator.store.batches import WriteBehind
    from emulator.telemetry.sink import TelemetrySink

log = logging.getLogger("iotc_emulator.runtime")

AppHook = Callable[[Application], Awaitable[None]]


class Runtime:
    """Holds every long-lived part; domain modules hang their state and hooks on it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock(scale=settings.time_scale)
        self.scheduler = Scheduler(self.clock)
        self.db = Database(settings.db_path)
        self.randomness = Randomness(settings.seed)
        self.apps = ApplicationRegistry(self.db, self.randomness.stream("applications"))
        self.auth = Authenticator(settings.auth)
        self.events = EventBus()
        # Called after an application's data is wiped, to restore its boot state.
        self.reset_hooks: list[AppHook] = []
        # Called once per application at start, after the schema exists.
        self.start_hooks: list[AppHook] = []
        self.stop_hooks: list[Callable[[], Awaitable[None]]] = []
        # Called after an application was deleted through the control plane.
        self.delete_hooks: list[AppHook] = []
        self.services: dict[str, object] = {}
        # The device data plane, set by emulator.runtime.dataplane.install.
        self.gateway: DeviceGateway
        self.simulation: Simulation
        self.telemetry: TelemetrySink
        self.batches: WriteBehind

    async def start(self) -> None:
        """Open the database, make sure the configured apps exist, start the timers."""
        await self.db.create_schema()
        await self.apps.load()
        now = self.clock.timestamp()
        for subdomain in self.settings.apps:
            app = await self.apps.ensure(
                subdomain=subdomain, admin_token=self.settings.admin_token, now=now
            )
            if self.apps.default is None:
                self.apps.default = app
        for app in self.apps.all():
            for hook in self.start_hooks:
                await hook(app)
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        for hook in self.stop_hooks:
            await hook()
        await self.db.close()

    async def _wipe(self, conn: AsyncConnection, app: Application) -> None:
        for table in reversed(metadata.sorted_tables):
            if table is applications or "app_id" not in table.c:
                continue
            await conn.execute(delete(table).where(table.c.app_id == app.id))

    async def reset(self, app: Application) -> None:
        """Wipe one application's data back to its boot state."""
        async with self.db.write() as conn:
            await self._wipe(conn, app)
        for hook in self.reset_hooks:
            await hook(app)
        log.info("application %s reset", app.subdomain)

    async def add_application(self, *, subdomain: str, admin_token: str) -> Application:
        """A new application, reachable at once by Host and set up like those of the boot."""
        app = await self.apps.create(
            subdomain=subdomain, admin_token=admin_token, now=self.clock.timestamp()
        )
        for hook in self.start_hooks:
            await hook(app)
        log.info("application %s created", app.subdomain)
        return app

    async def delete_application(self, app: Application) -> None:
        """Remove an application and every row of its data."""
        async with self.db.write() as conn:
            await self._wipe(conn, app)
            for table in metadata.sorted_tables:
                if "application_id" in table.c:
                    await conn.execute(delete(table).where(table.c.application_id == app.id))
            await self.apps.forget(conn, app)
        for hook in self.delete_hooks:
            await hook(app)
        log.info("application %s deleted", app.subdomain)
