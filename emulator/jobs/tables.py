"""Jobs as stored: the definition, the status and counters, and one row per targeted device."""

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from emulator.store.db import metadata

jobs = Table(
    "jobs",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("seq", Integer, nullable=False),  # creation order: lists show the newest first
    Column("definition", Text, nullable=False),  # JSON, JobDefinition.to_store()
    Column("scheduled_job_id", String, nullable=True),
    Column("status", String, nullable=False),
    Column("queued_at", Float, nullable=False),  # when it last asked for a run slot
    Column("start", Float, nullable=True),
    Column("end", Float, nullable=True),
    Column("resolved", Boolean, nullable=False),  # its devices are frozen in job_devices
    Column("batch_size", Integer, nullable=True),
    Column("total", Integer, nullable=False, default=0),
    Column("completed", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
)
Index("ix_jobs_app_seq", jobs.c.app_id, jobs.c.seq)
Index("ix_jobs_app_status", jobs.c.app_id, jobs.c.status)
Index("ix_jobs_app_scheduled", jobs.c.app_id, jobs.c.scheduled_job_id)

job_devices = Table(
    "job_devices",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("job_id", String, primary_key=True),
    Column("position", Integer, primary_key=True),  # run order; batch = position // batch_size
    Column("device_id", String, nullable=False),
    Column("status", String, nullable=False),  # pending | completed | failed
    Column("reason", Text, nullable=True),  # why it failed
    Column("finished_at", Float, nullable=True),
)
