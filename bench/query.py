"""How fast POST /api/query answers over a large telemetry history.

Run: python bench/query.py [--devices 20] [--days 3] [--every 60]
Stores `devices` x `days` of messages every `every` emulated seconds (three telemetry values each)
into a fresh SQLite file, then times each query through the ASGI app.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emulator.app import create_app  # noqa: E402
from emulator.config import DEFAULT_ADMIN_TOKEN, Settings  # noqa: E402
from emulator.telemetry.tables import telemetry  # noqa: E402

TEMPLATE = "dtmi:bench:sensor;1"
MODEL = {
    "@id": "dtmi:bench:Sensor;1",
    "@type": "Interface",
    "contents": [
        {"@type": "Telemetry", "name": n, "schema": "double"}
        for n in ("temperature", "humidity", "pressure")
    ]
    + [{"@type": "Property", "name": "serialNumber", "schema": "string"}],
}
QUERIES = {
    "last hour, 3 values": "SELECT $id, $ts, temperature, humidity, pressure FROM {t}"
    " WHERE WITHIN_WINDOW(PT1H)",
    "one device, 1 day, filter": "SELECT $ts, temperature AS t FROM {t}"
    " WHERE WITHIN_WINDOW(P1D) AND $id = 'dev-007' AND t > 30",
    "TOP 100 newest": "SELECT TOP 100 $id, $ts AS ts, temperature FROM {t} ORDER BY ts DESC",
    "AVG per 10 min, 1 day": "SELECT AVG(temperature), MAX(humidity) FROM {t}"
    " WHERE WITHIN_WINDOW(P1D) GROUP BY WINDOW(PT10M)",
    "per device per hour, all": "SELECT $id, AVG(temperature), COUNT(pressure),"
    " LAST(humidity) FROM {t} GROUP BY WINDOW(PT1H)",
    "properties of every device": "SELECT $id, serialNumber FROM {t}",
}


async def fill(
    client: httpx.AsyncClient, runtime, device_count: int, days: float, every: float
) -> int:  # type: ignore[no-untyped-def]
    """Template and devices through the API; telemetry history straight into its table."""
    ga = {"api-version": "2022-07-31"}
    body = {
        "@id": TEMPLATE,
        "@type": ["ModelDefinition", "DeviceModel"],
        "displayName": "bench",
        "capabilityModel": MODEL,
    }
    (await client.put(f"/api/deviceTemplates/{TEMPLATE}", params=ga, json=body)).raise_for_status()
    for i in range(device_count):
        device = {"displayName": f"dev-{i:03d}", "template": TEMPLATE}
        (await client.put(f"/api/devices/dev-{i:03d}", params=ga, json=device)).raise_for_status()
    app_id = runtime.apps.default.id
    now = runtime.clock.timestamp()
    rng = random.Random(1)
    total = 0
    for d in range(device_count):
        rows = []
        ts = now - days * 86400
        while ts <= now:
            for name in ("temperature", "humidity", "pressure"):
                value = round(rng.uniform(0, 60), 2)
                rows.append(
                    {
                        "app_id": app_id,
                        "device_id": f"dev-{d:03d}",
                        "template": TEMPLATE,
                        "component": None,
                        "name": name,
                        "ts": ts,
                        "value": str(value),
                        "num": value,
                    }
                )
            ts += every
        async with runtime.db.write() as conn:
            await conn.execute(insert(telemetry), rows)
        total += len(rows)
    return total


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--days", type=float, default=3)
    parser.add_argument("--every", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(db_path=f"{folder}/bench.db", seed=1))
        runtime = app.state.runtime
        async with app.router.lifespan_context(app):
            runtime.clock.set_frozen(True)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://myapp.azureiotcentral.com",
                headers={"Authorization": DEFAULT_ADMIN_TOKEN},
            ) as client:
                started = time.perf_counter()
                points = await fill(client, runtime, args.devices, args.days, args.every)
                print(f"stored {points:,} telemetry points in {time.perf_counter() - started:.1f}s")
                for label, text in QUERIES.items():
                    timings, count, status = [], 0, 0
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        response = await client.post(
                            "/api/query?api-version=2022-10-31-preview",
                            json={"query": text.format(t=TEMPLATE)},
                        )
                        timings.append((time.perf_counter() - t0) * 1000)
                        status = response.status_code
                        count = len(response.json().get("results", []))
                    print(
                        f"{label:28} {status} rows={count:6d}"
                        f"  median {statistics.median(timings):7.1f} ms  max {max(timings):7.1f} ms"
                    )


if __name__ == "__main__":
    asyncio.run(main())
