"""Jobs survive the process: a clean restart continues them, and so does a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from emulator.config import DEFAULT_ADMIN_TOKEN
from tests.jobs.fleet import (
    GA,
    GROUP,
    THERMOSTAT,
    create_job,
    job,
    make_fleet,
    progress,
    property_job,
    statuses,
    thermostat_template,
)
from tests.test_end_to_end import ROOT, free_port

DEVICES = [f"d{n:03d}" for n in range(60)]


async def test_a_running_job_continues_after_a_restart(make_emulator) -> None:
    async with make_emulator() as emu:
        await make_fleet(emu.client, offline=DEVICES[:20])
        await create_job(emu.client, "j", property_job())
        await emu.advance(0.45)
        assert progress(await job(emu.client, "j")) == (20, 12, 8, 0)
        await create_job(emu.client, "queued", property_job())  # still pending at the stop
    async with make_emulator() as emu:
        assert (await job(emu.client, "j"))["status"] == "running"
        await emu.advance(3)
        for job_id in ("j", "queued"):
            done = await job(emu.client, job_id)
            assert done["status"] == "complete" and progress(done) == (20, 0, 20, 0)
        assert set((await statuses(emu.client, "j")).values()) == {"completed"}


def start(db: str, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", str(port), "--db", db, "--seed", "5"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def wait_healthy(base: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the emulator exited"
        try:
            if httpx.get(f"{base}/_emulator/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("the emulator did not start")


def test_sigkill_mid_job_then_restart_finishes_every_device_once(tmp_path: Path) -> None:
    db, port = str(tmp_path / "kill.db"), free_port()
    base = f"http://127.0.0.1:{port}"
    api = httpx.Client(base_url=base, headers={"Authorization": DEFAULT_ADMIN_TOKEN}, params=GA)
    proc = start(db, port)
    try:
        wait_healthy(base, proc)
        api.put(f"/api/deviceTemplates/{THERMOSTAT}", json=thermostat_template()).raise_for_status()
        for device_id in DEVICES:
            api.put(f"/api/devices/{device_id}", json={"template": THERMOSTAT}).raise_for_status()
        group = {"displayName": "All", "filter": "SELECT * FROM devices"}
        api.put(f"/api/deviceGroups/{GROUP}", json=group).raise_for_status()
        api.put("/api/jobs/j", json=property_job(30)).raise_for_status()
        # 60 devices at 20 per second: kill it about halfway.
        deadline = time.monotonic() + 20
        while api.get("/api/jobs/j").json().get("progress", {}).get("completed", 0) < 25:
            assert time.monotonic() < deadline, "the job did not progress"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

        proc = start(db, port)
        wait_healthy(base, proc)
        deadline = time.monotonic() + 20
        while (found := api.get("/api/jobs/j").json())["status"] == "running":
            assert time.monotonic() < deadline, "the job did not finish after the restart"
            time.sleep(0.1)
        assert found["status"] == "complete"
        assert found["progress"] == {"total": 60, "pending": 0, "completed": 60, "failed": 0}
        devices, page = [], api.get("/api/jobs/j/devices").json()
        while True:  # pages of 25, linked by nextLink
            devices += page["value"]
            if "nextLink" not in page:
                break
            page = httpx.get(page["nextLink"], headers=api.headers).json()
        assert sorted(d["id"] for d in devices) == DEVICES
        assert {d["status"] for d in devices} == {"completed"}
        versions = [
            api.get(f"/api/devices/{d}/properties").json()["$metadata"]["targetTemperature"][
                "desiredVersion"
            ]
            for d in DEVICES
        ]
        # Written once each, except the few in flight (dispatched, result not yet written).
        assert set(versions) <= {1, 2} and versions.count(2) <= 12
    finally:
        proc.kill()
        proc.wait(timeout=10)
