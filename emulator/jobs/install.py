"""Wires the job runner and the schedule driver into the runtime's life cycle."""

from __future__ import annotations

from emulator.jobs.runner import JobRunner
from emulator.runtime.core import Runtime
from emulator.scheduled_jobs.driver import ScheduleDriver


def install(runtime: Runtime) -> None:
    """Register both services; running jobs and schedules resume when the runtime starts."""
    runner = JobRunner(runtime)
    driver = ScheduleDriver(runtime)
    runtime.services["jobs"] = runner
    runtime.services["scheduled_jobs"] = driver
    runtime.start_hooks += [runner.recover, driver.recover]
    runtime.reset_hooks += [runner.forget, driver.forget]
    runtime.stop_hooks.append(runner.close)
