"""The real `python -m emulator` process over HTTP, stopped and started on the same file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from emulator.config import DEFAULT_ADMIN_TOKEN

ROOT = Path(__file__).parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_emulator(*args: str, port: int | None = None) -> Iterator[str]:
    """Start the real server, wait for health, yield its base URL, stop it with SIGTERM."""
    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"emulator did not start: {proc.stdout.read()}")  # type: ignore[union-attr]
            time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_serves_over_http_and_keeps_state_across_restarts(tmp_path: Path) -> None:
    db = str(tmp_path / "e2e.db")
    admin = {"Authorization": DEFAULT_ADMIN_TOKEN}
    with running_emulator("--db", db, "--seed", "3") as base:
        health = httpx.get(f"{base}/_emulator/health").json()
        assert health["status"] == "ok" and health["database"] == db
        first_app = health["applications"]
        roles = httpx.get(f"{base}/api/roles?api-version=2022-07-31", headers=admin)
        assert roles.status_code == 200 and len(roles.json()["value"]) == 3
        denied = httpx.get(f"{base}/api/roles?api-version=2022-07-31")
        assert denied.status_code == 401 and denied.json()["error"]["code"] == "Unauthenticated"
        clock = httpx.post(f"{base}/_emulator/clock", json={"advance": "P1D"}, headers=admin)
        assert clock.status_code == 200
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "IoT Central emulator"
    with running_emulator("--db", db) as base:
        assert httpx.get(f"{base}/_emulator/health").json()["applications"] == first_app
        assert (
            httpx.get(f"{base}/api/roles?api-version=2022-07-31", headers=admin).status_code == 200
        )
