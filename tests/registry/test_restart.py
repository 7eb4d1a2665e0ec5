"""The real process keeps templates, devices and groups across a restart on the same database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from emulator.config import DEFAULT_ADMIN_TOKEN
from tests.registry.models import CONTROLLER_TEMPLATE, controller_template

GA = {"api-version": "2022-07-31"}
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(db: Path) -> Iterator[httpx.Client]:
    """`python -m emulator` on a free port, with a client once /_emulator/health answers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--db", str(db), "--seed", "7"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers={"Authorization": DEFAULT_ADMIN_TOKEN}) as client:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if client.get("/_emulator/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.05)
            yield client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_restart_keeps_the_registry(tmp_path):
    db = tmp_path / "registry.db"
    with running(db) as client:
        template = client.put(
            f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=GA, json=controller_template()
        ).json()
        for i in range(3):
            client.put(
                f"/api/devices/ctrl-{i}",
                params=GA,
                json={"template": CONTROLLER_TEMPLATE, "simulated": i == 0},
            )
        made = client.get("/api/devices", params=GA).json()["value"]
        assert made[0]["provisioned"] is True  # the simulated one connected
        group = client.put(
            "/api/deviceGroups/sim",
            params=GA,
            json={
                "displayName": "Simulated",
                "filter": "SELECT * FROM devices WHERE $simulated = true",
            },
        ).json()
        credentials = client.get("/api/devices/ctrl-1/credentials", params=GA).json()

    with running(db) as client:
        assert (
            client.get(f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=GA).json() == template
        )
        assert client.get("/api/devices", params=GA).json()["value"] == made
        assert client.get("/api/deviceGroups/sim", params=GA).json() == group
        members = client.get("/api/deviceGroups/sim/devices", params=GA).json()["value"]
        assert [d["id"] for d in members] == ["ctrl-0"]
        assert client.get("/api/devices/ctrl-1/credentials", params=GA).json() == credentials
        components = client.get("/api/devices/ctrl-2/components", params=GA).json()["value"]
        assert len(components) == 3
