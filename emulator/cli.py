"""The `iotc-emulator` command: flags (each with an IOTC_* twin), a banner, then uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import secrets
import socket
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from emulator import __version__
from emulator.config import AUTH_MODES, DEFAULT_ADMIN_TOKEN, LOG_LEVELS, Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


class _OneLineParser(argparse.ArgumentParser):
    """Bad flags end in one line and exit 2, never a usage dump or traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"iotc-emulator: error: {message} (see --help)\n")


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"IOTC_{name}", default)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must not be negative")
    return value


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"'{text}' is not a TCP port (1-65535)")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None


def build_parser() -> argparse.ArgumentParser:
    """Flags as design.md's table names them; defaults come from IOTC_* variables."""
    p = _OneLineParser(
        prog="iotc-emulator",
        description="A local emulator of the Azure IoT Central REST API. Every flag has an"
        " IOTC_* environment twin (--port and IOTC_PORT, --time-scale and IOTC_TIME_SCALE, ...).",
    )
    p.add_argument("--version", action="version", version=f"iotc-emulator {__version__}")
    p.add_argument("--host", default=_env("HOST", "127.0.0.1"), help="bind address [IOTC_HOST]")
    p.add_argument(
        "--port", type=_port, default=_env("PORT", "8080"), help="HTTP port (8080) [IOTC_PORT]"
    )
    store = p.add_mutually_exclusive_group()
    store.add_argument(
        "--db",
        default=_env("DB", "./iotc-emulator.db"),
        metavar="PATH",
        help="SQLite file; state survives restarts (./iotc-emulator.db) [IOTC_DB]",
    )
    store.add_argument(
        "--in-memory",
        action="store_true",
        default=_env("IN_MEMORY", "") in ("1", "true", "yes"),
        help="keep state in memory only; it dies with the process [IOTC_IN_MEMORY=1]",
    )
    p.add_argument(
        "--app",
        action="append",
        metavar="SUBDOMAIN",
        help="application subdomain; repeat for more apps, the first is the default (myapp)"
        " [IOTC_APP, comma-separated]",
    )
    p.add_argument(
        "--admin-token",
        default=_env("ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN),
        metavar="VALUE",
        help=f"an Authorization header equal to VALUE acts as Administrator ({DEFAULT_ADMIN_TOKEN})"
        " [IOTC_ADMIN_TOKEN]",
    )
    p.add_argument(
        "--auth",
        choices=AUTH_MODES,
        default=_env("AUTH", "loose"),
        help="loose: any Bearer token is Administrator; strict: only tokens the emulator issued;"
        " off: no auth (loose) [IOTC_AUTH]",
    )
    p.add_argument(
        "--time-scale",
        type=_positive_float,
        default=_env("TIME_SCALE", "1"),
        metavar="X",
        help="emulated seconds per real second (1) [IOTC_TIME_SCALE]",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=_env("SEED"),
        metavar="N",
        help="seeds every random choice; random and printed when absent [IOTC_SEED]",
    )
    p.add_argument(
        "--scenario", default=_env("SCENARIO"), metavar="FILE", help="state to load [IOTC_SCENARIO]"
    )
    p.add_argument(
        "--telemetry-retention-days",
        type=_positive_float,
        default=_env("TELEMETRY_RETENTION_DAYS", "30"),
        metavar="DAYS",
        help="emulated days of telemetry kept; older points are deleted (30)"
        " [IOTC_TELEMETRY_RETENTION_DAYS]",
    )
    p.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default=_env("LOG_LEVEL", "info"),
        help="debug also logs request bodies (info) [IOTC_LOG_LEVEL]",
    )
    p.add_argument(
        "--job-latency",
        default=_env("JOB_LATENCY", "0.1"),
        metavar="SECONDS",
        help="emulated seconds a job operation takes on one device (0.1) [IOTC_JOB_LATENCY]",
    )
    p.add_argument(
        "--job-concurrency",
        default=_env("JOB_CONCURRENCY", "2"),
        metavar="N",
        help="devices of a batch a job works on at once (2) [IOTC_JOB_CONCURRENCY]",
    )
    return p


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line and environment; exits with one line on bad values."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # argparse does not run `type` on string defaults from the environment for every action,
    # so convert them here the same way.
    try:
        port = _port(str(args.port))
        scale = _positive_float(str(args.time_scale))
        retention = _positive_float(str(args.telemetry_retention_days))
        seed = _seed(str(args.seed)) if args.seed is not None else secrets.randbelow(2**31)
        job_latency = _non_negative_float(str(args.job_latency))
        job_concurrency = _positive_int(str(args.job_concurrency))
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    if args.auth not in AUTH_MODES:
        parser.error(f"--auth must be one of {', '.join(AUTH_MODES)}, not '{args.auth}'")
    if args.log_level not in LOG_LEVELS:
        parser.error(f"--log-level must be one of {', '.join(LOG_LEVELS)}")
    apps = args.app or [a for a in (_env("APP", "myapp") or "myapp").split(",") if a]
    for app in apps:
        if not app.replace("-", "").isalnum() or app != app.lower():
            parser.error(f"--app '{app}' is not a subdomain (lowercase letters, digits and '-')")
    if args.scenario and not os.path.isfile(args.scenario):
        parser.error(f"--scenario {args.scenario} does not exist")
    return Settings(
        host=args.host,
        port=port,
        db_path=None if args.in_memory else args.db,
        apps=tuple(dict.fromkeys(apps)),
        admin_token=args.admin_token,
        auth=args.auth,
        time_scale=scale,
        seed=seed,
        scenario=args.scenario,
        log_level=args.log_level,
        telemetry_retention_days=retention,
        job_device_latency=job_latency,
        job_concurrency=job_concurrency,
    )


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise SystemExit(
                f"iotc-emulator: error: cannot listen on {host}:{port} ({exc.strerror});"
                " choose another --port"
            ) from None


