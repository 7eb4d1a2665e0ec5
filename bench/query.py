"""How fast POST /api/query answers over a large telemetry history.

Run: python bench/query.py [--devices 20] [--days 3] [--every 60] [--repeat 5] [--json]
Stores `devices` x `days` of messages every `every` emulated seconds (three telemetry values each)
into a fresh SQLite file, then times each query through the ASGI app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
# name in the results: (label, query)
QUERIES = {
    "last_hour": (
        "last hour, 3 values",
        "SELECT $id, $ts, temperature, humidity, pressure FROM {t} WHERE WITHIN_WINDOW(PT1H)",
    ),
    "one_device_day": (
        "one device, 1 day, filter",
        "SELECT $ts, temperature AS t FROM {t}"
        " WHERE WITHIN_WINDOW(P1D) AND $id = 'dev-007' AND t > 30",
    ),
    "top_100": (
        "TOP 100 newest",
        "SELECT TOP 100 $id, $ts AS ts, temperature FROM {t} ORDER BY ts DESC",
    ),
    "avg_10min_day": (
        "AVG per 10 min, 1 day",
        "SELECT AVG(temperature), MAX(humidity) FROM {t}"
        " WHERE WITHIN_WINDOW(P1D) GROUP BY WINDOW(PT10M)",
    ),
    "per_device_hour": (
        "per device per hour, all",
        "SELECT $id, AVG(temperature), COUNT(pressure), LAST(humidity) FROM {t}"
        " GROUP BY WINDOW(PT1H)",
    ),
    "properties": ("properties of every device", "SELECT $id, serialNumber FROM {t}"),
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


async def measure(devices: int, days: float, every: float, repeat: int) -> dict[str, float]:
    """Every number this benchmark reports, by name: `<query>_ms` is the median of `repeat`."""
    results: dict[str, float] = {}
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
                results["points"] = await fill(client, runtime, devices, days, every)
                results["fill_s"] = time.perf_counter() - started
                for name, (_, text) in QUERIES.items():
                    timings = []
                    for _ in range(repeat):
                        t0 = time.perf_counter()
                        response = await client.post(
                            "/api/query?api-version=2022-10-31-preview",
                            json={"query": text.format(t=TEMPLATE)},
                        )
                        timings.append((time.perf_counter() - t0) * 1000)
                        if response.status_code != 200:
                            raise SystemExit(f"{name}: {response.status_code} {response.text}")
                    results[f"{name}_rows"] = len(response.json()["results"])
                    results[f"{name}_ms"] = statistics.median(timings)
                    results[f"{name}_max_ms"] = max(timings)
    return results


def report(r: dict[str, float]) -> None:
    print(f"stored {r['points']:,} telemetry points in {r['fill_s']:.1f}s")
    for name, (label, _) in QUERIES.items():
        print(
            f"{label:28} rows={r[name + '_rows']:6d}"
            f"  median {r[name + '_ms']:7.1f} ms  max {r[name + '_max_ms']:7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--days", type=float, default=3)
    parser.add_argument("--every", type=float, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = asyncio.run(measure(args.devices, args.days, args.every, args.repeat))
    if args.json:
        print(json.dumps(results))
    else:
        report(results)


if __name__ == "__main__":
    main()
