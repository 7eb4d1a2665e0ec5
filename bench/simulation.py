"""Sustained simulation load: N simulated thermostats, one message per second each, real time.

    python bench/simulation.py [--devices 10000] [--duration 60] [--db PATH] [--json]

Prints messages per second, the CPU share of the process, its resident memory, and how late
the worst tick ran. Target at time scale 1: 10,000 devices sustained, < 0.5 core, < 300 MB RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from emulator.config import Settings  # noqa: E402
from emulator.device_templates.dtdl import parse_capability_model, public_models  # noqa: E402
from emulator.runtime.core import Runtime  # noqa: E402
from emulator.runtime.simulation import Simulation  # noqa: E402
from emulator.store.batches import WriteBehind  # noqa: E402
from emulator.telemetry.sink import TelemetrySink  # noqa: E402
from emulator.telemetry.tables import telemetry  # noqa: E402
from simulated_devices.faults import FaultProfile  # noqa: E402


def rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def stored_points(runtime: Runtime) -> int:
    async with runtime.db.read() as conn:
        return (await conn.execute(select(func.count()).select_from(telemetry))).scalar_one()


async def measure(devices: int, duration: float, db_path: str) -> dict[str, float]:
    """Every number this benchmark reports, by name."""
    runtime = Runtime(Settings(db_path=db_path, seed=1))
    await runtime.start()
    app = runtime.apps.default
    assert app is not None
    batches = WriteBehind(runtime.db)
    sink = TelemetrySink(runtime.db, batches)
    simulation = Simulation(
        clock=runtime.clock,
        scheduler=runtime.scheduler,
        randomness=runtime.randomness,
        sink=sink,
        batches=batches,
    )
    index = parse_capability_model(public_models()["dtmi:com:example:Thermostat;1"])
    every_second = FaultProfile(telemetry_interval=1)
    ids = [f"thermostat-{i:05d}" for i in range(devices)]
    for device_id in ids:
        simulation.profiles[(app.id, device_id)] = every_second
    started = time.perf_counter()
    template = "dtmi:bench:thermostat;1"
    await simulation.start(app.id, [(device_id, template, index) for device_id in ids])
    await batches.flush()
    boot = time.perf_counter() - started

    await asyncio.sleep(2)  # warm up: first ticks, first batches
    await batches.flush()
    points_before = await stored_points(runtime)
    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    simulation.lag = 0.0
    await asyncio.sleep(duration)
    await batches.flush()
    cpu_used, wall = cpu_seconds() - cpu_before, time.perf_counter() - wall_before
    points = await stored_points(runtime) - points_before
    rss, peak = rss_mb()
    await runtime.stop()

    return {
        "devices": devices,
        "boot_s": boot,
        "window_s": wall,
        "messages_per_s": points / wall,
        "messages_ratio": points / wall / devices,
        "cpu_share": cpu_used / wall,
        "rss_mb": rss,
        "peak_rss_mb": peak,
        "worst_lag_s": simulation.lag,
        "load_average": os.getloadavg()[0],
    }


def report(r: dict[str, float]) -> None:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), "?")
    print(f"machine:        {os.cpu_count()} cores, {model}")
    print(f"load average:   {r['load_average']:.1f} (other processes share these cores)")
    print(f"devices:        {r['devices']} thermostats, 1 message/s each, time scale 1")
    print(f"boot:           {r['boot_s']:.1f} s to start every device")
    print(f"window:         {r['window_s']:.1f} s real time")
    print(f"messages/s:     {r['messages_per_s']:,.0f} stored (target {r['devices']:,})")
    print(f"cpu share:      {r['cpu_share']:.2f} of one core")
    print(f"rss:            {r['rss_mb']:.0f} MB now, {r['peak_rss_mb']:.0f} MB peak")
    print(f"worst tick lag: {r['worst_lag_s']:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (60)")
    parser.add_argument("--db", help="SQLite file (default: a temporary file)")
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or os.path.join(folder, "bench.db")
        results = asyncio.run(measure(args.devices, args.duration, path))
    if args.json:
        print(json.dumps(results))
    else:
        report(results)
