"""The compose example and the container scenario: consistent files, and the same start for real."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from emulator.config import DEFAULT_ADMIN_TOKEN
from emulator.scenarios import document
from tests.test_end_to_end import running_emulator

ROOT = Path(__file__).parents[1]


def test_compose_mounts_a_valid_scenario_and_checks_health() -> None:
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["iotc-emulator"]
    host_dir, container_dir, _ = service["volumes"][0].split(":")
    scenario = service["environment"]["IOTC_SCENARIO"]
    assert scenario.startswith(container_dir + "/")
    local = ROOT / host_dir / scenario.removeprefix(container_dir + "/")
    assert document.read(str(local)).apps
    assert "/_emulator/health" in " ".join(service["healthcheck"]["test"])
    assert "COPY scenarios ./scenarios" in (ROOT / "Dockerfile").read_text()


def test_the_process_starts_from_a_scenario_named_by_the_environment(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("IOTC_SCENARIO", str(ROOT / "tests" / "scenarios" / "fleet.yaml"))
    with running_emulator("--in-memory") as base:
        admin = {"Authorization": DEFAULT_ADMIN_TOKEN}
        url = f"{base}/api/devices?api-version=2022-07-31"
        devices = httpx.get(url, headers=admin).json()["value"]
        assert sorted(d["id"] for d in devices) == ["gateway-1", "truck-1", "truck-2"]
        httpx.delete(f"{base}/api/devices/truck-1?api-version=2022-07-31", headers=admin)
        assert httpx.post(f"{base}/_emulator/reset", headers=admin).status_code == 204
        assert len(httpx.get(url, headers=admin).json()["value"]) == 3
