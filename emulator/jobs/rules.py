"""The arithmetic and the status machine of a job, kept pure so every rule has a unit test."""

from __future__ import annotations

import math
from fractions import Fraction

from msgspec import Struct

from emulator.http.errors import Conflict

# Job statuses, as the API spells them.
PENDING = "pending"
RUNNING = "running"
STOPPED = "stopped"
COMPLETE = "complete"
CANCELLED = "cancelled"
FAILED = "failed"
TERMINAL = frozenset({COMPLETE, CANCELLED, FAILED})

# Per-device statuses.
DEVICE_PENDING = "pending"
DEVICE_COMPLETED = "completed"
DEVICE_FAILED = "failed"

# How many jobs of one application may run at the same time (IoT Central's quota).
MAX_RUNNING_JOBS = 5


class Batch(Struct, frozen=True):
    """Devices per batch: `value` devices (number) or `value` percent of the total."""

    type: str  # "number" | "percentage"
    value: float


class Threshold(Struct, frozen=True):
    """Cancel once failures exceed `value` devices (number) or `value` percent."""

    type: str  # "number" | "percentage"
    value: float
    per_batch: bool = False


def _exact(value: float) -> Fraction:
    """The decimal the client wrote (10 stays 10, 0.1 stays 1/10), free of binary rounding."""
    return Fraction(str(value))


def batch_size(total: int, batch: Batch | None) -> int:
    """Devices per batch: all at once without batching, else `value` or ceil(total*value/100)."""
    if batch is None or total == 0:
        return max(total, 1)
    if batch.type == "number":
        size = int(batch.value)
    else:
        size = math.ceil(_exact(batch.value) * total / 100)
    return max(1, min(size, total))


def batch_bounds(total: int, size: int) -> list[tuple[int, int]]:
    """[start, end) positions of each batch, in the order they run."""
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def exceeds(threshold: Threshold, failed: int, base: int) -> bool:
    """True once `failed` devices out of `base` pass the threshold (strictly greater)."""
    if threshold.type == "number":
        return failed > _exact(threshold.value)
    return base > 0 and Fraction(failed * 100, base) > _exact(threshold.value)


def should_cancel(
    threshold: Threshold | None,
    *,
    failed: int,
    total: int,
    batch_failed: int,
    batch_total: int,
) -> bool:
    """The cancellation test: on the whole job, or on the current batch when `per_batch`."""
    if threshold is None:
        return False
    if threshold.per_batch:
        return exceeds(threshold, batch_failed, batch_total)
    return exceeds(threshold, failed, total)


def final_status(*, total: int, failed: int) -> str:
    """How a job that processed every device ends: `failed` only if no device succeeded."""
    return FAILED if total > 0 and failed == total else COMPLETE


# Actions a client can ask for, with the statuses each is allowed from.
_ALLOWED_FROM = {
    "stop": frozenset({RUNNING}),
    "resume": frozenset({STOPPED}),
}
_NEEDS = {"stop": "running", "resume": "stopped"}


def check_action(action: str, job_id: str, status: str) -> None:
    """Conflict, saying the current status, when `action` is not allowed in `status`."""
    if status not in _ALLOWED_FROM[action]:
        raise Conflict(
            f"Job '{job_id}' is {status}; only a {_NEEDS[action]} job can be {action}"
            f"{'ped' if action == 'stop' else 'd'}. Check its status with GET /api/jobs/{job_id}."
        )


def check_rerun(job_id: str, status: str, failed: int) -> None:
    """Conflict when the original still runs or has no failed device to retry."""
    if status in (PENDING, RUNNING):
        raise Conflict(
            f"Job '{job_id}' is {status}; a job can be rerun only once it is no longer running."
            " Wait for it to finish, or stop it first."
        )
    if failed == 0:
        raise Conflict(
            f"Job '{job_id}' has no failed devices, so there is nothing to rerun."
            f" See GET /api/jobs/{job_id}/devices."
        )
