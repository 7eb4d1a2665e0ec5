"""Every request of the jobs how-to, verbatim with api-version=preview, and with 2022-07-31."""

from __future__ import annotations

from typing import Any

import pytest

from tests.jobs.fleet import (
    CONTROLLER,
    GA,
    GROUP,
    THERMOSTAT,
    job,
    make_fleet,
    progress,
    put_ok,
    statuses,
    thermostat_template,
)

THERMOSTATS = [f"therm-{n:02d}" for n in range(1, 10)]

# The body of the how-to's "Create a job" request, byte for byte.
CREATE_JOB_006 = {
    "displayName": "Set target temperature",
    "description": "Set target temperature device property",
    "group": "833d7a7d-8f99-4e04-9e56-745806bdba6e",
    "batch": {"type": "percentage", "value": 25},
    "cancellationThreshold": {"type": "percentage", "value": 10, "batch": False},
    "data": [
        {
            "type": "PropertyJobData",
            "target": "dtmi:modelDefinition:zomtmdxh:eqod32zbyl",
            "path": "targetTemperature",
            "value": "55",
        }
    ],
}

# The job the how-to reads back with GET /jobs/job-004.
JOB_004 = {
    "displayName": "Run device report",
    "description": "Call command to run the device reports",
    "group": "833d7a7d-8f99-4e04-9e56-745806bdba6e",
    "batch": {"type": "percentage", "value": 25},
    "cancellationThreshold": {"type": "percentage", "value": 10, "batch": False},
    "data": [
        {
            "type": "CommandJobData",
            "target": "dtmi:modelDefinition:zomtmdxh:eqod32zbyl",
            "path": "getMaxMinReport",
            "value": "2021-06-15T05:00:00.000Z",
        }
    ],
}

# The cloud-property job of the how-to's list (group 4fcbec3b-..., CustomerName = Contoso).
CLOUD_GROUP = "4fcbec3b-5ee8-4324-855d-0f03b56bcf7f"
JOB_CLOUD = {
    "displayName": "Set customer name",
    "description": "Set the customer name cloud property",
    "group": CLOUD_GROUP,
    "data": [
        {
            "type": "CloudPropertyJobData",
            "target": "dtmi:modelDefinition:zomtmdxh:eqod32zbyl",
            "path": "CustomerName",
            "value": "Contoso",
        }
    ],
}


def spelled(body: dict[str, Any], spelling: str) -> dict[str, Any]:
    """The body with its data types in the spec's spelling when asked."""
    if spelling == "docs":
        return body
    names = {"PropertyJobData": "property", "CommandJobData": "command"}
    names["CloudPropertyJobData"] = "cloudProperty"
    return {**body, "data": [{**d, "type": names[d["type"]]} for d in body["data"]]}


async def desired(client: Any, device_id: str, name: str) -> Any:
    found = await client.get(f"/api/devices/{device_id}/properties", params=GA)
    assert found.status_code == 200, found.text
    return found.json()["$metadata"][name]["desiredValue"]


@pytest.mark.parametrize(("version", "spelling"), [("preview", "docs"), ("2022-07-31", "spec")])
async def test_create_stop_resume_rerun_as_the_howto_shows(emu, version, spelling) -> None:
    client = emu.client
    q = f"?api-version={version}"
    await make_fleet(client, online=THERMOSTATS, controllers=["ctrl-01"])
    body = spelled(CREATE_JOB_006, spelling)

    created = await client.put(f"/api/jobs/job-006{q}", json=body)
    assert created.status_code == 200
    assert created.json() == {"id": "job-006", **body, "status": "pending"}

    listed = (await client.get(f"/api/jobs{q}")).json()["value"]
    assert [j["id"] for j in listed] == ["job-006"]
    assert listed[0]["data"][0]["type"] == body["data"][0]["type"]

    await emu.advance(0)
    assert (await client.get(f"/api/jobs/job-006{q}")).json()["status"] == "running"
    stop = await client.post(f"/api/jobs/job-006/stop{q}")
    assert stop.status_code == 204 and stop.content == b""
    assert (await client.get(f"/api/jobs/job-006{q}")).json()["status"] == "stopped"
    resume = await client.post(f"/api/jobs/job-006/resume{q}")
    assert resume.status_code == 204
    assert (await client.get(f"/api/jobs/job-006{q}")).json()["status"] == "running"

    await emu.advance(5)
    done = (await client.get(f"/api/jobs/job-006{q}")).json()
    assert done["status"] == "complete" and done["start"] <= done["end"]
    # One failure in ten devices is 10 %: at the threshold, not over it.
    assert progress(done) == (10, 0, 9, 1)
    devices = (await client.get(f"/api/jobs/job-006/devices{q}")).json()["value"]
    assert devices == [
        {"id": "ctrl-01", "status": "failed"},
        *({"id": d, "status": "completed"} for d in THERMOSTATS),
    ]
    # "55" was sent for a double: the devices receive the number 55.
    assert [await desired(client, d, "targetTemperature") for d in THERMOSTATS] == [55] * 9

    rerun = await client.put(f"/api/jobs/job-006/rerun/rerun-001{q}")
    assert rerun.status_code == 200
    assert rerun.json()["id"] == "rerun-001" and rerun.json()["data"] == body["data"]
    assert rerun.json()["status"] == "pending"
    assert rerun.json()["progress"] == {"total": 1, "pending": 1, "completed": 0, "failed": 0}
    await emu.advance(5)
    assert await statuses(client, "rerun-001") == {"ctrl-01": "failed"}
    assert (await job(client, "rerun-001"))["status"] == "failed"