def banner(settings: Settings) -> str:
    """The few lines printed at start: where to call, with what, on which data."""
    url = f"http://{settings.host}:{settings.port}"
    return "\n".join(
        [
            f"IoT Central emulator {__version__} listening on {url}",
            f"  applications: {', '.join(settings.apps)} (default {settings.default_app})",
            f"  admin token:  Authorization: {settings.admin_token}",
            f"  database:     {settings.db_path or 'in memory'}",
            f"  auth: {settings.auth}   time scale: {settings.time_scale:g}"
            f"   seed: {settings.seed}",
            f"  try: curl -H 'Authorization: {settings.admin_token}'"
            f" '{url}/api/devices?api-version=2022-07-31'",
        ]
    )


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Scenarios replay through an in-process httpx client; the access log already says it all.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _fail(exc: Exception) -> SystemExit:
    return SystemExit(f"iotc-emulator: error: {exc}")


async def _serve(app: FastAPI) -> None:
    """Start the runtime first, so a bad scenario ends in one line, then serve until stopped."""
    import uvicorn

    from emulator.scenarios.document import ScenarioError

    runtime = app.state.runtime
    settings = runtime.settings
    try:
        await runtime.start()
    except ScenarioError as exc:
        await runtime.stop()
        raise _fail(exc) from None
    print(banner(settings), flush=True)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,
        lifespan="off",
        ws="none",  # IoT Central has no WebSocket API; not loading a protocol saves start time
    )
    try:
        await uvicorn.Server(config).serve()
    finally:
        await runtime.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `iotc-emulator` and `python -m emulator`."""
    settings = parse_settings(argv)
    # Start-up builds a few hundred thousand long-lived objects (modules, tables, routes, models)
    # and no garbage: collecting while it runs only costs time, so collection waits until the app
    # and the server's modules are loaded. Then they are frozen: they live as long as the process,
    # and collections need not walk them.
    gc.disable()
    try:
        app = _build(settings)
        import uvicorn  # noqa: F401  (served with in _serve; loaded here, with collection off)
    finally:
        gc.freeze()
        gc.enable()
    with asyncio.Runner(loop_factory=_fast_loop_factory()) as runner:
        runner.run(_serve(app))


def _build(settings: Settings) -> FastAPI:
    """Check the database file and the port, then build the app; exits with one line on failure."""
    from emulator.store.db import StorageError, preflight

    if settings.db_path is not None:
        try:
            preflight(settings.db_path)
        except StorageError as exc:
            raise _fail(exc) from None
    _check_port_free(settings.host, settings.port)
    configure_logging(settings.log_level)

    from emulator.app import create_app
    from emulator.scenarios.document import ScenarioError

    try:
        return create_app(settings)
    except ScenarioError as exc:
        raise _fail(exc) from None


def _fast_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where installed (uvicorn[standard] brings it on Linux and macOS), as uvicorn does."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
