"""Stop, resume and rerun, and every refusal with the status it names; creation checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jobs.fleet import (
    GA,
    THERMOSTAT,
    create_job,
    job,
    make_fleet,
    progress,
    property_job,
    statuses,
)

DEVICES = [f"d{n:02d}" for n in range(20)]


async def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["x-ms-error-code"] == code
    return response.json()["error"]["message"]


async def test_stop_lets_in_flight_devices_finish_then_resume_continues(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=DEVICES)
    await create_job(client, "j", property_job())
    await emu.advance(0.25)  # steps at 0, 0.1, 0.2: four done, two in flight
    assert (await client.post("/api/jobs/j/stop", params=GA)).status_code == 204
    assert (await job(client, "j"))["status"] == "stopped"
    await emu.advance(5)
    stopped = await job(client, "j")
    assert stopped["status"] == "stopped" and progress(stopped) == (20, 14, 6, 0)
    assert (await client.post("/api/jobs/j/resume", params=GA)).status_code == 204
    await emu.advance(5)
    done = await job(client, "j")
    assert done["status"] == "complete" and progress(done) == (20, 0, 20, 0)
    assert set((await statuses(client, "j")).values()) == {"completed"}


@pytest.mark.parametrize("action", ["stop", "resume"])
async def test_actions_in_the_wrong_state_name_the_status(emu, action) -> None:
    client = emu.client
    await make_fleet(client, offline=DEVICES[:2])
    await create_job(client, "j", property_job())
    pending = await client.post(f"/api/jobs/j/{action}", params=GA)
    assert "is pending" in await error(pending, 409, "Conflict")
    await emu.advance(5)
    done = await client.post(f"/api/jobs/j/{action}", params=GA)
    assert "is complete" in await error(done, 409, "Conflict")
    missing = await client.post(f"/api/jobs/nope/{action}", params=GA)
    await error(missing, 404, "NotFound")


async def test_stop_twice_and_resume_while_running(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=DEVICES)
    await create_job(client, "j", property_job())
    await emu.advance(0)
    running = await client.post("/api/jobs/j/resume", params=GA)
    assert "is running; only a stopped job can be resumed" in await error(running, 409, "Conflict")
    assert (await client.post("/api/jobs/j/stop", params=GA)).status_code == 204
    again = await client.post("/api/jobs/j/stop", params=GA)
    assert "is stopped; only a running job can be stopped" in await error(again, 409, "Conflict")


async def test_rerun_covers_exactly_the_failed_devices(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=["t1", "t2"], controllers=["c1", "c2"])
    await create_job(client, "j", property_job())
    await emu.advance(2)
    assert progress(await job(client, "j")) == (4, 0, 2, 2)
    # The controllers now run the thermostat model, so the rerun succeeds on both.
    for device_id in ("c1", "c2"):
        moved = await client.patch(
            f"/api/devices/{device_id}", params=GA, json={"template": THERMOSTAT}
        )
        assert moved.status_code == 200
    rerun = await client.put("/api/jobs/j/rerun/again", params=GA)
    assert rerun.status_code == 200 and rerun.json()["id"] == "again"
    await emu.advance(2)
    assert await statuses(client, "again") == {"c1": "completed", "c2": "completed"}
    assert (await job(client, "again"))["status"] == "complete"


async def test_rerun_refusals(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=DEVICES[:4], controllers=["c1"])
    await create_job(client, "j", property_job())
    await emu.advance(0)
    running = await client.put("/api/jobs/j/rerun/r1", params=GA)
    assert "is running" in await error(running, 409, "Conflict")
    await emu.advance(5)
    taken = await client.put("/api/jobs/j/rerun/j", params=GA)
    assert "already exists" in await error(taken, 409, "Conflict")
    bad = await client.put("/api/jobs/j/rerun/not%20ok", params=GA)
    assert "letters, digits" in await error(bad, 400, "BadRequest")
    missing = await client.put("/api/jobs/nope/rerun/r1", params=GA)
    await error(missing, 404, "NotFound")
    assert (await client.put("/api/jobs/j/rerun/r1", params=GA)).status_code == 200
    await emu.advance(5)
    # A job without a failed device has nothing to rerun.
    only_x = 'SELECT * FROM devices WHERE $id = "x1"'
    await make_fleet(client, offline=["x1"], group="only-x", group_filter=only_x)
    await create_job(client, "clean", {**property_job(), "group": "only-x"})
    await emu.advance(2)
    clean = await client.put("/api/jobs/clean/rerun/r2", params=GA)
    assert "no failed devices" in await error(clean, 409, "Conflict")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**property_job(), "group": "missing"}, "device group 'missing' does not exist"),
        (
            {
                **property_job(),
                "data": [{"type": "property", "target": "dtmi:x:y;1", "path": "p", "value": 1}],
            },
            "device template 'dtmi:x:y;1' does not exist",
        ),
        (
            {
                **property_job(),
                "data": [
                    {
                        "type": "property",
                        "target": THERMOSTAT,
                        "path": "maxTempSinceLastReboot",
                        "value": 1,
                    }
                ],
            },
            "'maxTempSinceLastReboot' is not a writable property",
        ),
        (
            {
                **property_job(),
                "data": [
                    {
                        "type": "cloudProperty",
                        "target": THERMOSTAT,
                        "path": "targetTemperature",
                        "value": 1,
                    }
                ],
            },
            "is not a cloud property",
        ),
        (
            {
                **property_job(),
                "data": [{"type": "command", "target": THERMOSTAT, "path": "reboot"}],
            },
            "'reboot' is not a command",
        ),
        (property_job(value="hot"), "does not fit its schema"),
        (property_job(value=None), "must not be null"),
        ({**property_job(), "data": []}, "'data' is required"),
        ({**property_job(), "batch": {"type": "number", "value": 0}}, "at least 1"),
        (
            {**property_job(), "cancellationThreshold": {"type": "ratio", "value": 1}},
            "'number' or 'percentage'",
        ),
    ],
)
async def test_invalid_jobs_get_400_and_nothing_is_stored(emu, body, message) -> None:
    await make_fleet(emu.client, offline=["d1"])
    response = await emu.client.put("/api/jobs/j", params=GA, json=body)
    assert message in await error(response, 400, "BadRequest")
    await error(await emu.client.get("/api/jobs/j", params=GA), 404, "NotFound")


async def test_component_paths_and_duplicate_ids(emu) -> None:
    client = emu.client
    await make_fleet(client, controllers=["c1"])
    body = property_job(22)
    body["data"][0].update(
        target="dtmi:modelDefinition:bojo9tfju:yfvu5gv2vl", path="thermostat1.targetTemperature"
    )
    await create_job(client, "j", body)
    duplicate = await client.put("/api/jobs/j", params=GA, json=body)
    assert "already exists" in await error(duplicate, 409, "Conflict")
    bad_id = await client.put("/api/jobs/a.b", params=GA, json=body)
    await error(bad_id, 400, "BadRequest")
    not_json = await client.put(
        "/api/jobs/k", params=GA, content=b"{", headers={"content-type": "application/json"}
    )
    await error(not_json, 400, "BadRequest")
    await emu.advance(1)
    assert (await job(client, "j"))["status"] == "complete"
    found = await client.get("/api/devices/c1/components/thermostat1/properties", params=GA)
    assert found.json()["$metadata"]["targetTemperature"]["desiredValue"] == 22