@pytest.mark.parametrize(("version", "spelling"), [("preview", "docs"), ("2022-07-31", "spec")])
async def test_command_and_cloud_property_jobs_of_the_howto(emu, version, spelling) -> None:
    client = emu.client
    q = f"?api-version={version}"
    await make_fleet(
        client,
        online=THERMOSTATS,
        group_filter=f'SELECT * FROM devices WHERE $template = "{THERMOSTAT}"',
    )
    await put_ok(
        client,
        f"/api/deviceGroups/{CLOUD_GROUP}",
        {"displayName": "All", "filter": "SELECT * FROM devices"},
    )
    await emu.advance(60)  # the thermostats send temperatures for the report to cover

    assert (
        await client.put(f"/api/jobs/job-004{q}", json=spelled(JOB_004, spelling))
    ).status_code == 200
    cloud = await client.put(f"/api/jobs/job-005{q}", json=spelled(JOB_CLOUD, spelling))
    assert cloud.status_code == 200
    await emu.advance(5)

    got = (await client.get(f"/api/jobs/job-004{q}")).json()
    expected = {"id": "job-004", **spelled(JOB_004, spelling), "status": "complete"}
    assert {k: got[k] for k in expected} == expected
    devices = (await client.get(f"/api/jobs/job-004/devices{q}")).json()
    assert devices == {"value": [{"id": d, "status": "completed"} for d in THERMOSTATS]}

    listed = (await client.get(f"/api/jobs{q}")).json()["value"]
    assert [j["id"] for j in listed] == ["job-005", "job-004"]  # newest first, as in the how-to
    assert listed[0]["data"][0]["type"] == spelled(JOB_CLOUD, spelling)["data"][0]["type"]
    for device_id in THERMOSTATS:
        found = await client.get(f"/api/devices/{device_id}/properties", params=GA)
        assert found.json()["CustomerName"] == "Contoso"


async def test_either_spelling_is_accepted_and_answered_per_version(emu) -> None:
    client = emu.client
    await make_fleet(client, online=["therm-01"])
    await client.put("/api/jobs/a?api-version=2022-07-31", json=CREATE_JOB_006)
    await client.put("/api/jobs/b?api-version=preview", json=spelled(CREATE_JOB_006, "spec"))
    for job_id in ("a", "b"):
        ga = (await client.get(f"/api/jobs/{job_id}?api-version=2022-07-31")).json()
        docs = (await client.get(f"/api/jobs/{job_id}?api-version=preview")).json()
        assert ga["data"][0]["type"] == "property" and docs["data"][0]["type"] == "PropertyJobData"
    old = await client.get("/api/jobs?api-version=1.0")
    assert old.status_code == 404 and "Jobs_List" in old.json()["error"]["message"]


async def test_a_migrated_device_gets_the_new_template(emu) -> None:
    client = emu.client
    await make_fleet(client, online=["therm-01"])
    assert CONTROLLER != THERMOSTAT
    await put_ok(client, f"/api/deviceTemplates/{THERMOSTAT}", thermostat_template())
    body = {
        "group": GROUP,
        "data": [{"type": "DeviceTemplateMigrationJobData", "template": CONTROLLER}],
    }
    created = await client.put("/api/jobs/move?api-version=preview", json=body)
    assert created.status_code == 200
    assert created.json()["data"] == body["data"]
    await emu.advance(1)
    assert (await job(client, "move"))["status"] == "complete"
    device = (await client.get("/api/devices/therm-01", params=GA)).json()
    assert device["template"] == CONTROLLER
