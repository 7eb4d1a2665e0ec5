"""Shared fixtures: an emulator served through ASGI on a real SQLite file, clock frozen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from msgspec.structs import replace

from emulator.app import create_app
from emulator.config import DEFAULT_ADMIN_TOKEN, Settings
from emulator.runtime.core import Runtime

# The same plugin `pip install` registers through the pytest11 entry point (same name, so once).
pytest_plugins = ["emulator.pytest_plugin"]

ADMIN = {"Authorization": DEFAULT_ADMIN_TOKEN}
BASE_URL = "http://myapp.azureiotcentral.com"


class Emulator:
    """An in-process emulator: an httpx client acting as the admin, plus its runtime."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, runtime: Runtime) -> None:
        self.app = app
        self.client = client
        self.runtime = runtime

    async def advance(self, seconds: float) -> None:
        """Move the frozen clock forward, firing every timer on the way."""
        await self.runtime.scheduler.advance(seconds)


EmulatorFactory = Callable[..., AbstractAsyncContextManager[Emulator]]


@pytest.fixture
def make_emulator(tmp_path: Path) -> EmulatorFactory:
    """Factory: `async with make_emulator(auth="strict") as emu:` with Settings overrides."""

    @asynccontextmanager
    async def factory(*, frozen: bool = True, **overrides: object) -> AsyncIterator[Emulator]:
        base = Settings(db_path=str(tmp_path / "emulator.db"), seed=1234)
        settings = replace(base, **overrides)  # type: ignore[arg-type]
        app = create_app(settings)
        runtime: Runtime = app.state.runtime
        async with app.router.lifespan_context(app):
            runtime.clock.set_frozen(frozen)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL, headers=ADMIN
            ) as client:
                yield Emulator(app, client, runtime)

    return factory


@pytest.fixture
async def emu(make_emulator: EmulatorFactory) -> AsyncIterator[Emulator]:
    """The default emulator: app `myapp`, loose auth, seed 1234, frozen clock."""
    async with make_emulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> httpx.AsyncClient:
    """An admin client of the default emulator."""
    return emu.client
