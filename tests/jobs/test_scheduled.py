"""Scheduled jobs: occurrences on the clock, enable/disable, patch, etags, delete."""

from __future__ import annotations

from typing import Any

from emulator.runtime.clock import iso_from_timestamp
from tests.jobs.fleet import GA, PREVIEW, make_fleet, progress, property_job

DAY = 86400.0


def schedule_body(emu: Any, *, after: float = 60, **schedule: Any) -> dict[str, Any]:
    start = iso_from_timestamp(emu.runtime.clock.timestamp() + after)
    return {**property_job(), "schedule": {"start": start, **schedule}}


async def jobs_of(client: Any, scheduled_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/scheduledJobs/{scheduled_id}/jobs", params=GA)
    assert response.status_code == 200, response.text
    return response.json()["value"]


async def test_a_daily_schedule_runs_three_occurrences(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=["d1", "d2"])
    body = schedule_body(emu, recurrence="daily", end={"type": "occurrences", "occurrences": 3})
    created = await client.put("/api/scheduledJobs/nightly", params=GA, json=body)
    assert created.status_code == 200
    saved = created.json()
    assert saved["id"] == "nightly" and saved["enabled"] is True and saved["completed"] is False
    assert saved["etag"].startswith('"') and saved["schedule"]["recurrence"] == "daily"
    assert saved["data"][0]["type"] == "property"

    await emu.advance(59)
    assert await jobs_of(client, "nightly") == []
    await emu.advance(1)
    first = await jobs_of(client, "nightly")
    assert len(first) == 1 and first[0]["scheduledJobId"] == "nightly"
    await emu.advance(DAY)
    await emu.advance(DAY + 1)  # and one second for the third job to run
    ran = await jobs_of(client, "nightly")
    assert len(ran) == 3 and {j["status"] for j in ran} == {"complete"}
    assert all(progress(j) == (2, 0, 2, 0) for j in ran)
    starts = sorted(j["start"] for j in ran)
    assert starts[0][11:19] == starts[1][11:19] == starts[2][11:19]  # same time each day
    listed = (await client.get("/api/jobs", params=GA)).json()["value"]
    assert {j["id"] for j in listed} == {j["id"] for j in ran}
    done = (await client.get("/api/scheduledJobs/nightly", params=GA)).json()
    assert done["completed"] is True
    await emu.advance(3 * DAY)
    assert len(await jobs_of(client, "nightly")) == 3


async def test_disable_skips_occurrences_and_enable_picks_the_next(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=["d1"])
    body = schedule_body(emu, recurrence="weekly")
    await client.put("/api/scheduledJobs/weekly", params=GA, json=body)
    await emu.advance(61)
    assert len(await jobs_of(client, "weekly")) == 1
    off = await client.patch("/api/scheduledJobs/weekly", params=GA, json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    await emu.advance(7 * DAY)
    assert len(await jobs_of(client, "weekly")) == 1
    on = await client.patch("/api/scheduledJobs/weekly", params=GA, json={"enabled": True})
    assert on.json()["enabled"] is True and on.json()["schedule"] == body["schedule"] | {
        "start": on.json()["schedule"]["start"]
    }
    await emu.advance(7 * DAY)
    assert len(await jobs_of(client, "weekly")) == 2


async def test_patch_etag_and_active_jobs(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=[f"d{n}" for n in range(10)])
    created = (
        await client.put("/api/scheduledJobs/s", params=GA, json=schedule_body(emu, after=1))
    ).json()
    stale = await client.patch(
        "/api/scheduledJobs/s",
        params=GA,
        json={"displayName": "x"},
        headers={"If-Match": '"not-it"'},
    )
    assert stale.status_code == 412 and stale.headers["x-ms-error-code"] == "PreconditionFailed"
    await emu.advance(1)  # the one-time occurrence starts a job
    busy = await client.patch("/api/scheduledJobs/s", params=GA, json={"displayName": "x"})
    assert busy.status_code == 409 and "pending or running" in busy.json()["error"]["message"]
    await emu.advance(5)
    renamed = await client.patch(
        "/api/scheduledJobs/s",
        params=GA,
        json={"displayName": "Renamed", "description": "new"},
        headers={"If-Match": created["etag"]},
    )
    assert renamed.status_code == 200
    assert renamed.json()["displayName"] == "Renamed" and renamed.json()["etag"] != created["etag"]
    assert renamed.json()["completed"] is True  # its only occurrence is in the past


async def test_read_list_delete_and_both_spellings(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=["d1"])
    body = schedule_body(emu, after=3600)
    body["data"][0]["type"] = "PropertyJobData"
    assert (await client.put("/api/scheduledJobs/a", params=PREVIEW, json=body)).status_code == 200
    docs = (await client.get("/api/scheduledJobs/a", params=PREVIEW)).json()
    ga = (await client.get("/api/scheduledJobs", params=GA)).json()["value"]
    assert docs["data"][0]["type"] == "PropertyJobData" and ga[0]["data"][0]["type"] == "property"
    assert (await client.delete("/api/scheduledJobs/a", params=GA)).status_code == 204
    assert (await client.get("/api/scheduledJobs/a", params=GA)).status_code == 404
    assert (await client.delete("/api/scheduledJobs/a", params=GA)).status_code == 404
    await emu.advance(7200)
    assert (await client.get("/api/jobs", params=GA)).json()["value"] == []


async def test_scheduled_job_validation(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=["d1"])
    mixed = schedule_body(emu)
    mixed["data"].append({"type": "command", "target": mixed["data"][0]["target"], "path": "x"})
    cases = [
        ({**property_job()}, "'schedule' is required"),
        (schedule_body(emu, recurrence="yearly"), "daily, weekly, monthly"),
        (mixed, "same type"),
        ({**schedule_body(emu), "enabled": "yes"}, "'enabled' must be true or false"),
        ({**schedule_body(emu), "group": "nope"}, "does not exist"),
    ]
    for body, message in cases:
        response = await client.put("/api/scheduledJobs/s", params=GA, json=body)
        assert response.status_code == 400, response.text
        assert message in response.json()["error"]["message"]
    assert (await client.get("/api/scheduledJobs", params=GA)).json() == {"value": []}
