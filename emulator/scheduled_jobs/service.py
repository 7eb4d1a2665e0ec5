"""The rules of scheduled jobs: create or replace, merge-patch, read, delete, their jobs."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from msgspec import Struct
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.service import Application
from emulator.http.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from emulator.http.paging import PageRequest, keyset_page
from emulator.http.versions import ApiVersion
from emulator.jobs import rules
from emulator.jobs.model import JobDefinition, check_id, parse_definition
from emulator.jobs.service import validate_definition
from emulator.jobs.tables import jobs
from emulator.runtime.core import Runtime
from emulator.scheduled_jobs.driver import ScheduleDriver
from emulator.scheduled_jobs.recurrence import Schedule, first_occurrence, parse_schedule
from emulator.scheduled_jobs.tables import scheduled_jobs

# Read-only fields a client may send back unchanged; they are ignored on input.
_READ_ONLY = ("id", "etag", "completed")


def driver_of(runtime: Runtime) -> ScheduleDriver:
    return runtime.services["scheduled_jobs"]  # type: ignore[return-value]


class ScheduledJobRecord(Struct, frozen=True):
    """A stored scheduled job, as the API shows it."""

    id: str
    definition: JobDefinition
    schedule: Schedule
    enabled: bool
    completed: bool
    etag: str

    @classmethod
    def from_row(cls, row: Any) -> ScheduledJobRecord:
        doc = orjson.loads(row.schedule)
        return cls(
            id=row.id,
            definition=JobDefinition.from_store(orjson.loads(row.definition)),
            schedule=parse_schedule(doc),
            enabled=row.enabled,
            completed=row.completed,
            etag=row.etag,
        )

    def to_json(self, version: ApiVersion) -> dict[str, Any]:
        out: dict[str, Any] = {"etag": self.etag, "id": self.id}
        out.update(self.definition.to_json(version))
        out["schedule"] = self.schedule.to_json()
        out["enabled"] = self.enabled
        out["completed"] = self.completed
        return out


def _new_etag(previous: str, document: bytes, now: float) -> str:
    """A quoted, GUID-like etag that changes with every write."""
    digest = hashlib.sha1(previous.encode() + document + repr(now).encode()).hexdigest()
    return f'"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"'


def _not_found(scheduled_job_id: str) -> NotFound:
    return NotFound(
        f"Scheduled job '{scheduled_job_id}' does not exist. List them with GET /api/scheduledJobs."
    )


async def _row(conn: AsyncConnection, app_id: str, scheduled_job_id: str) -> Any:
    return (
        await conn.execute(
            select(scheduled_jobs).where(
                scheduled_jobs.c.app_id == app_id, scheduled_jobs.c.id == scheduled_job_id
            )
        )
    ).one_or_none()


def _check_etag(current: str, if_match: str | None, body: dict[str, Any]) -> None:
    wanted = if_match or body.get("etag")
    if wanted and wanted != "*" and wanted != current:
        raise PreconditionFailed(
            f"The scheduled job changed since you read it (etag {current}, yours {wanted})."
            " Read it again and retry with the new etag."
        )


async def _check_no_active_jobs(runtime: Runtime, app_id: str, scheduled_job_id: str) -> None:
    async with runtime.db.read() as conn:
        active = (
            await conn.execute(
                select(func.count())
                .select_from(jobs)
                .where(
                    jobs.c.app_id == app_id,
                    jobs.c.scheduled_job_id == scheduled_job_id,
                    jobs.c.status.in_((rules.PENDING, rules.RUNNING)),
                )
            )
        ).scalar_one()
    if active:
        raise Conflict(
            f"Scheduled job '{scheduled_job_id}' has {active} job(s) pending or running; it can"
            " be changed once they end. See GET"
            f" /api/scheduledJobs/{scheduled_job_id}/jobs."
        )


def _parse_body(body: Any) -> tuple[JobDefinition, Schedule, bool]:
    definition = parse_definition(body, same_type=True)
    schedule = parse_schedule(body.get("schedule"))
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise BadRequest("'enabled' must be true or false.")
    return definition, schedule, enabled


async def put_scheduled_job(
    runtime: Runtime,
    *,
    app: Application,
    scheduled_job_id: str,
    body: Any,
    if_match: str | None = None,
) -> ScheduledJobRecord:
    """ScheduledJobs_Create: create, or replace while none of its jobs is active."""
    check_id(scheduled_job_id, "scheduled job")
    definition, schedule, enabled = _parse_body(body)
    await validate_definition(runtime, app_id=app.id, definition=definition)
    now = runtime.clock.timestamp()
    async with runtime.db.read() as conn:
        existing = await _row(conn, app.id, scheduled_job_id)
    if existing is not None:
        _check_etag(existing.etag, if_match, body)
        await _check_no_active_jobs(runtime, app.id, scheduled_job_id)
    next_index, next_at = first_occurrence(schedule, now)
    definition_doc = orjson.dumps(definition.to_store())
    values = {
        "definition": definition_doc.decode(),
        "schedule": orjson.dumps(schedule.to_json()).decode(),
        "enabled": enabled,
        "completed": next_index is None,
        "etag": _new_etag(existing.etag if existing else "", definition_doc, now),
        "next_index": next_index,
        "next_at": next_at,
    }
    async with runtime.db.write() as conn:
        if existing is None:
            seq = (
                await conn.execute(
                    select(func.coalesce(func.max(scheduled_jobs.c.seq), 0) + 1).where(
                        scheduled_jobs.c.app_id == app.id
                    )
                )
            ).scalar_one()
            await conn.execute(
                insert(scheduled_jobs).values(app_id=app.id, id=scheduled_job_id, seq=seq, **values)
            )
        else:
            await conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.app_id == app.id, scheduled_jobs.c.id == scheduled_job_id)
                .values(**values)
            )
    record = await get_scheduled_job(runtime, app_id=app.id, scheduled_job_id=scheduled_job_id)
    driver_of(runtime).plan(app, scheduled_job_id, enabled=enabled, next_at=next_at)
    return record


def _merge(target: Any, patch: Any) -> Any:
    """JSON merge patch (RFC 7386): objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(merged.get(key), value)
    return merged


