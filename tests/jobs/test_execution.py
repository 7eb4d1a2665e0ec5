"""How jobs run: batches, thresholds, per-device results, live progress, the 5-job quota."""

from __future__ import annotations

import pytest

from tests.jobs.fleet import (
    CONTROLLER,
    GA,
    command_job,
    create_job,
    job,
    make_fleet,
    progress,
    property_job,
    reasons,
    statuses,
)


def ids(prefix: str, numbers: range) -> list[str]:
    return [f"{prefix}{n:02d}" for n in numbers]


@pytest.mark.parametrize(
    ("batch", "seen"),
    [
        (None, [10, 10, 10, 10]),
        ({"type": "number", "value": 3}, [3, 6, 9, 10]),
        ({"type": "percentage", "value": 40}, [4, 8, 10, 10]),
        ({"type": "percentage", "value": 25}, [3, 6, 9, 10]),  # ceil(2.5)
    ],
)
async def test_batches_run_one_after_another(make_emulator, batch, seen) -> None:
    async with make_emulator(job_concurrency=10) as emu:
        await make_fleet(emu.client, offline=ids("d", range(10)))
        await create_job(emu.client, "j", property_job(**({"batch": batch} if batch else {})))
        await emu.advance(0)
        done = []
        for _ in seen:
            await emu.advance(0.1)
            done.append(progress(await job(emu.client, "j"))[2])
        assert done == seen


async def test_progress_is_watched_live_and_adds_up(emu) -> None:
    """Defaults: two devices at a time, 100 ms each, so 20 devices take a visible second."""
    await make_fleet(emu.client, offline=ids("d", range(20)))
    created = await create_job(emu.client, "j", property_job())
    assert created["status"] == "pending" and "progress" not in created
    await emu.advance(0)
    assert progress(await job(emu.client, "j")) == (20, 20, 0, 0)
    await emu.advance(0.5)
    running = await job(emu.client, "j")
    assert running["status"] == "running" and "end" not in running
    assert progress(running) == (20, 10, 10, 0)
    await emu.advance(0.5)
    done = await job(emu.client, "j")
    assert done["status"] == "complete" and progress(done) == (20, 0, 20, 0)


async def test_each_device_result_and_reason(emu) -> None:
    client = emu.client
    await make_fleet(client, online=["on-1", "on-2"], offline=["off-1"], controllers=["ctl-1"])
    faults = {"commandResponseCode": 500}
    assert (await client.put("/_emulator/devices/on-2/faults", json=faults)).status_code == 200
    await emu.advance(60)  # the thermostats send the temperatures the report covers
    await create_job(client, "j", command_job())
    await emu.advance(2)
    assert await statuses(client, "j") == {
        "ctl-1": "failed",
        "off-1": "failed",
        "on-1": "completed",
        "on-2": "failed",
    }
    why = await reasons(client, "j")
    assert why["on-1"] is None
    assert "not connected" in why["off-1"]
    assert "500" in why["on-2"]
    assert "not a target" in why["ctl-1"]
    assert (await job(client, "j"))["status"] == "complete"


async def test_a_command_that_times_out_fails_without_blocking_the_others(emu) -> None:
    client = emu.client
    await make_fleet(client, online=["a-slow", "b-1", "b-2", "b-3"])
    faults = {"commandLatency": 40}
    assert (await client.put("/_emulator/devices/a-slow/faults", json=faults)).status_code == 200
    await emu.advance(60)
    await create_job(client, "j", command_job())
    await emu.advance(1)
    assert await statuses(client, "j") == {
        "a-slow": "pending",
        "b-1": "completed",
        "b-2": "completed",
        "b-3": "completed",
    }
    await emu.advance(40)
    assert (await statuses(client, "j"))["a-slow"] == "failed"
    assert "response timeout" in (await reasons(client, "j"))["a-slow"]
    assert (await job(client, "j"))["status"] == "complete"


# One device at a time, so a threshold stops the job right after the failure that crossed it.
SERIAL = {"job_concurrency": 1}


@pytest.mark.parametrize(
    ("threshold", "failing", "status", "counts"),
    [
        ({"type": "number", "value": 2}, 2, "complete", (10, 0, 8, 2)),  # at the limit
        ({"type": "number", "value": 2}, 3, "cancelled", (10, 7, 0, 3)),  # just over
        ({"type": "percentage", "value": 20}, 2, "complete", (10, 0, 8, 2)),  # 20 % of 10
        ({"type": "percentage", "value": 20}, 3, "cancelled", (10, 7, 0, 3)),  # 30 %
        ({"type": "percentage", "value": 0}, 1, "cancelled", (10, 9, 0, 1)),
    ],
)
async def test_whole_job_threshold(make_emulator, threshold, failing, status, counts) -> None:
    async with make_emulator(**SERIAL) as emu:
        # Controllers sort first ("c..") and fail a thermostat property job.
        await make_fleet(
            emu.client, controllers=ids("c", range(failing)), offline=ids("t", range(10 - failing))
        )
        await create_job(emu.client, "j", property_job(cancellationThreshold=threshold))
        await emu.advance(3)
        found = await job(emu.client, "j")
        assert found["status"] == status and progress(found) == counts
        assert "end" in found
        if status == "cancelled":  # devices that never started stay pending
            assert list((await statuses(emu.client, "j")).values()).count("pending") == counts[1]


