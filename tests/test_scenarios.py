"""Scenario files: checked against the schema, errors with their path, loaded at boot and reset."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from emulator.scenarios import document
from emulator.scenarios.document import ScenarioError
from emulator.scenarios.schema import REPO_COPY, render
from tests.test_errors import assert_envelope

ROOT = Path(__file__).parents[1]


def _write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_repo_copy_of_the_schema_is_current() -> None:
    assert REPO_COPY.read_bytes() == render(), (
        "scenarios/scenario.schema.json is stale; rewrite it: python -m emulator.scenarios.schema"
    )


def test_shipped_scenario_is_valid() -> None:
    scenario = document.read(str(ROOT / "scenarios" / "logistics.yaml"))
    (section,) = scenario.apps
    assert section.subdomain is None and scenario.seed == 2023
    assert [d["id"] for d in section.content["devices"]][:2] == ["truck-west-01", "truck-west-02"]
    assert {g["id"] for g in section.content["deviceGroups"]} == {"west-trucks", "east-trucks"}


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("devices:\n  - {id: a}\n  - {displayName: b}\n", "devices[1]", "'id' is a required"),
        ("devices:\n  - {id: a, simulated: maybe}\n", "devices[0].simulated", "not of type"),
        ("device: []\n", "", "unknown field 'device'; the fields allowed here are: apiTokens"),
        (
            "applications:\n  - subdomain: two\n    apiTokens: [{id: t, x: 1}]\n",
            "applications[0].apiTokens[0]",
            "unknown field 'x'",
        ),
        ("clock: {start: yesterday}\n", "clock.start", "not an RFC 3339 time"),
        ("devices: [\n", "line 2, column 1", "not valid YAML or JSON"),
    ],
)
def test_malformed_scenarios_name_file_path_and_problem(
    tmp_path: Path, text: str, where: str, fragment: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        document.read(path)
    assert caught.value.source == path and caught.value.where == where
    assert fragment in caught.value.problem
    assert str(caught.value).startswith(f"scenario {path}")


def test_json_scenarios_are_read_too(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"seed": 7, "applications": [{"subdomain": "two"}]}', "s.json")
    scenario = document.read(path)
    assert scenario.seed == 7 and scenario.subdomains() == ("two",)


async def test_boot_sets_seed_clock_and_applications(make_emulator, tmp_path: Path) -> None:  # noqa: ANN001
    path = _write(
        tmp_path,
        "seed: 99\nclock: {start: '2023-04-25T08:00:00Z', scale: 5, frozen: true}\n"
        "applications:\n  - subdomain: attendee-1\n  - subdomain: attendee-2\n",
    )
    async with make_emulator(scenario=path) as emu:
        runtime = emu.runtime
        assert runtime.settings.seed == 99
        assert runtime.clock.now() == datetime(2023, 4, 25, 8, tzinfo=UTC)
        assert runtime.clock.scale == 5
        assert [a.subdomain for a in runtime.apps.all()] == ["myapp", "attendee-1", "attendee-2"]
        health = (await emu.client.get("/_emulator/health")).json()
        assert health["seed"] == 99


async def test_an_unknown_section_stops_the_boot(make_emulator, tmp_path) -> None:  # noqa: ANN001
    path = _write(tmp_path, "dashboards: []\n")
    with pytest.raises(ScenarioError, match="dashboards"):
        async with make_emulator(scenario=path):
            pass


async def test_schema_is_served_without_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/_emulator/scenario-schema", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/schema+json"
    assert response.json()["$id"] == "urn:iotc-emulator:scenario:1"


async def test_loading_a_bad_scenario_over_http_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post("/_emulator/scenario", content=b"devices: [{displayName: x}]\n")
    error = assert_envelope(response, 400, "BadRequest")
    assert "scenario (request body) at devices[0]: 'id' is a required property" in error["message"]


async def test_loading_over_http_adds_its_applications(client: httpx.AsyncClient, emu) -> None:  # noqa: ANN001
    response = await client.post(
        "/_emulator/scenario",
        content=b'{"clock": {"start": "2030-01-01T00:00:00Z"},'
        b' "applications": [{"subdomain": "b", "devices": []}]}',
    )
    assert response.status_code == 200 and response.json() == {"applications": ["b"]}
    assert emu.runtime.apps.taken("b")
    assert emu.runtime.clock.now().year == 2030


def test_a_bad_scenario_ends_the_process_in_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "devices:\n  - {id: a, enabled: sometimes}\n")
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--in-memory", "--port", "1", "--scenario", path],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert path in lines[0] and "devices[0].enabled" in lines[0]
