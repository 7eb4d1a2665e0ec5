"""The rules of jobs: create (validated against the registry), read, stop, resume, rerun."""

from __future__ import annotations

from typing import Any

import orjson
from msgspec import Struct
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from emulator.applications.service import Application
from emulator.device_groups.service import get_group
from emulator.device_templates.service import get_capabilities
from emulator.http.errors import BadRequest, Conflict, NotFound
from emulator.http.paging import PageRequest, keyset_page
from emulator.http.versions import ApiVersion
from emulator.jobs import rules
from emulator.jobs.model import JobDefinition, check_id, parse_definition
from emulator.jobs.operations import resolve
from emulator.jobs.runner import JobRunner
from emulator.jobs.tables import job_devices, jobs
from emulator.runtime.clock import iso_from_timestamp
from emulator.runtime.core import Runtime


def runner_of(runtime: Runtime) -> JobRunner:
    return runtime.services["jobs"]  # type: ignore[return-value]


class JobRecord(Struct, frozen=True):
    """A stored job, as the API shows it."""

    id: str
    definition: JobDefinition
    status: str
    scheduled_job_id: str | None
    start: float | None
    end: float | None
    resolved: bool
    total: int
    completed: int
    failed: int

    @classmethod
    def from_row(cls, row: Any) -> JobRecord:
        return cls(
            id=row.id,
            definition=JobDefinition.from_store(orjson.loads(row.definition)),
            status=row.status,
            scheduled_job_id=row.scheduled_job_id,
            start=row.start,
            end=row.end,
            resolved=row.resolved,
            total=row.total,
            completed=row.completed,
            failed=row.failed,
        )

    def to_json(self, version: ApiVersion) -> dict[str, Any]:
        """The Job of the API; `progress` appears once the job has frozen its devices."""
        out: dict[str, Any] = {"id": self.id}
        if self.scheduled_job_id is not None:
            out["scheduledJobId"] = self.scheduled_job_id
        definition = self.definition.to_json(version)
        organizations = definition.pop("organizations", None)
        out.update(definition)
        if self.start is not None:
            out["start"] = iso_from_timestamp(self.start)
        if self.end is not None:
            out["end"] = iso_from_timestamp(self.end)
        if self.resolved:
            out["progress"] = {
                "total": self.total,
                "pending": self.total - self.completed - self.failed,
                "completed": self.completed,
                "failed": self.failed,
            }
        out["status"] = self.status
        if organizations is not None:
            out["organizations"] = organizations
        return out


async def validate_definition(runtime: Runtime, *, app_id: str, definition: JobDefinition) -> None:
    """BadRequest unless the group, every target template and every capability path exist."""
    try:
        await get_group(runtime, app_id=app_id, group_id=definition.group)
    except NotFound:
        raise BadRequest(
            f"The device group '{definition.group}' does not exist. List the groups with"
            " GET /api/deviceGroups and use one of their ids as 'group'."
        ) from None
    for index, data in enumerate(definition.data):
        template_id = data.template if data.kind == "deviceTemplateMigration" else data.target
        assert template_id is not None
        capabilities = await get_capabilities(runtime, app_id=app_id, template_id=template_id)
        if capabilities is None:
            field = "template" if data.kind == "deviceTemplateMigration" else "target"
            raise BadRequest(
                f"'data[{index}].{field}': the device template '{template_id}' does not exist."
                " List templates with GET /api/deviceTemplates."
            )
        if data.kind == "deviceTemplateMigration":
            continue
        try:
            resolve(capabilities, data)
        except ValueError as exc:
            raise BadRequest(f"'data[{index}]': {exc}.") from None


async def _exists(conn: AsyncConnection, app_id: str, job_id: str) -> bool:
    found = await conn.execute(
        select(jobs.c.id).where(jobs.c.app_id == app_id, jobs.c.id == job_id)
    )
    return found.first() is not None


def _conflict_exists(job_id: str) -> Conflict:
    return Conflict(
        f"A job with id '{job_id}' already exists. Job ids are unique: choose another id, or"
        f" read it with GET /api/jobs/{job_id}."
    )


async def insert_job(
    runtime: Runtime,
    *,
    app: Application,
    job_id: str,
    definition: JobDefinition,
    scheduled_job_id: str | None = None,
    device_ids: list[str] | None = None,
) -> JobRecord:
    """Store a new `pending` job and ask the runner to start it; `device_ids` freezes them now."""
    now = runtime.clock.timestamp()
    async with runtime.db.write() as conn:
        if await _exists(conn, app.id, job_id):
            raise _conflict_exists(job_id)
        seq = (
            await conn.execute(
                select(func.coalesce(func.max(jobs.c.seq), 0) + 1).where(jobs.c.app_id == app.id)
            )
        ).scalar_one()
        total = len(device_ids) if device_ids is not None else 0
        await conn.execute(
            insert(jobs).values(
                app_id=app.id,
                id=job_id,
                seq=seq,
                definition=orjson.dumps(definition.to_store()).decode(),
                scheduled_job_id=scheduled_job_id,
                status=rules.PENDING,
                queued_at=now,
                resolved=device_ids is not None,
                batch_size=None
                if device_ids is None
                else rules.batch_size(total, definition.batch),
                total=total,
                completed=0,
                failed=0,
            )
        )
        if device_ids:
            await conn.execute(
                insert(job_devices),
                [
                    {
                        "app_id": app.id,
                        "job_id": job_id,
                        "position": i,
                        "device_id": d,
                        "status": rules.DEVICE_PENDING,
                    }
                    for i, d in enumerate(device_ids)
                ],
            )
    runner_of(runtime).submit(app)
    return await get_job(runtime, app_id=app.id, job_id=job_id)


