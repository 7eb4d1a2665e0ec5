"""REST hot path and startup, side by side with a bare FastAPI app served the same way.

    python bench/rest.py [--devices 10000] [--seconds 10] [--json]

The emulator runs as a real process on an SQLite file holding `--devices` devices, called with an
API token; the bare app answers a constant device from a path-parameter route. Both are loaded
by wrk (or a Python loader when wrk is absent) with one thread and 16 connections. The bare app
is loaded before and after the emulator, and the better of the two is the yardstick.

Startup is also measured for the floor: a FastAPI hello-world that imports the database stack
the emulator needs (`sqlalchemy.ext.asyncio`, `aiosqlite`), which no emulator start can beat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (  # noqa: E402
    Load,
    bare_command,
    emulator_command,
    floor_command,
    free_port,
    load,
    serve,
)
from emulator.config import DEFAULT_ADMIN_TOKEN  # noqa: E402

GA = "api-version=2022-07-31"
ADMIN = {"Authorization": DEFAULT_ADMIN_TOKEN}
TEMPLATE_ID = "dtmi:bench:thermostat;1"
OPERATOR_ROLE = "ae2c9854-393b-4f97-8c42-479d70ce626e"
THERMOSTAT = json.loads(
    (
        Path(__file__).resolve().parents[1] / "emulator/device_templates/models/thermostat-1.json"
    ).read_text()
)


async def populate(base: str, devices: int) -> str:
    """Create the template and devices through the API; answer an operator API token."""
    async with httpx.AsyncClient(base_url=base, headers=ADMIN, timeout=60) as client:
        template = {
            "@id": TEMPLATE_ID,
            "@type": ["ModelDefinition", "DeviceModel"],
            "displayName": "Thermostat",
            "capabilityModel": THERMOSTAT,
        }
        r = await client.put(f"/api/deviceTemplates/{TEMPLATE_ID}?{GA}", json=template)
        r.raise_for_status()
        queue = iter(range(devices))

        async def worker() -> None:
            for n in queue:
                body = {"displayName": f"Thermostat {n}", "template": TEMPLATE_ID}
                (await client.put(f"/api/devices/d-{n:06d}?{GA}", json=body)).raise_for_status()

        await asyncio.gather(*(worker() for _ in range(8)))
        r = await client.put(
            f"/api/apiTokens/bench?{GA}", json={"roles": [{"role": OPERATOR_ROLE}]}
        )
        r.raise_for_status()
        return r.json()["token"]


STARTERS: dict[str, tuple[Callable[[int], list[str]], str]] = {
    "bare": (bare_command, "/health"),
    "floor": (floor_command, "/health"),
    "emulator": (lambda port: emulator_command(port, "--in-memory"), "/_emulator/health"),
}


def startup(runs: int) -> dict[str, float]:
    """Median seconds to the first health 200 per server of STARTERS, and `<name>_ratio` to bare.

    The servers take turns, one start of each per round. A ratio is the median of the rounds'
    ratios: a round compares starts made moments apart, so a shared machine getting slower or
    faster during the runs moves both sides of a ratio alike.
    """
    times: dict[str, list[float]] = {name: [] for name in STARTERS}
    for _ in range(runs):
        for name, (command_for_port, health) in STARTERS.items():
            port = free_port()
            with serve(command_for_port(port), health, port) as server:
                times[name].append(server.startup_seconds)
    result = {name: statistics.median(samples) for name, samples in times.items()}
    for name, samples in times.items():
        ratios = [seconds / bare for seconds, bare in zip(samples, times["bare"], strict=True)]
        result[f"{name}_ratio"] = statistics.median(ratios)
    return result


def load_bare(seconds: float) -> Load:
    port = free_port()
    with serve(bare_command(port), "/health", port) as bare:
        return load(f"{bare.base}/api/devices/d-000042", seconds=seconds)


def measure(devices: int, seconds: float) -> dict[str, float]:
    """Every number this benchmark reports, by name."""
    results: dict[str, float] = {}
    bare_before = load_bare(seconds)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        db = str(Path(tmp) / "bench.db")
        with serve(emulator_command(port, "--db", db), "/_emulator/health", port) as emu:
            token = asyncio.run(populate(emu.base, devices))
            device = f"{emu.base}/api/devices/d-{devices // 2:06d}?{GA}"
            get = load(device, seconds=seconds, authorization=token)
            listing = load(f"{emu.base}/api/devices?{GA}", seconds=seconds, authorization=token)
            patch = load(
                f"{emu.base}/api/devices/d-{devices // 3:06d}/properties?{GA}",
                seconds=seconds,
                method="PATCH",
                body='{"targetTemperature": 21.5}',
                authorization=token,
            )
    bare_after = load_bare(seconds)
    results["bare_get_before_rps"] = bare_before.requests_per_second
    results["bare_get_after_rps"] = bare_after.requests_per_second
    bare_get = max(bare_before, bare_after, key=lambda run: run.requests_per_second)
    for name, run in (("bare_get", bare_get), ("get", get), ("list", listing), ("patch", patch)):
        results[f"{name}_rps"] = run.requests_per_second
        results[f"{name}_p50_ms"] = run.p50_ms
        results[f"{name}_p99_ms"] = run.p99_ms
        results[f"{name}_errors"] = run.errors
    for name in ("get", "list", "patch"):
        results[f"{name}_ratio"] = results[f"{name}_rps"] / results["bare_get_rps"]
    starts = startup(9)
    results["startup_s"] = starts["emulator"]
    results["bare_startup_s"] = starts["bare"]
    results["floor_startup_s"] = starts["floor"]
    results["startup_ratio"] = starts["emulator_ratio"]
    results["floor_startup_ratio"] = starts["floor_ratio"]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = measure(args.devices, args.seconds)
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'endpoint':<34}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
    rows = [
        ("bare FastAPI GET /api/devices/{id}", "bare_get"),
        ("GET /api/devices/{id}", "get"),
        ("GET /api/devices (one page)", "list"),
        ("PATCH /api/devices/{id}/properties", "patch"),
    ]
    for label, key in rows:
        ratio = results.get(f"{key}_ratio", 1.0)
        print(
            f"{label:<34}{results[key + '_rps']:>10.0f}{results[key + '_p50_ms']:>9.2f}"
            f"{results[key + '_p99_ms']:>9.2f}{ratio:>8.2f}x"
        )
    print(
        f"bare req/s before the emulator {results['bare_get_before_rps']:.0f},"
        f" after {results['bare_get_after_rps']:.0f} (the better is the yardstick)"
    )
    print(
        f"startup: emulator {results['startup_s']:.3f}s, bare uvicorn"
        f" {results['bare_startup_s']:.3f}s, ratio {results['startup_ratio']:.2f}x;"
        f" floor (FastAPI + sqlalchemy.ext.asyncio + aiosqlite) {results['floor_startup_s']:.3f}s,"
        f" {results['floor_startup_ratio']:.2f}x bare"
    )


if __name__ == "__main__":
    main()
