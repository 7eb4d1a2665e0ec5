"""Workshop numbers: applications created through the control plane, scenario load and reset.

python bench/workshop.py [attendees] [devices] [--json]
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
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.app import create_app  # noqa: E402
from emulator.config import Settings  # noqa: E402

ARM = "/subscriptions/bench/resourceGroups/workshop/providers/Microsoft.IoTCentral/iotApps"


def scenario_text(devices: int) -> str:
    template = "dtmi:bench:Truck;1"
    return yaml.safe_dump(
        {
            "deviceTemplates": [
                {"id": template, "modelFile": str(ROOT / "scenarios/models/thermostat-1.json")}
            ],
            "devices": [
                {"id": f"truck-{i:05d}", "template": template, "simulated": i % 2 == 0}
                for i in range(devices)
            ],
            "deviceGroups": [
                {"id": f"g{r}", "displayName": f"Region {r}", "filter": "SELECT * FROM devices"}
                for r in range(4)
            ],
        }
    )


async def measure(attendees: int, devices: int) -> dict[str, float]:
    """Every number this benchmark reports, by name."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(scenario_text(devices))
        started = time.perf_counter()
        app = create_app(Settings(db_path=str(Path(folder) / "b.db"), scenario=str(path)))
        runtime = app.state.runtime
        async with app.router.lifespan_context(app):
            boot = time.perf_counter() - started
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://myapp.localhost",
                headers={"Authorization": "Bearer bench"},
            ) as client:
                started = time.perf_counter()
                await runtime.reset(runtime.apps.default)
                reset = time.perf_counter() - started
                started = time.perf_counter()
                for n in range(attendees):
                    response = await client.put(
                        f"{ARM}/attendee-{n:03d}?api-version=2021-06-01",
                        json={"location": "eastus", "sku": {"name": "ST2"}},
                    )
                    assert response.status_code == 201, response.text
                create = time.perf_counter() - started
    return {
        "devices": devices,
        "attendees": attendees,
        "boot_s": boot,
        "reset_s": reset,
        "create_s": create,
        "create_ms_per_app": create / attendees * 1000,
    }


def report(r: dict[str, float]) -> None:
    print(
        f"scenario with {r['devices']} devices: boot {r['boot_s']:.2f}s, reset {r['reset_s']:.2f}s"
    )
    print(
        f"control plane: {r['attendees']} applications in {r['create_s']:.2f}s"
        f" ({r['create_ms_per_app']:.1f} ms each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("attendees", type=int, nargs="?", default=30)
    parser.add_argument("devices", type=int, nargs="?", default=500)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = asyncio.run(measure(args.attendees, args.devices))
    if args.json:
        print(json.dumps(results))
    else:
        report(results)


if __name__ == "__main__":
    main()