async def create_job(runtime: Runtime, *, app: Application, job_id: str, body: Any) -> JobRecord:
    """Jobs_Create: validate everything first, then store it `pending` and queue it."""
    check_id(job_id)
    definition = parse_definition(body)
    async with runtime.db.read() as conn:
        if await _exists(conn, app.id, job_id):
            raise _conflict_exists(job_id)
    await validate_definition(runtime, app_id=app.id, definition=definition)
    return await insert_job(runtime, app=app, job_id=job_id, definition=definition)


async def get_job(runtime: Runtime, *, app_id: str, job_id: str) -> JobRecord:
    """The job as of now (buffered device results written first), or NotFound."""
    await runner_of(runtime).flush_app(app_id, job_id)
    async with runtime.db.read() as conn:
        row = (
            await conn.execute(select(jobs).where(jobs.c.app_id == app_id, jobs.c.id == job_id))
        ).one_or_none()
    if row is None:
        raise NotFound(f"Job '{job_id}' does not exist. List jobs with GET /api/jobs.")
    return JobRecord.from_row(row)


async def list_jobs(
    runtime: Runtime, *, app_id: str, page: PageRequest, scheduled_job_id: str | None = None
) -> tuple[list[JobRecord], str | None]:
    """One page of jobs, newest first (as IoT Central lists them); optionally one schedule's."""
    await runner_of(runtime).flush_app(app_id)
    query = select(jobs).where(jobs.c.app_id == app_id)
    if scheduled_job_id is not None:
        query = query.where(jobs.c.scheduled_job_id == scheduled_job_id)
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[jobs.c.seq], page=page, descending=True)
    return [JobRecord.from_row(r) for r in rows], token


async def list_job_devices(
    runtime: Runtime, *, app_id: str, job_id: str, page: PageRequest
) -> tuple[list[dict[str, str]], str | None]:
    """One page of the job's devices with their status, in run order (none before it starts)."""
    await get_job(runtime, app_id=app_id, job_id=job_id)
    query = select(job_devices.c.position, job_devices.c.device_id, job_devices.c.status).where(
        job_devices.c.app_id == app_id, job_devices.c.job_id == job_id
    )
    async with runtime.db.read() as conn:
        rows, token = await keyset_page(conn, query, keys=[job_devices.c.position], page=page)
    return [{"id": r.device_id, "status": r.status} for r in rows], token


async def device_results(runtime: Runtime, *, app_id: str, job_id: str) -> list[dict[str, Any]]:
    """Each device's status with why it failed and when it finished (the emulator's view)."""
    await get_job(runtime, app_id=app_id, job_id=job_id)
    async with runtime.db.read() as conn:
        rows = await conn.execute(
            select(job_devices)
            .where(job_devices.c.app_id == app_id, job_devices.c.job_id == job_id)
            .order_by(job_devices.c.position)
        )
        return [
            {"id": r.device_id, "status": r.status}
            | ({"reason": r.reason} if r.reason else {})
            | ({"finished": iso_from_timestamp(r.finished_at)} if r.finished_at else {})
            for r in rows
        ]


async def stop_job(runtime: Runtime, *, app: Application, job_id: str) -> None:
    """Jobs_Stop: only a running job; its in-flight operations finish, nothing new starts."""
    job = await get_job(runtime, app_id=app.id, job_id=job_id)
    rules.check_action("stop", job_id, job.status)
    await runner_of(runtime).stop(app, job_id)


async def resume_job(runtime: Runtime, *, app: Application, job_id: str) -> None:
    """Jobs_Resume: only a stopped job; it continues with the devices still pending."""
    job = await get_job(runtime, app_id=app.id, job_id=job_id)
    rules.check_action("resume", job_id, job.status)
    await runner_of(runtime).resume(app, job_id)


async def rerun_job(runtime: Runtime, *, app: Application, job_id: str, rerun_id: str) -> JobRecord:
    """Jobs_Rerun: a new job `rerun_id` over exactly the devices that failed in `job_id`."""
    check_id(rerun_id, "rerun")
    original = await get_job(runtime, app_id=app.id, job_id=job_id)
    rules.check_rerun(job_id, original.status, original.failed)
    async with runtime.db.read() as conn:
        failed = (
            await conn.execute(
                select(job_devices.c.device_id)
                .where(
                    job_devices.c.app_id == app.id,
                    job_devices.c.job_id == job_id,
                    job_devices.c.status == rules.DEVICE_FAILED,
                )
                .order_by(job_devices.c.position)
            )
        ).scalars()
        device_ids = list(failed)
    return await insert_job(
        runtime, app=app, job_id=rerun_id, definition=original.definition, device_ids=device_ids
    )
