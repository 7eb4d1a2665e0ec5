"""Runs scheduled jobs on the clock: one timer per enabled schedule, at its next occurrence."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from functools import partial

import orjson
from sqlalchemy import select, update

from emulator.applications.service import Application
from emulator.http.errors import ApiError
from emulator.jobs.model import JobDefinition
from emulator.jobs.service import insert_job
from emulator.runtime.core import Runtime
from emulator.runtime.scheduler import Timer
from emulator.scheduled_jobs.recurrence import first_occurrence, parse_schedule
from emulator.scheduled_jobs.tables import scheduled_jobs

log = logging.getLogger("iotc_emulator.scheduled_jobs")


class ScheduleDriver:
    """Fires each schedule's next occurrence: a normal job carrying `scheduledJobId`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._timers: dict[tuple[str, str], Timer] = {}

    def plan(
        self, app: Application, scheduled_job_id: str, *, enabled: bool, next_at: float | None
    ) -> None:
        """(Re)arm the schedule's timer, or disarm it when disabled, finished or deleted."""
        key = (app.id, scheduled_job_id)
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        if enabled and next_at is not None:
            self._timers[key] = self.runtime.scheduler.call_at(
                next_at, partial(self._fire, app, scheduled_job_id)
            )

    async def _fire(self, app: Application, scheduled_job_id: str) -> None:
        """Create this occurrence's job, then move the schedule to its next occurrence."""
        self._timers.pop((app.id, scheduled_job_id), None)
        async with self.runtime.db.read() as conn:
            row = (
                await conn.execute(
                    select(scheduled_jobs).where(
                        scheduled_jobs.c.app_id == app.id, scheduled_jobs.c.id == scheduled_job_id
                    )
                )
            ).one_or_none()
        if row is None or not row.enabled or row.next_index is None:
            return
        index = row.next_index
        definition = JobDefinition.from_store(orjson.loads(row.definition))
        rng = self.runtime.randomness.stream(
            app.id, "scheduled-job", scheduled_job_id, row.etag, str(index)
        )
        job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        try:
            await insert_job(
                self.runtime,
                app=app,
                job_id=job_id,
                definition=definition,
                scheduled_job_id=scheduled_job_id,
            )
        except ApiError as exc:
            log.warning("scheduled job %s could not start a job: %s", scheduled_job_id, exc.message)
        schedule = parse_schedule(orjson.loads(row.schedule))
        moment = datetime.fromtimestamp(self.runtime.clock.timestamp(), UTC)
        following = max(index + 1, schedule.first_index_from(moment))
        when = schedule.occurrence(following)
        next_index, next_at = (None, None) if when is None else (following, when.timestamp())
        await self._advance(app, scheduled_job_id, next_index, next_at)
        self.plan(app, scheduled_job_id, enabled=True, next_at=next_at)

    async def _advance(
        self, app: Application, scheduled_job_id: str, next_index: int | None, next_at: float | None
    ) -> None:
        async with self.runtime.db.write() as conn:
            await conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.app_id == app.id, scheduled_jobs.c.id == scheduled_job_id)
                .values(next_index=next_index, next_at=next_at, completed=next_index is None)
            )

    async def recover(self, app: Application) -> None:
        """At start: arm every enabled schedule; occurrences missed while down are skipped."""
        now = self.runtime.clock.timestamp()
        async with self.runtime.db.read() as conn:
            rows = (
                await conn.execute(
                    select(scheduled_jobs).where(
                        scheduled_jobs.c.app_id == app.id,
                        scheduled_jobs.c.enabled.is_(True),
                        scheduled_jobs.c.completed.is_(False),
                    )
                )
            ).all()
        for row in rows:
            next_index, next_at = row.next_index, row.next_at
            if next_at is not None and next_at < now:
                next_index, next_at = first_occurrence(
                    parse_schedule(orjson.loads(row.schedule)), now
                )
                await self._advance(app, row.id, next_index, next_at)
            self.plan(app, row.id, enabled=True, next_at=next_at)

    async def forget(self, app: Application) -> None:
        """After a reset: disarm the application's schedules (their rows are gone)."""
        for key in [k for k in self._timers if k[0] == app.id]:
            self._timers.pop(key).cancel()
