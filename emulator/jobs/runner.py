"""Runs jobs on the scheduler: batches in sequence, each batch in bounded waves of devices.

A wave's operations go through the device gateway when it is dispatched; its devices count as
finished one emulated latency later, when the next step fires. Results are buffered and written
in batches (at least every emulated second, every `FLUSH_DEVICES` devices, on every status
change and before any read), so a killed process re-runs at most the devices whose result was
not yet written. Everything a step needs is in memory; the database is the record to resume from.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from functools import partial

import orjson
from sqlalchemy import and_, bindparam, insert, select, update

from emulator.applications.service import Application
from emulator.device_groups.service import member_ids
from emulator.device_templates.service import get_capabilities
from emulator.devices.tables import devices
from emulator.http.errors import NotFound
from emulator.jobs import rules
from emulator.jobs.model import JobDefinition
from emulator.jobs.operations import Operation, apply, resolve
from emulator.jobs.tables import job_devices, jobs
from emulator.runtime.core import Runtime
from emulator.runtime.scheduler import Timer

log = logging.getLogger("iotc_emulator.jobs")

FLUSH_DEVICES = 256  # results buffered before a write, at most
FLUSH_SECONDS = 1.0  # emulated seconds a result may wait to be written, at most
_IN_CHUNK = 500  # ids per IN (...) query


@dataclass
class Execution:
    """One job's live state while it runs, or while it is stopped with results in flight."""

    app: Application
    job_id: str
    definition: JobDefinition
    status: str
    device_ids: list[str]
    batch_size: int
    pending: deque[int]  # positions not yet dispatched, in run order
    completed: int = 0
    failed: int = 0
    failed_in_batch: dict[int, int] = field(default_factory=dict)
    current_batch: int = 0
    start: float | None = None
    end: float | None = None
    templates: dict[str, str | None] = field(default_factory=dict)
    plans: dict[str, list[Operation] | str] = field(default_factory=dict)
    in_flight: list[tuple[int, str | None]] = field(default_factory=list)
    finished: list[dict[str, object]] = field(default_factory=list)
    last_flush: float = 0.0
    timer: Timer | None = None

    @property
    def total(self) -> int:
        return len(self.device_ids)

    def batch_total(self, batch: int) -> int:
        return min(self.batch_size, self.total - batch * self.batch_size)

    def record(self, position: int, reason: str | None, now: float) -> None:
        """A device finished: count it and buffer its result for the next write."""
        if reason is None:
            self.completed += 1
            status = rules.DEVICE_COMPLETED
        else:
            self.failed += 1
            batch = position // self.batch_size
            self.failed_in_batch[batch] = self.failed_in_batch.get(batch, 0) + 1
            status = rules.DEVICE_FAILED
        self.finished.append({"p": position, "s": status, "r": reason, "t": now})

    def next_wave(self, bound: int) -> list[int]:
        """Up to `bound` undispatched positions, never reaching into the next batch."""
        batch = self.pending[0] // self.batch_size
        wave: list[int] = []
        while self.pending and len(wave) < bound and self.pending[0] // self.batch_size == batch:
            wave.append(self.pending.popleft())
        self.current_batch = batch
        return wave

    def cancel_due(self, threshold: rules.Threshold | None) -> bool:
        batch = self.current_batch
        return rules.should_cancel(
            threshold,
            failed=self.failed,
            total=self.total,
            batch_failed=self.failed_in_batch.get(batch, 0),
            batch_total=self.batch_total(batch),
        )


