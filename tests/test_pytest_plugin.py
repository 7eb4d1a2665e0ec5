"""The iotc_emulator fixture, used the way a CI suite uses it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest

from emulator.pytest_plugin import EmulatorOptions, RunningEmulator
from emulator.scenarios.document import ScenarioError

ROOT = Path(__file__).parents[1]
TWO_APPS = "tests/scenarios/two-apps.yaml"


def test_the_package_registers_the_plugin_with_pytest() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {
        "emulator.pytest_plugin": "emulator.pytest_plugin"
    }


def test_a_real_emulator_answers_with_a_frozen_clock(iotc_emulator: RunningEmulator) -> None:
    admin = {"Authorization": iotc_emulator.admin_token}
    health = httpx.get(f"{iotc_emulator.url}/_emulator/health")
    assert health.status_code == 200 and health.json()["seed"] == 1234
    roles = httpx.get(f"{iotc_emulator.url}/api/roles?api-version=2022-07-31", headers=admin)
    assert roles.status_code == 200

    clock = httpx.get(f"{iotc_emulator.url}/_emulator/clock", headers=admin).json()
    assert clock["frozen"] is True
    before = iotc_emulator.runtime.clock.timestamp()
    iotc_emulator.advance("PT5M")
    iotc_emulator.advance(30)
    assert iotc_emulator.runtime.clock.timestamp() - before == 330


@pytest.mark.iotc_emulator(scenario=TWO_APPS, seed=5)
def test_marker_selects_a_scenario(iotc_emulator: RunningEmulator) -> None:
    health = httpx.get(f"{iotc_emulator.url}/_emulator/health").json()
    assert health["seed"] == 42  # the scenario's seed wins over the marker's
    assert [a["subdomain"] for a in health["applications"]] == ["myapp", "north", "south"]
    assert iotc_emulator.runtime.clock.now().isoformat() == "2024-01-01T06:00:00+00:00"
    north = httpx.get(
        f"{iotc_emulator.url}/api/roles?api-version=2022-07-31",
        headers={**iotc_emulator.host("north"), "Authorization": iotc_emulator.admin_token},
    )
    assert north.status_code == 200


def test_helpers_reset_and_load_a_scenario(iotc_emulator: RunningEmulator, tmp_path: Path) -> None:
    scenario = tmp_path / "later.yaml"
    scenario.write_text(
        "clock: {start: '2031-05-01T00:00:00Z'}\napplications: [{subdomain: late}]\n"
    )
    iotc_emulator.load_scenario(str(scenario))
    assert iotc_emulator.runtime.apps.taken("late")
    assert iotc_emulator.runtime.clock.now().year == 2031
    iotc_emulator.reset("late")
    iotc_emulator.reset()


def test_a_scenario_the_api_refuses_fails_the_start(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("devices:\n  - {id: d1, template: 'dtmi:absent;1'}\n")
    emulator = RunningEmulator(EmulatorOptions(scenario=str(scenario)))
    with pytest.raises(ScenarioError, match=r"at devices\[0\]: PUT /api/devices/d1 answered 4"):
        emulator.start()
    emulator.stop()
