"""Registry benchmark against a real uvicorn process: create N devices through the API with a few
concurrent clients, walk every page of the list, and read a group matching half of them.

    python bench/registry.py [--devices 100000] [--clients 8] [--page-size 100] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "iotc-emulator-admin-token"
TEMPLATES = ("dtmi:bench:thermostat;1", "dtmi:bench:sensor;1")
GA = {"api-version": "2022-07-31"}
PREVIEW = "2022-10-31-preview"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(400):
        try:
            if (await client.get("/_emulator/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise SystemExit("the emulator did not start")


class RawClient:
    """A minimal keep-alive HTTP/1.1 client, so the benchmark's own CPU use stays small."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def put(self, path: str, body: bytes) -> tuple[int, bytes]:
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: myapp.localhost\r\nAuthorization: {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def create_devices(port: int, total: int, clients: int) -> float:
    """Seconds to PUT `total` devices, split over `clients` concurrent connections."""

    async def worker(index: int) -> None:
        client = await RawClient.connect(port)
        try:
            for i in range(index, total, clients):
                body = orjson.dumps({"displayName": f"Bench {i:06d}", "template": TEMPLATES[i % 2]})
                status, text = await client.put(
                    f"/api/devices/bench-{i:06d}?api-version=2022-07-31", body
                )
                if status != 200:
                    raise SystemExit(f"create failed: {status} {text[:300]!r}")
        finally:
            client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    return time.perf_counter() - started


async def walk(client: httpx.AsyncClient, total: int, page_size: int) -> tuple[float, list[float]]:
    """Seconds for the whole walk and each page's latency; checks each device came once."""
    seen: set[str] = set()
    latencies: list[float] = []
    url: str | None = "/api/devices"
    params: dict[str, str] | None = {"api-version": PREVIEW, "maxpagesize": str(page_size)}
    started = time.perf_counter()
    while url:
        t0 = time.perf_counter()
        response = await client.get(url, params=params)
        latencies.append(time.perf_counter() - t0)
        body = response.json()
        for device in body["value"]:
            if device["id"] in seen:
                raise SystemExit(f"{device['id']} listed twice")
            seen.add(device["id"])
        url, params = body.get("nextLink"), None
    if len(seen) != total:
        raise SystemExit(f"walk saw {len(seen)} devices, expected {total}")
    return time.perf_counter() - started, latencies


async def measure(devices: int, clients: int, page_size: int) -> dict[str, float]:
    """Every number this benchmark reports, by name."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "emulator",
                "--port",
                str(port),
                "--db",
                f"{tmp}/bench.db",
                "--log-level",
                "warning",
                "--seed",
                "1",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
        )
        try:
            async with httpx.AsyncClient(
                base_url=base, headers={"Authorization": TOKEN}, timeout=120
            ) as client:
                await wait_ready(client)
                model = {
                    "@id": "dtmi:bench:model;1",
                    "@type": "Interface",
                    "contents": [{"@type": "Telemetry", "name": "temperature", "schema": "double"}],
                }
                for template in TEMPLATES:
                    await client.put(
                        f"/api/deviceTemplates/{template}",
                        params=GA,
                        json={
                            "@type": ["ModelDefinition", "DeviceModel"],
                            "displayName": "Bench",
                            "capabilityModel": model,
                        },
                    )
                cpu_before = server_cpu_seconds(server.pid)
                created = await create_devices(port, devices, clients)
                create_cpu = server_cpu_seconds(server.pid) - cpu_before
                total, latencies = await walk(client, devices, page_size)
                group = {
                    "displayName": "Half",
                    "filter": f'SELECT * FROM devices WHERE $template = "{TEMPLATES[0]}"',
                }
                await client.put("/api/deviceGroups/half", params=GA, json=group)
                t0 = time.perf_counter()
                first_members = await client.get(
                    "/api/deviceGroups/half/devices",
                    params={"api-version": PREVIEW, "maxpagesize": "100"},
                )
                group_first_page = time.perf_counter() - t0
                sys.path.insert(0, str(ROOT))
                members_seconds = await member_ids_seconds(f"{tmp}/bench.db")
        finally:
            server.terminate()
            server.wait(timeout=30)

    first = statistics.mean(latencies[:5])
    last = statistics.mean(latencies[-5:])
    return {
        "devices": devices,
        "clients": clients,
        "create_s": created,
        "create_per_s": devices / created,
        "create_cpu_ms_per_device": create_cpu * 1000 / devices,
        "pages": len(latencies),
        "page_size": page_size,
        "walk_s": total,
        "first_page_ms": first * 1000,
        "last_page_ms": last * 1000,
        "page_ratio": last / first,
        "group_first_page_ms": group_first_page * 1000,
        "group_first_page_devices": len(first_members.json()["value"]),
        "member_ids_ms": members_seconds * 1000,
    }


def report(r: dict[str, float]) -> None:
    print(f"machine: {os.cpu_count()} cpus, {cpu_model()}, Python {platform.python_version()}")
    print(
        f"create {r['devices']} devices ({r['clients']} clients): {r['create_s']:.1f}s,"
        f" {r['create_per_s']:.0f} devices/s;"
        f" server CPU {r['create_cpu_ms_per_device']:.2f} ms per device"
    )
    print(
        f"list all, {r['pages']} pages of {r['page_size']}: {r['walk_s']:.1f}s;"
        f" first pages {r['first_page_ms']:.1f} ms, last pages {r['last_page_ms']:.1f} ms"
        f" (ratio {r['page_ratio']:.2f})"
    )
    print(
        f"group matching half: first page of members {r['group_first_page_ms']:.1f} ms"
        f" ({r['group_first_page_devices']} devices);"
        f" member_ids of {r['devices'] // 2} devices {r['member_ids_ms']:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = asyncio.run(measure(args.devices, args.clients, args.page_size))
    if args.json:
        print(json.dumps(results))
    else:
        report(results)


async def member_ids_seconds(db: str) -> float:
    """Time member_ids() (what jobs call) on the benchmark database, in-process."""
    from emulator.config import Settings
    from emulator.device_groups.service import member_ids
    from emulator.runtime.core import Runtime

    runtime = Runtime(Settings(db_path=db, seed=1))
    await runtime.db.create_schema()
    await runtime.apps.load()
    app = runtime.apps.all()[0]
    t0 = time.perf_counter()
    ids = await member_ids(runtime, app_id=app.id, group_id="half")
    elapsed = time.perf_counter() - t0
    await runtime.db.close()
    assert len(ids) == len(set(ids))
    return elapsed


if __name__ == "__main__":
    main()