class JobRunner:
    """Every job execution of the process, and the 5-running-jobs quota per application."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.latency = float(runtime.settings.job_device_latency)
        self.concurrency = int(runtime.settings.job_concurrency)
        self.executions: dict[tuple[str, str], Execution] = {}
        self._slots = asyncio.Lock()

    # --- slots and starting -------------------------------------------------------------

    def running_count(self, app_id: str) -> int:
        return sum(
            1
            for (a, _), ex in self.executions.items()
            if a == app_id and ex.status == rules.RUNNING
        )

    def submit(self, app: Application) -> None:
        """Ask for queued jobs to be started on the scheduler (so a new job answers `pending`)."""
        self.runtime.scheduler.call_later(0, partial(self.fill_slots, app))

    async def fill_slots(self, app: Application) -> None:
        """Start queued jobs, oldest first, while fewer than five run."""
        async with self._slots:
            while self.running_count(app.id) < rules.MAX_RUNNING_JOBS:
                async with self.runtime.db.read() as conn:
                    job_id = (
                        await conn.execute(
                            select(jobs.c.id)
                            .where(jobs.c.app_id == app.id, jobs.c.status == rules.PENDING)
                            .order_by(jobs.c.queued_at, jobs.c.seq)
                            .limit(1)
                        )
                    ).scalar_one_or_none()
                if job_id is None:
                    return
                await self._run(app, job_id)

    async def _run(self, app: Application, job_id: str) -> None:
        """Put a job in the running state and schedule its next step."""
        ex = self.executions.get((app.id, job_id)) or await self._load(app, job_id)
        if ex is None:
            return
        ex.status = rules.RUNNING
        ex.start = ex.start or self.runtime.clock.timestamp()
        self.executions[(app.id, job_id)] = ex
        await self._flush(ex)
        if ex.timer is None:
            ex.timer = self.runtime.scheduler.call_later(0, partial(self._step, ex))

    async def _load(self, app: Application, job_id: str) -> Execution | None:
        """Build an execution from the database, freezing the group's devices on first start."""
        now = self.runtime.clock.timestamp()
        async with self.runtime.db.read() as conn:
            row = (
                await conn.execute(select(jobs).where(jobs.c.app_id == app.id, jobs.c.id == job_id))
            ).one_or_none()
            if row is None:
                return None
            positions = (
                await conn.execute(
                    select(job_devices.c.device_id, job_devices.c.status)
                    .where(job_devices.c.app_id == app.id, job_devices.c.job_id == job_id)
                    .order_by(job_devices.c.position)
                )
            ).all()
        definition = JobDefinition.from_store(orjson.loads(row.definition))
        if row.resolved:
            device_ids = [p.device_id for p in positions]
            statuses = [p.status for p in positions]
        else:
            try:
                device_ids = await member_ids(
                    self.runtime, app_id=app.id, group_id=definition.group
                )
            except NotFound:
                await self._fail_unstartable(app, job_id, now)
                return None
            statuses = [rules.DEVICE_PENDING] * len(device_ids)
        size = row.batch_size or rules.batch_size(len(device_ids), definition.batch)
        ex = Execution(
            app=app,
            job_id=job_id,
            definition=definition,
            status=row.status,
            device_ids=device_ids,
            batch_size=size,
            pending=deque(i for i, s in enumerate(statuses) if s == rules.DEVICE_PENDING),
            start=row.start,
            last_flush=now,
        )
        for position, status in enumerate(statuses):
            if status == rules.DEVICE_COMPLETED:
                ex.completed += 1
            elif status == rules.DEVICE_FAILED:
                ex.failed += 1
                batch = position // size
                ex.failed_in_batch[batch] = ex.failed_in_batch.get(batch, 0) + 1
        ex.templates = await self._templates(app.id, device_ids)
        ex.plans = await self._plans(app.id, definition)
        if not row.resolved:
            await self._freeze(ex, now)
        return ex

    async def _freeze(self, ex: Execution, now: float) -> None:
        """Store the devices a job runs on, once, when it first starts."""
        async with self.runtime.db.write() as conn:
            if ex.device_ids:
                await conn.execute(
                    insert(job_devices),
                    [
                        {
                            "app_id": ex.app.id,
                            "job_id": ex.job_id,
                            "position": i,
                            "device_id": d,
                            "status": rules.DEVICE_PENDING,
                        }
                        for i, d in enumerate(ex.device_ids)
                    ],
                )
            await conn.execute(
                update(jobs)
                .where(jobs.c.app_id == ex.app.id, jobs.c.id == ex.job_id)
                .values(resolved=True, total=ex.total, batch_size=ex.batch_size)
            )

    async def _fail_unstartable(self, app: Application, job_id: str, now: float) -> None:
        """The group vanished before the job started: it ends `failed` with no devices."""
        async with self.runtime.db.write() as conn:
            await conn.execute(
                update(jobs)
                .where(jobs.c.app_id == app.id, jobs.c.id == job_id)
                .values(status=rules.FAILED, resolved=True, total=0, start=now, end=now)
            )

    async def _templates(self, app_id: str, device_ids: list[str]) -> dict[str, str | None]:
        """Each device's template, read in chunks; a device missing here no longer exists."""
        found: dict[str, str | None] = {}
        async with self.runtime.db.read() as conn:
            for start in range(0, len(device_ids), _IN_CHUNK):
                chunk = device_ids[start : start + _IN_CHUNK]
                rows = await conn.execute(
                    select(devices.c.id, devices.c.template).where(
                        devices.c.app_id == app_id, devices.c.id.in_(chunk)
                    )
                )
                found.update((r.id, r.template) for r in rows)
        return found

    async def _plans(
        self, app_id: str, definition: JobDefinition
    ) -> dict[str, list[Operation] | str]:
        """Per target template, the operations to run, or why its devices cannot be served."""
        plans: dict[str, list[Operation] | str] = {}
        for data in definition.data:
            assert data.target is not None
            plan = plans.setdefault(data.target, [])
            if isinstance(plan, str):
                continue
            capabilities = await get_capabilities(
                self.runtime, app_id=app_id, template_id=data.target
            )
            if capabilities is None:
                plans[data.target] = f"the device template '{data.target}' no longer exists"
                continue
            try:
                plan.append(resolve(capabilities, data))
            except ValueError as exc:
                plans[data.target] = str(exc)
        return plans

    # --- stepping -----------------------------------------------------------------------

    async def _step(self, ex: Execution) -> None:
        """Finish the wave in flight, then cancel, finish, or dispatch the next wave."""
        ex.timer = None
        now = self.runtime.clock.timestamp()
        for position, reason in ex.in_flight:
            ex.record(position, reason, now)
        ex.in_flight = []
        if ex.status != rules.RUNNING:
            await self._flush(ex)
            return
        if ex.cancel_due(ex.definition.threshold):
            await self._finish(ex, rules.CANCELLED, now)
            return
        if not ex.pending:
            await self._finish(ex, rules.final_status(total=ex.total, failed=ex.failed), now)
            return
        wave = ex.next_wave(self.concurrency)
        reasons = await asyncio.gather(*(self._operate(ex, p) for p in wave))
        ex.in_flight = list(zip(wave, reasons, strict=True))
        if len(ex.finished) >= FLUSH_DEVICES or now - ex.last_flush >= FLUSH_SECONDS:
            await self._flush(ex)
        ex.timer = self.runtime.scheduler.call_later(self.latency, partial(self._step, ex))

    async def _operate(self, ex: Execution, position: int) -> str | None:
        """Apply the job to one device; the failure reason, or None when it succeeded."""
        device_id = ex.device_ids[position]
        if device_id not in ex.templates:
            return f"the device '{device_id}' no longer exists"
        template = ex.templates[device_id]
        plan = ex.plans.get(template or "")
        if plan is None:
            targets = ", ".join(sorted(ex.plans))
            return f"the device's template '{template}' is not a target of this job ({targets})"
        if isinstance(plan, str):
            return plan
        for op in plan:
            reason = await apply(self.runtime, ex.app, device_id, op)
            if reason is not None:
                return reason
        return None

    async def _finish(self, ex: Execution, status: str, now: float) -> None:
        ex.status, ex.end = status, now
        await self._flush(ex)
        self.executions.pop((ex.app.id, ex.job_id), None)
        log.info(
            "job %s ended %s (%d completed, %d failed)", ex.job_id, status, ex.completed, ex.failed
        )
        await self.fill_slots(ex.app)

    async def _flush(self, ex: Execution) -> None:
        """Write buffered device results and the job's status and counters in one transaction."""
        results, ex.finished = ex.finished, []
        async with self.runtime.db.write() as conn:
            if results:
                await conn.execute(
                    update(job_devices)
                    .where(
                        and_(
                            job_devices.c.app_id == ex.app.id,
                            job_devices.c.job_id == ex.job_id,
                            job_devices.c.position == bindparam("p"),
                        )
                    )
                    .values(
                        status=bindparam("s"), reason=bindparam("r"), finished_at=bindparam("t")
                    ),
                    results,
                )
            await conn.execute(
                update(jobs)
                .where(jobs.c.app_id == ex.app.id, jobs.c.id == ex.job_id)
                .values(
                    status=ex.status,
                    start=ex.start,
                    end=ex.end,
                    completed=ex.completed,
                    failed=ex.failed,
                )
            )
        ex.last_flush = self.runtime.clock.timestamp()

    # --- client actions -----------------------------------------------------------------

    async def flush_app(self, app_id: str, job_id: str | None = None) -> None:
        """Write what is buffered, so a read sees every device that has finished."""
        for (a, j), ex in list(self.executions.items()):
            if a == app_id and (job_id is None or j == job_id) and ex.finished:
                await self._flush(ex)

    async def stop(self, app: Application, job_id: str) -> None:
        """Stop dispatching; the wave in flight still finishes. Frees the job's run slot."""
        ex = self.executions.get((app.id, job_id))
        if ex is not None:
            ex.status = rules.STOPPED
            await self._flush(ex)
        self.submit(app)

    async def resume(self, app: Application, job_id: str) -> str:
        """Run a stopped job again, or queue it (`pending`) while five others run."""
        async with self._slots:
            if self.running_count(app.id) < rules.MAX_RUNNING_JOBS:
                await self._run(app, job_id)
                return rules.RUNNING
        ex = self.executions.get((app.id, job_id))
        if ex is not None:
            ex.status = rules.PENDING
        async with self.runtime.db.write() as conn:
            await conn.execute(
                update(jobs)
                .where(jobs.c.app_id == app.id, jobs.c.id == job_id)
                .values(status=rules.PENDING, queued_at=self.runtime.clock.timestamp())
            )
        return rules.PENDING

    # --- process life -------------------------------------------------------------------

    async def recover(self, app: Application) -> None:
        """At start: jobs that were running when the process ended continue where they were."""
        async with self.runtime.db.read() as conn:
            running = (
                await conn.execute(
                    select(jobs.c.id)
                    .where(jobs.c.app_id == app.id, jobs.c.status == rules.RUNNING)
                    .order_by(jobs.c.seq)
                )
            ).scalars()
            job_ids = list(running)
        for job_id in job_ids:
            await self._run(app, job_id)
        if job_ids:
            log.info("resumed %d running job(s) of %s", len(job_ids), app.subdomain)
        self.submit(app)

    async def forget(self, app: Application) -> None:
        """After a reset: drop the application's executions (their rows are gone)."""
        for key, ex in list(self.executions.items()):
            if key[0] == app.id:
                if ex.timer is not None:
                    ex.timer.cancel()
                del self.executions[key]

    async def close(self) -> None:
        """At shutdown: write every buffered result."""
        for ex in list(self.executions.values()):
            if ex.finished:
                await self._flush(ex)