@pytest.mark.parametrize(
    ("threshold", "layout", "status", "counts"),
    [
        # Batches of four; "c" fails, "t" completes; ids sort in the order written here.
        ({"type": "number", "value": 1, "batch": True}, "ctttctttcttt", "complete", (12, 0, 9, 3)),
        (
            {"type": "number", "value": 1, "batch": False},
            "ctttctttcttt",
            "cancelled",
            (12, 7, 3, 2),
        ),
        ({"type": "number", "value": 1, "batch": True}, "ttttcctttttt", "cancelled", (12, 6, 4, 2)),
        (
            {"type": "percentage", "value": 25, "batch": True},
            "cttttcttcttt",
            "complete",
            (12, 0, 9, 3),
        ),
        (
            {"type": "percentage", "value": 25, "batch": True},
            "ttttcctttttt",
            "cancelled",
            (12, 6, 4, 2),
        ),
    ],
)
async def test_per_batch_threshold(make_emulator, threshold, layout, status, counts) -> None:
    async with make_emulator(**SERIAL) as emu:
        names = [f"{i:02d}{kind}" for i, kind in enumerate(layout)]
        await make_fleet(
            emu.client,
            controllers=[n for n in names if n.endswith("c")],
            offline=[n for n in names if n.endswith("t")],
        )
        body = property_job(batch={"type": "number", "value": 4}, cancellationThreshold=threshold)
        await create_job(emu.client, "j", body)
        await emu.advance(5)
        found = await job(emu.client, "j")
        assert found["status"] == status and progress(found) == counts


async def test_at_most_five_jobs_run_at_once(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=ids("d", range(4)))
    for n in range(6):
        await create_job(client, f"j{n}", property_job())
    await emu.advance(0)
    found = {
        j["id"]: j["status"] for j in (await client.get("/api/jobs", params=GA)).json()["value"]
    }
    assert found == {"j5": "pending", **{f"j{n}": "running" for n in range(5)}}
    assert (await client.post("/api/jobs/j0/stop", params=GA)).status_code == 204
    await emu.advance(0)
    assert (await job(client, "j5"))["status"] == "running"
    # A resumed job waits for a slot as well.
    assert (await client.post("/api/jobs/j0/resume", params=GA)).status_code == 204
    assert (await job(client, "j0"))["status"] == "pending"
    await emu.advance(5)
    assert {(await job(client, f"j{n}"))["status"] for n in range(6)} == {"complete"}


async def test_a_device_deleted_before_its_turn_fails(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=ids("d", range(6)))
    await create_job(client, "j", property_job())
    await emu.advance(0)
    assert (await client.delete("/api/devices/d05", params=GA)).status_code == 204
    await emu.advance(2)
    assert (await statuses(client, "j"))["d05"] == "failed"
    assert "d05" in (await reasons(client, "j"))["d05"]


async def test_an_empty_group_completes_at_once(emu) -> None:
    await make_fleet(emu.client, group_filter='SELECT * FROM devices WHERE $displayName = "none"')
    await create_job(emu.client, "j", property_job())
    await emu.advance(0)
    found = await job(emu.client, "j")
    assert found["status"] == "complete" and progress(found) == (0, 0, 0, 0)


async def test_reset_forgets_running_jobs(emu) -> None:
    await make_fleet(emu.client, offline=ids("d", range(10)))
    await create_job(emu.client, "j", property_job())
    await emu.advance(0.2)
    assert (await emu.client.post("/_emulator/reset")).status_code == 204
    await emu.advance(2)
    assert (await emu.client.get("/api/jobs/j", params=GA)).status_code == 404
    assert (await emu.client.get("/api/jobs", params=GA)).json() == {"value": []}


async def test_lists_come_in_pages(emu) -> None:
    client = emu.client
    await make_fleet(client, offline=ids("d", range(30)))
    for n in range(3):
        await create_job(client, f"j{n}", property_job())
    await emu.advance(5)
    first = (await client.get("/api/jobs/j0/devices", params=GA)).json()
    assert len(first["value"]) == 25 and first["nextLink"].startswith("http://myapp.")
    rest = (await client.get(first["nextLink"])).json()
    assert len(rest["value"]) == 5 and "nextLink" not in rest
    assert [d["id"] for d in first["value"] + rest["value"]] == ids("d", range(30))
    preview = {"api-version": "2022-10-31-preview", "maxpagesize": 2}
    page = (await client.get("/api/jobs", params=preview)).json()
    following = (await client.get(page["nextLink"])).json()
    assert [j["id"] for j in page["value"] + following["value"]] == ["j2", "j1", "j0"]


async def test_a_wide_window_writes_together_and_still_fails_devices_one_by_one(
    make_emulator,
) -> None:
    async with make_emulator(job_concurrency=4) as emu:
        client = emu.client
        await make_fleet(
            client, online=ids("t", range(3)), offline=ids("t", range(3, 6)), controllers=["c00"]
        )
        await create_job(client, "j", property_job(33))
        await emu.advance(0)  # c00, t00, t01, t02 are out; t03-t05 wait for the next window
        moved = await client.patch("/api/devices/t05", params=GA, json={"template": CONTROLLER})
        assert moved.status_code == 200, moved.text
        await emu.advance(3)
        found = await job(client, "j")
        assert found["status"] == "complete" and progress(found) == (7, 0, 5, 2)
        why = await reasons(client, "j")
        assert "not a target of this job" in why["c00"]
        assert "'targetTemperature' is not a property of the device" in why["t05"]
        assert {d for d, s in (await statuses(client, "j")).items() if s == "completed"} == set(
            ids("t", range(5))
        )
        online = await client.get("/api/devices/t01/properties", params=GA)
        meta = online.json()["$metadata"]["targetTemperature"]
        assert (meta["desiredValue"], meta["ackCode"]) == (33, 200)