async def patch_scheduled_job(
    runtime: Runtime,
    *,
    app: Application,
    version: ApiVersion,
    scheduled_job_id: str,
    patch: Any,
    if_match: str | None = None,
) -> ScheduledJobRecord:
    """ScheduledJobs_Update: merge the patch into the current document, then replace."""
    if not isinstance(patch, dict):
        raise BadRequest("The patch must be a JSON object with the fields to change.")
    current = await get_scheduled_job(runtime, app_id=app.id, scheduled_job_id=scheduled_job_id)
    _check_etag(current.etag, if_match, patch)
    merged = _merge(current.to_json(version), {k: v for k, v in patch.items() if k != "etag"})
    for field in _READ_ONLY:
        merged.pop(field, None)
    return await put_scheduled_job(runtime, app=app, scheduled_job_id=scheduled_job_id, body=merged)


async def get_scheduled_job(
    runtime: Runtime, *, app_id: str, scheduled_job_id: str
) -> ScheduledJobRecord:
    async with runtime.db.read() as conn:
        row = await _row(conn, app_id, scheduled_job_id)
    if row is None:
        raise _not_found(scheduled_job_id)
    return ScheduledJobRecord.from_row(row)


async def list_scheduled_jobs(
    runtime: Runtime, *, app_id: str, page: PageRequest
) -> tuple[list[ScheduledJobRecord], str | None]:
    """One page of scheduled jobs, in creation order."""
    query = select(scheduled_jobs).where(scheduled_jobs.c.app_id == app_id)
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[scheduled_jobs.c.seq], page=page)
    return [ScheduledJobRecord.from_row(r) for r in rows], token


async def delete_scheduled_job(
    runtime: Runtime, *, app: Application, scheduled_job_id: str
) -> None:
    """ScheduledJobs_Remove: no further occurrence runs; jobs it already created remain."""
    async with runtime.db.write() as conn:
        gone = await conn.execute(
            delete(scheduled_jobs).where(
                scheduled_jobs.c.app_id == app.id, scheduled_jobs.c.id == scheduled_job_id
            )
        )
    if gone.rowcount == 0:
        raise _not_found(scheduled_job_id)
    driver_of(runtime).plan(app, scheduled_job_id, enabled=False, next_at=None)
