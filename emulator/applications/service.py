"""Finding and creating applications; each is a separate scope of data in one database."""

from __future__ import annotations

import base64
import random
import uuid

from msgspec import Struct
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.tables import applications
from emulator.store.db import Database


class Application(Struct, frozen=True):
    """One IoT Central application."""

    id: str
    subdomain: str
    display_name: str
    secret: bytes
    admin_token: str


def _row_to_app(row) -> Application:  # type: ignore[no-untyped-def]
    return Application(
        id=row.id,
        subdomain=row.subdomain,
        display_name=row.display_name,
        secret=base64.b64decode(row.secret),
        admin_token=row.admin_token,
    )


class ApplicationRegistry:
    """Every known application, cached in memory and looked up by Host subdomain."""

    def __init__(self, db: Database, rng: random.Random) -> None:
        self.db = db
        self._rng = rng
        self._by_subdomain: dict[str, Application] = {}
        self._by_id: dict[str, Application] = {}
        self.default: Application | None = None

    async def load(self) -> None:
        """Read every stored application into the cache."""
        async with self.db.read() as conn:
            rows = (await conn.execute(select(applications))).all()
        for row in rows:
            self._remember(_row_to_app(row))

    def _remember(self, app: Application) -> None:
        self._by_subdomain[app.subdomain] = app
        self._by_id[app.id] = app

    async def ensure(self, *, subdomain: str, admin_token: str, now: float) -> Application:
        """The application with this subdomain, created with a fresh id and secret if new."""
        found = self._by_subdomain.get(subdomain)
        if found is not None:
            if found.admin_token != admin_token:
                found = await self._set_admin_token(found, admin_token)
            return found
        return await self.create(subdomain=subdomain, admin_token=admin_token, now=now)

    async def create(self, *, subdomain: str, admin_token: str, now: float) -> Application:
        """A new application with a fresh id and secret; the subdomain must be free."""
        app = Application(
            id=str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            subdomain=subdomain,
            display_name=subdomain,
            secret=self._rng.randbytes(32),
            admin_token=admin_token,
        )
        async with self.db.write() as conn:
            await conn.execute(
                insert(applications).values(
                    id=app.id,
                    subdomain=app.subdomain,
                    display_name=app.display_name,
                    secret=base64.b64encode(app.secret).decode(),
                    admin_token=app.admin_token,
                    created_at=now,
                )
            )
        self._remember(app)
        return app

    async def _set_admin_token(self, app: Application, admin_token: str) -> Application:
        updated = Application(app.id, app.subdomain, app.display_name, app.secret, admin_token)
        async with self.db.write() as conn:
            await conn.execute(
                applications.update()
                .where(applications.c.id == app.id)
                .values(admin_token=admin_token)
            )
        self._remember(updated)
        return updated

    async def set_subdomain(self, app: Application, subdomain: str) -> Application:
        """Move an application to another subdomain (the old one stops answering)."""
        moved = Application(app.id, subdomain, app.display_name, app.secret, app.admin_token)
        async with self.db.write() as conn:
            await conn.execute(
                applications.update().where(applications.c.id == app.id).values(subdomain=subdomain)
            )
        del self._by_subdomain[app.subdomain]
        self._remember(moved)
        if self.default is not None and self.default.id == app.id:
            self.default = moved
        return moved

    async def forget(self, conn: AsyncConnection, app: Application) -> None:
        """Delete the application's row, inside the caller's transaction, and uncache it."""
        await conn.execute(applications.delete().where(applications.c.id == app.id))
        self._by_subdomain.pop(app.subdomain, None)
        self._by_id.pop(app.id, None)

    def taken(self, subdomain: str) -> bool:
        return subdomain in self._by_subdomain

    def for_host(self, host: str | None) -> Application:
        """The app named by the Host header's first label, else the default app."""
        if host:
            label = host.split(".", 1)[0].split(":", 1)[0].lower()
            app = self._by_subdomain.get(label)
            if app is not None:
                return app
        assert self.default is not None
        return self.default

    def get(self, app_id: str) -> Application | None:
        return self._by_id.get(app_id)

    def all(self) -> list[Application]:
        return list(self._by_id.values())
