"""Batch sizes, cancellation arithmetic and the status rules, each at its edges."""

from __future__ import annotations

import pytest

from emulator.http.errors import Conflict
from emulator.jobs import rules
from emulator.jobs.rules import Batch, Threshold


@pytest.mark.parametrize(
    ("total", "batch", "size"),
    [
        (10, None, 10),
        (0, None, 1),
        (10, Batch("number", 3), 3),
        (10, Batch("number", 50), 10),
        (4, Batch("percentage", 25), 1),
        (10, Batch("percentage", 25), 3),  # ceil(2.5)
        (30, Batch("percentage", 10), 3),  # exact: not ceil(3.0000000000000004)
        (3, Batch("percentage", 1), 1),  # never below one device
        (7, Batch("percentage", 100), 7),
        (200, Batch("percentage", 33.5), 67),
    ],
)
def test_batch_size(total: int, batch: Batch | None, size: int) -> None:
    assert rules.batch_size(total, batch) == size


def test_batch_bounds_cover_every_position_once() -> None:
    assert rules.batch_bounds(10, 3) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    assert rules.batch_bounds(0, 1) == []


@pytest.mark.parametrize(
    ("threshold", "failed", "base", "cancel"),
    [
        (Threshold("number", 2), 2, 10, False),  # at the limit: not exceeded
        (Threshold("number", 2), 3, 10, True),  # just over
        (Threshold("number", 0), 1, 10, True),
        (Threshold("percentage", 10), 1, 10, False),  # exactly 10 %
        (Threshold("percentage", 10), 2, 10, True),  # 20 %
        (Threshold("percentage", 10), 3, 30, False),  # 10 % exactly, no float drift
        (Threshold("percentage", 10), 4, 30, True),
        (Threshold("percentage", 33.3), 1, 3, True),  # 33.33 % > 33.3 %
        (Threshold("percentage", 100), 5, 5, False),  # 100 % never cancels
        (Threshold("percentage", 0), 0, 5, False),
        (Threshold("percentage", 0), 1, 5, True),
    ],
)
def test_exceeds(threshold: Threshold, failed: int, base: int, cancel: bool) -> None:
    assert rules.exceeds(threshold, failed, base) is cancel


def test_whole_job_threshold_uses_the_job_total() -> None:
    whole = Threshold("percentage", 10, per_batch=False)
    # 2 failures in a batch of 4 is 50 % of the batch but 10 % of 20 devices: no cancel.
    assert not rules.should_cancel(whole, failed=2, total=20, batch_failed=2, batch_total=4)
    assert rules.should_cancel(whole, failed=3, total=20, batch_failed=1, batch_total=4)


def test_per_batch_threshold_uses_the_batch_size() -> None:
    per_batch = Threshold("percentage", 25, per_batch=True)
    assert not rules.should_cancel(per_batch, failed=5, total=20, batch_failed=1, batch_total=4)
    assert rules.should_cancel(per_batch, failed=2, total=20, batch_failed=2, batch_total=4)


def test_no_threshold_never_cancels() -> None:
    assert not rules.should_cancel(None, failed=9, total=9, batch_failed=9, batch_total=9)


def test_final_status() -> None:
    assert rules.final_status(total=4, failed=0) == rules.COMPLETE
    assert rules.final_status(total=4, failed=3) == rules.COMPLETE
    assert rules.final_status(total=4, failed=4) == rules.FAILED
    assert rules.final_status(total=0, failed=0) == rules.COMPLETE


@pytest.mark.parametrize("status", ["pending", "stopped", "complete", "cancelled", "failed"])
def test_stop_needs_a_running_job(status: str) -> None:
    with pytest.raises(Conflict, match=f"is {status}; only a running job can be stopped"):
        rules.check_action("stop", "job-1", status)
    rules.check_action("stop", "job-1", "running")


@pytest.mark.parametrize("status", ["pending", "running", "complete", "cancelled", "failed"])
def test_resume_needs_a_stopped_job(status: str) -> None:
    with pytest.raises(Conflict, match=f"is {status}; only a stopped job can be resumed"):
        rules.check_action("resume", "job-1", status)
    rules.check_action("resume", "job-1", "stopped")


def test_rerun_refusals() -> None:
    with pytest.raises(Conflict, match="no longer running"):
        rules.check_rerun("job-1", "running", failed=3)
    with pytest.raises(Conflict, match="no failed devices"):
        rules.check_rerun("job-1", "complete", failed=0)
    rules.check_rerun("job-1", "stopped", failed=1)
    rules.check_rerun("job-1", "cancelled", failed=1)
