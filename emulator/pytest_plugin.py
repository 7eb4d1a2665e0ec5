"""The `iotc_emulator` pytest fixture: a real emulator on a free port, for the test's duration.

Registered through the `pytest11` entry point, so installing the package is enough:

    @pytest.mark.iotc_emulator(scenario="scenarios/logistics.yaml")
    def test_devices(iotc_emulator):
        r = httpx.get(f"{iotc_emulator.url}/api/devices?api-version=2022-07-31",
                      headers={"Authorization": iotc_emulator.admin_token})
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from msgspec import Struct

from emulator.config import DEFAULT_ADMIN_TOKEN, Settings
from emulator.runtime.durations import parse_duration

MARKER = "iotc_emulator"
_START_TIMEOUT = 10.0


class EmulatorOptions(Struct):
    """What the marker may set; everything has a default fit for a test."""

    scenario: str | None = None
    apps: tuple[str, ...] = ("myapp",)
    seed: int = 1234
    auth: str = "loose"
    frozen: bool = True
    admin_token: str = DEFAULT_ADMIN_TOKEN


class RunningEmulator:
    """An emulator served by uvicorn in a thread of the test process."""

    def __init__(self, options: EmulatorOptions) -> None:
        import uvicorn

        from emulator.app import create_app

        self.options = options
        settings = Settings(
            db_path=None,
            apps=options.apps,
            seed=options.seed,
            auth=options.auth,
            admin_token=options.admin_token,
            scenario=options.scenario,
            log_level="warning",
        )
        self.app = create_app(settings)
        self.runtime = self.app.state.runtime
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, log_config=None, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._loop = asyncio.new_event_loop()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="iotc-emulator", daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the default application, e.g. http://127.0.0.1:50123."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_token(self) -> str:
        """The Authorization header value that acts as each boot application's Administrator."""
        return self.options.admin_token

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        try:
            await self.runtime.start()
        except BaseException as exc:  # handed to the test thread by start()
            self._failure = exc
            await self.runtime.stop()
            return
        try:
            await self._server.serve(sockets=[self._socket])
        finally:
            await self.runtime.stop()

    def start(self) -> None:
        """Serve and wait until the emulator answers (the scenario, if any, is loaded)."""
        self.runtime.clock.set_frozen(self.options.frozen)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            self._thread.join(0.01)
        if self._failure is not None:
            self._socket.close()
            raise self._failure
        if not self._server.started:
            raise RuntimeError("the emulator did not start; the log above says why")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(_START_TIMEOUT)
        self._socket.close()

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_START_TIMEOUT)

    def advance(self, duration: float | str) -> None:
        """Move emulated time forward (seconds or ISO-8601 such as PT5M), firing due work."""
        seconds = parse_duration(duration) if isinstance(duration, str) else float(duration)
        self._call(self.runtime.scheduler.advance(seconds))

    def reset(self, app: str | None = None) -> None:
        """Return an application (the default one unless named) to its starting state."""
        target = self.runtime.apps.for_host(app)
        self._call(self.runtime.reset(target))

    def load_scenario(self, path: str) -> None:
        """Make a scenario file the starting state and reset the applications it names."""
        from emulator.scenarios import service as scenarios

        self._call(scenarios.load_file(runtime=self.runtime, path=path))

    def host(self, subdomain: str) -> dict[str, str]:
        """The Host header that addresses one application of this emulator."""
        return {"Host": f"{subdomain}.azureiotcentral.com"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(scenario=None, apps=('myapp',), seed=1234, auth='loose', frozen=True):"
        " options of the iotc_emulator fixture",
    )


@pytest.fixture
def iotc_emulator(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    """A running emulator (in memory, clock frozen by default); stopped after the test."""
    marker = request.node.get_closest_marker(MARKER)
    options = EmulatorOptions(**(marker.kwargs if marker else {}))
    if options.scenario:
        options.scenario = str(request.config.rootpath / options.scenario)
    emulator = RunningEmulator(options)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()
