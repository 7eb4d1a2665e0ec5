"""Workshop numbers: applications created through the control plane, scenario load and reset.

python bench/workshop.py [attendees] [devices]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from emulator.app import create_app
from emulator.config import Settings

ROOT = Path(__file__).parents[1]
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


async def main(attendees: int, devices: int) -> None:
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
    print(f"scenario with {devices} devices: boot {boot:.2f}s, reset {reset:.2f}s")
    print(
        f"control plane: {attendees} applications in {create:.2f}s"
        f" ({create / attendees * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [30, 500][len(args) :])))
