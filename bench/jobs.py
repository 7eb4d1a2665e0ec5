"""How fast the job engine works through devices: a property job over N simulated devices
(10,000 by default) with the clock frozen and advanced as fast as the engine goes.

    python bench/jobs.py [--devices N] [--concurrency K] [--json]

Prints device operations per second (every operation goes through the device gateway, which
stores the desired value and delivers it) and how many devices acknowledged the value.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import create_app  # noqa: E402
from emulator.config import DEFAULT_ADMIN_TOKEN, Settings  # noqa: E402
from emulator.device_templates.service import get_capabilities  # noqa: E402
from emulator.devices.tables import devices  # noqa: E402
from emulator.properties.tables import device_properties  # noqa: E402
from simulated_devices.faults import DEFAULT_ACK_DELAY  # noqa: E402
from tests.jobs.fleet import GROUP, THERMOSTAT, property_job, thermostat_template  # noqa: E402

GA = {"api-version": "2022-07-31"}
STEP = 1.0  # emulated seconds per advance


async def seed_devices(runtime, app_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    """Insert simulated devices straight into the table and boot them: setup, not measured."""
    now = runtime.clock.timestamp()
    rows = [
        {
            "app_id": app_id,
            "id": f"dev-{n:06d}",
            "display_name": f"dev-{n:06d}",
            "template": THERMOSTAT,
            "simulated": True,
            "provisioned": False,
            "enabled": True,
            "organization": None,
            "etag": f'"{n}"',
            "created_at": now,
        }
        for n in range(count)
    ]
    async with runtime.db.write() as conn:
        await conn.execute(insert(devices), rows)
    index = await get_capabilities(runtime, app_id=app_id, template_id=THERMOSTAT)
    await runtime.simulation.start(app_id, [(row["id"], THERMOSTAT, index) for row in rows])


async def count_acknowledged(runtime, app_id: str) -> int:  # type: ignore[no-untyped-def]
    """Devices whose simulation acknowledged the job's desired value."""
    await runtime.batches.flush()
    async with runtime.db.read() as conn:
        query = select(func.count()).where(
            device_properties.c.app_id == app_id,
            device_properties.c.name == "targetTemperature",
            device_properties.c.ack_version == device_properties.c.desired_version,
        )
        return (await conn.execute(query)).scalar_one()


async def measure(count: int, concurrency: int) -> dict:
    """Every number this benchmark reports, by name."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            db_path=f"{folder}/bench.db", seed=1, log_level="warning", job_concurrency=concurrency
        )
        app = create_app(settings)
        runtime = app.state.runtime
        async with app.router.lifespan_context(app):
            runtime.clock.set_frozen(True)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://myapp.azureiotcentral.com",
                headers={"Authorization": DEFAULT_ADMIN_TOKEN},
                params=GA,
            ) as client:
                template = thermostat_template()
                (
                    await client.put(f"/api/deviceTemplates/{THERMOSTAT}", json=template)
                ).raise_for_status()
                await seed_devices(runtime, runtime.apps.default.id, count)
                group = {"displayName": "All", "filter": "SELECT * FROM devices"}
                (await client.put(f"/api/deviceGroups/{GROUP}", json=group)).raise_for_status()
                (await client.put("/api/jobs/bench", json=property_job(25))).raise_for_status()

                emulated_start = runtime.clock.timestamp()
                started = time.perf_counter()
                cpu_started = time.process_time()
                found = {}
                while True:
                    await runtime.scheduler.advance(STEP)
                    found = (await client.get("/api/jobs/bench")).json()
                    if found["status"] not in ("pending", "running"):
                        break
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
                emulated = runtime.clock.timestamp() - emulated_start
                await runtime.scheduler.advance(DEFAULT_ACK_DELAY + 1)  # the last acks arrive
                acknowledged = await count_acknowledged(runtime, runtime.apps.default.id)

    return {
        "status": found["status"],
        "progress": found["progress"],
        "devices": count,
        "concurrency": concurrency,
        "real_s": elapsed,
        "cpu_s": cpu,
        "emulated_s": emulated,
        "acknowledged": acknowledged,
        "operations_per_s": count / elapsed,
    }


def report(r: dict) -> None:
    print(f"job status:           {r['status']} {r['progress']}")
    print(
        f"devices:              {r['devices']} (window of {r['concurrency']}, 100 ms emulated each)"
    )
    print(f"real time:            {r['real_s']:.2f} s (CPU {r['cpu_s']:.2f} s)")
    print(f"emulated time:        {r['emulated_s']:.0f} s")
    print(f"acknowledged by the simulated devices: {r['acknowledged']}")
    print(f"device operations/s:  {r['operations_per_s']:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = asyncio.run(measure(args.devices, args.concurrency))
    if args.json:
        print(json.dumps(results))
    else:
        report(results)


if __name__ == "__main__":
    main()
