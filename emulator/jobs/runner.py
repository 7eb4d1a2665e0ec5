"""Runs jobs on the scheduler: batches in sequence, devices of a batch in a bounded window.

Each command or migration runs in a task of its own (the gateway may wait on emulated time, which
a scheduler callback must never do); property and cloud property writes of a whole window share
one task that hands them to the gateway at once. A step gives the tasks a bounded real-time
moment to finish their I/O, and a device counts as finished once its task is done and the
emulated latency since its dispatch has passed. A writer task per job stores results in batches:
it writes whatever has finished as soon as its previous write is done, so batches grow by
themselves when devices finish faster than the disk takes them. Status changes and reads wait
for the writer; a killed process re-runs only the devices whose result was not yet written.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from functools import partial

import orjson
from msgspec import Struct, field
from sqlalchemy import bindparam, insert, select, update

from emulator.applications.service import Application
from emulator.device_groups.service import member_ids
from emulator.device_templates.service import get_capabilities
from emulator.http.errors import NotFound
from emulator.jobs import rules
from emulator.jobs.model import JobDefinition
from emulator.jobs.operations import (
    BULK_KINDS,
    Operation,
    migrate,
    resolve,
    run_command,
    write_many,
)
from emulator.jobs.tables import job_devices, jobs
from emulator.runtime.core import Runtime
from emulator.runtime.scheduler import Timer

log = logging.getLogger("iotc_emulator.jobs")

RECHECK_MAX = 1.0  # emulated seconds between looks at an operation still waiting

_FREEZE = insert(job_devices)
_RESULT = (
    update(job_devices)
    .where(
        job_devices.c.app_id == bindparam("a"),
        job_devices.c.job_id == bindparam("j"),
        job_devices.c.position == bindparam("p"),
    )
    .values(status=bindparam("s"), reason=bindparam("r"), finished_at=bindparam("t"))
)

Plan = list[Operation] | str  # the operations for a template, or why its devices fail
Results = dict[int, str | None]  # per position: why the device failed, or None


class InFlight(Struct):
    """A device being worked on: its task (maybe shared), and when its emulated latency is over."""

    task: asyncio.Task[Results]
    ready_at: float


class Execution(Struct):
    """One job's live state while it runs, or while operations it started are still out."""

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
    plans: dict[str, Plan] = field(default_factory=dict)
    in_flight: dict[int, InFlight] = field(default_factory=dict)
    finished: list[dict[str, object]] = field(default_factory=list)  # not yet written
    dirty: bool = False  # the status or counters changed since the last write
    writer: asyncio.Task[None] | None = None
    recheck: float = 0.0  # current wait between looks at slow operations
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
        self.finished.append(
            {"a": self.app.id, "j": self.job_id, "p": position, "s": status, "r": reason, "t": now}
        )

    def can_dispatch(self, bound: int, picked: int) -> bool:
        """A free slot, and a pending device of the current batch (or the batch is over)."""
        busy = len(self.in_flight) + picked
        if not self.pending or busy >= bound:
            return False
        batch = self.pending[0] // self.batch_size
        return batch == self.current_batch or busy == 0

    def cancel_due(self) -> bool:
        batch = self.current_batch
        return rules.should_cancel(
            self.definition.threshold,
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
        """Ask for queued jobs to start on the scheduler (so a new job first answers `pending`)."""
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
        self._schedule(ex, self.runtime.clock.timestamp())

    def _schedule(self, ex: Execution, when: float) -> None:
        if ex.timer is not None:
            ex.timer.cancel()
        ex.timer = self.runtime.scheduler.call_at(when, partial(self._step, ex))

    async def _load(self, app: Application, job_id: str) -> Execution | None:
        """Build an execution from the database, freezing the group's devices on first start."""
        now = self.runtime.clock.timestamp()
        async with self.runtime.db.read() as conn:
            row = (
                await conn.execute(select(jobs).where(jobs.c.app_id == app.id, jobs.c.id == job_id))
            ).one_or_none()
            if row is None:
                return None
            stored = (
                await conn.execute(
                    select(job_devices.c.device_id, job_devices.c.status)
                    .where(job_devices.c.app_id == app.id, job_devices.c.job_id == job_id)
                    .order_by(job_devices.c.position)
                )
            ).all()
        definition = JobDefinition.from_store(orjson.loads(row.definition))
        if row.resolved:
            device_ids = [d.device_id for d in stored]
            statuses = [d.status for d in stored]
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
        )
        for position, status in enumerate(statuses):
            if status == rules.DEVICE_COMPLETED:
                ex.completed += 1
            elif status == rules.DEVICE_FAILED:
                ex.failed += 1
                batch = position // size
                ex.failed_in_batch[batch] = ex.failed_in_batch.get(batch, 0) + 1
        if ex.pending:
            ex.current_batch = ex.pending[0] // size
        ex.templates = await self.runtime.gateway.templates(app.id, device_ids)
        ex.plans = await self._plans(app.id, definition)
        if not row.resolved:
            await self._freeze(ex)
        return ex

    async def _freeze(self, ex: Execution) -> None:
        """Store the devices a job runs on, once, when it first starts."""
        async with self.runtime.db.write() as conn:
            if ex.device_ids:
                await self.runtime.batches.executemany(
                    conn,
                    _FREEZE,
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

    async def _plans(self, app_id: str, definition: JobDefinition) -> dict[str, Plan]:
        """Per target template, the operations to run, or why its devices cannot be served."""
        plans: dict[str, Plan] = {}
        for data in definition.data:
            if data.kind == "deviceTemplateMigration":
                continue
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
        """Collect finished devices, then cancel, end, or fill the window and wait again."""
        ex.timer = None
        if self.executions.get((ex.app.id, ex.job_id)) is not ex:
            return  # forgotten by a reset
        now = self.runtime.clock.timestamp()
        await self._collect(ex, now)
        if ex.status == rules.RUNNING:
            if not ex.pending and not ex.in_flight:
                await self._end(ex, rules.final_status(total=ex.total, failed=ex.failed), now)
            elif ex.cancel_due():
                await self._end(ex, rules.CANCELLED, now)
            else:
                await self._dispatch(ex, now)
        if ex.finished:
            self._kick(ex)
        self._plan_next(ex, now)

    async def _collect(self, ex: Execution, now: float) -> None:
        """Record the devices whose task is done and whose latency is over."""
        ready = [p for p, f in ex.in_flight.items() if f.ready_at <= now]
        await self.runtime.scheduler.settle({ex.in_flight[p].task for p in ready})
        for position in ready:
            task = ex.in_flight[position].task
            if task.done():
                del ex.in_flight[position]
                ex.record(position, _reason(task, position), now)

    async def _dispatch(self, ex: Execution, now: float) -> None:
        """Start devices while the window has room, then let their I/O happen at this moment."""
        loop = asyncio.get_running_loop()
        started: list[asyncio.Task[Results]] = []
        bulk: dict[int, tuple[list[Operation], list[int]]] = {}  # by plan: positions to write
        picked: list[tuple[int, Plan | None]] = []
        while ex.can_dispatch(self.concurrency, len(picked)):
            position = ex.pending.popleft()
            ex.current_batch = position // ex.batch_size
            picked.append((position, self._work(ex, position)))
        for position, work in picked:
            if isinstance(work, list) and all(op.kind in BULK_KINDS for op in work):
                bulk.setdefault(id(work), (work, []))[1].append(position)
                continue
            task = loop.create_task(self._operate(ex, position, work))
            ex.in_flight[position] = InFlight(task, now + self.latency)
            started.append(task)
        for plan, positions in bulk.values():
            task = loop.create_task(self._write_many(ex, plan, positions))
            for position in positions:
                ex.in_flight[position] = InFlight(task, now + self.latency)
            started.append(task)
        await self.runtime.scheduler.settle(started)

    def _plan_next(self, ex: Execution, now: float) -> None:
        """Wake at the next latency end, or look again (backing off) at slow operations."""
        if not ex.in_flight:
            ex.recheck = 0.0
            return
        next_ready = min(f.ready_at for f in ex.in_flight.values())
        if next_ready > now:
            ex.recheck = 0.0
            self._schedule(ex, next_ready)
            return
        ex.recheck = min(max(ex.recheck * 2, self.latency, 0.01), RECHECK_MAX)
        self._schedule(ex, now + ex.recheck)

    def _work(self, ex: Execution, position: int) -> Plan | None:
        """The device's operations, why it fails at once, or None for a template migration."""
        device_id = ex.device_ids[position]
        if device_id not in ex.templates:
            return f"the device '{device_id}' no longer exists"
        if any(d.kind == "deviceTemplateMigration" for d in ex.definition.data):
            return None
        template = ex.templates[device_id]
        plan = ex.plans.get(template or "")
        if plan is None:
            targets = ", ".join(sorted(ex.plans))
            return f"the device's template '{template}' is not a target of this job ({targets})"
        return plan

    async def _operate(self, ex: Execution, position: int, work: Plan | None) -> Results:
        """Apply the job to one device (commands, migration, or an immediate failure)."""
        device_id = ex.device_ids[position]
        if isinstance(work, str):
            return {position: work}
        if work is None:
            migration = next(d for d in ex.definition.data if d.kind == "deviceTemplateMigration")
            return {position: await migrate(self.runtime, ex.app, device_id, migration.template)}
        for op in work:
            if op.kind in BULK_KINDS:
                reason = (await write_many(self.runtime, ex.app, [device_id], op))[device_id]
            else:
                reason = await run_command(self.runtime, ex.app, device_id, op)
            if reason is not None:
                return {position: reason}
        return {position: None}

    async def _write_many(
        self, ex: Execution, plan: list[Operation], positions: list[int]
    ) -> Results:
        """Property writes for a window of devices, one gateway call per operation."""
        results: Results = dict.fromkeys(positions)
        for op in plan:
            todo = [p for p in positions if results[p] is None]
            if not todo:
                break
            reasons = await write_many(self.runtime, ex.app, [ex.device_ids[p] for p in todo], op)
            for position in todo:
                results[position] = reasons[ex.device_ids[position]]
        return results

    async def _end(self, ex: Execution, status: str, now: float) -> None:
        """The job reached a final status; devices still out are recorded when they finish."""
        ex.status, ex.end = status, now
        await self._flush(ex)
        log.info(
            "job %s ended %s (%d completed, %d failed)", ex.job_id, status, ex.completed, ex.failed
        )
        self.submit(ex.app)

    def _kick(self, ex: Execution) -> None:
        """Make sure a writer is storing what has finished."""
        if ex.writer is None or ex.writer.done():
            ex.writer = asyncio.get_running_loop().create_task(self._drain(ex))

    async def _drain(self, ex: Execution) -> None:
        while ex.finished or ex.dirty:
            await self._write(ex)

    async def _flush(self, ex: Execution) -> None:
        """Store the job's status and counters and every finished device, and wait for it."""
        ex.dirty = True
        await self._settle(ex)

    async def _settle(self, ex: Execution) -> None:
        """Wait until everything that has finished so far is written."""
        if ex.finished or ex.dirty:
            self._kick(ex)
        while ex.writer is not None and not ex.writer.done():
            await asyncio.shield(ex.writer)

    async def _write(self, ex: Execution) -> None:
        """One transaction: buffered device results plus the job's status and counters."""
        results, ex.finished, ex.dirty = ex.finished, [], False
        async with self.runtime.db.write() as conn:
            if results:
                await self.runtime.batches.executemany(conn, _RESULT, results)
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
        if ex.status in rules.TERMINAL and not ex.in_flight and not ex.finished:
            self.executions.pop((ex.app.id, ex.job_id), None)

    # --- client actions -----------------------------------------------------------------

    async def flush_app(self, app_id: str, job_id: str | None = None) -> None:
        """Write what is buffered, so a read sees every device that has finished."""
        for (a, j), ex in list(self.executions.items()):
            if a == app_id and (job_id is None or j == job_id):
                await self._settle(ex)

    async def stop(self, app: Application, job_id: str) -> None:
        """Stop dispatching; operations in flight still finish. Frees the job's run slot."""
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
                _halt(ex)
                del self.executions[key]

    async def close(self) -> None:
        """At shutdown: stop stepping, write every result; devices in flight run again later."""
        for ex in list(self.executions.values()):
            _halt(ex)
            await self._settle(ex)


def _halt(ex: Execution) -> None:
    """No further step, and the operations in flight are cancelled."""
    if ex.timer is not None:
        ex.timer.cancel()
    for flight in ex.in_flight.values():
        flight.task.cancel()


def _reason(task: asyncio.Task[Results], position: int) -> str | None:
    if task.cancelled():
        return "the operation was cancelled"
    error = task.exception()
    if error is not None:
        log.error("job operation failed", exc_info=error)
        return "the emulator hit an internal error; the server log has the details"
    return task.result()[position]
