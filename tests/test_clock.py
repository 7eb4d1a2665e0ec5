"""The clock and scheduler: the only source of emulated time."""

import asyncio
from datetime import UTC, datetime

import pytest

from emulator.runtime.clock import Clock, iso
from emulator.runtime.durations import parse_duration
from emulator.runtime.scheduler import Scheduler

START = datetime(2024, 1, 1, tzinfo=UTC)


def test_frozen_clock_stands_still_and_jumps_forward_only() -> None:
    clock = Clock(start=START, frozen=True)
    assert clock.now() == START
    clock.jump_to(START.timestamp() + 30)
    assert clock.timestamp() == START.timestamp() + 30
    clock.jump_to(START.timestamp())
    assert clock.timestamp() == START.timestamp() + 30


def test_scale_changes_rate_without_jumping() -> None:
    clock = Clock(start=START, frozen=True)
    clock.set_scale(60)
    assert clock.timestamp() == START.timestamp()
    assert clock.scale == 60
    with pytest.raises(ValueError):
        clock.set_scale(0)


def test_running_clock_moves_at_scale() -> None:
    clock = Clock(start=START, scale=1000)
    first = clock.timestamp()
    # a busy wait of a few real milliseconds is several emulated seconds
    while clock.timestamp() - first < 2:
        pass
    assert clock.real_seconds_until(clock.timestamp() + 1000) == pytest.approx(1, rel=0.1)


def test_iso_rendering_matches_iot_central() -> None:
    assert iso(datetime(2021, 3, 24, 12, 33, 15, 223456, tzinfo=UTC)) == "2021-03-24T12:33:15.223Z"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT30S", 30),
        ("PT10M", 600),
        ("P1D", 86400),
        ("P2DT12H", 216000),
        ("P1W", 604800),
        ("pt1.5s", 1.5),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "30S", "P1H", "PTXS"])
def test_bad_durations_name_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="ISO-8601 duration"):
        parse_duration(text)


async def test_advance_fires_timers_in_order_at_their_own_time() -> None:
    clock = Clock(start=START, frozen=True)
    scheduler = Scheduler(clock)
    seen: list[tuple[str, float]] = []

    def record(name: str):  # noqa: ANN202
        return lambda: seen.append((name, clock.timestamp() - START.timestamp()))

    scheduler.call_later(20, record("b"))
    scheduler.call_later(5, record("a"))
    late = scheduler.call_later(40, record("late"))
    cancelled = scheduler.call_later(10, record("cancelled"))
    cancelled.cancel()

    async def chained() -> None:
        seen.append(("chain", clock.timestamp() - START.timestamp()))
        scheduler.call_later(3, record("child"))

    scheduler.call_later(25, chained)
    await scheduler.advance(30)
    assert seen == [("a", 5), ("b", 20), ("chain", 25), ("child", 28)]
    assert clock.timestamp() - START.timestamp() == 30
    late.cancel()
    await scheduler.advance(30)
    assert [name for name, _ in seen] == ["a", "b", "chain", "child"]


async def test_failing_callback_does_not_stop_the_others() -> None:
    clock = Clock(start=START, frozen=True)
    scheduler = Scheduler(clock)
    seen: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    scheduler.call_later(1, boom)
    scheduler.call_later(2, lambda: seen.append("after"))
    await scheduler.advance(5)
    assert seen == ["after"]


async def test_real_time_loop_fires_due_timers() -> None:
    clock = Clock(start=START, scale=1000)
    scheduler = Scheduler(clock)
    fired = asyncio.Event()
    scheduler.start()
    try:
        scheduler.call_later(5, fired.set)  # 5 emulated seconds = 5 real ms
        await asyncio.wait_for(fired.wait(), 2)
    finally:
        await scheduler.stop()


async def test_frozen_loop_waits_until_unfrozen() -> None:
    clock = Clock(start=START, frozen=True)
    scheduler = Scheduler(clock)
    fired = asyncio.Event()
    scheduler.start()
    try:
        scheduler.call_later(0.001, fired.set)
        await asyncio.sleep(0.05)
        assert not fired.is_set()
        clock.set_scale(1000)
        clock.set_frozen(False)
        scheduler.notify()
        await asyncio.wait_for(fired.wait(), 2)
    finally:
        await scheduler.stop()


async def test_settle_waits_for_work_but_not_for_emulated_time() -> None:
    clock = Clock(start=START, frozen=True)
    scheduler = Scheduler(clock)
    steps: list[str] = []

    async def io_then_sleep() -> None:
        await asyncio.sleep(0.01)  # real I/O-like work
        steps.append("io done")
        await scheduler.sleep(30)  # only emulated time ends this
        steps.append("woke")

    task = asyncio.get_running_loop().create_task(io_then_sleep())
    await scheduler.settle([task])
    assert steps == ["io done"] and not task.done()
    await scheduler.advance(30)
    await scheduler.settle([task])  # the timer fired: the task is runnable again, so wait
    assert steps == ["io done", "woke"] and task.done()
