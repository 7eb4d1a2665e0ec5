"""Scheduled jobs as stored: the job definition, the schedule and how far it has run."""

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Table, Text

from emulator.store.db import metadata

scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("seq", Integer, nullable=False),  # creation order, for listing
    Column("definition", Text, nullable=False),  # JSON, JobDefinition.to_store()
    Column("schedule", Text, nullable=False),  # JSON, the schedule as the API shows it
    Column("enabled", Boolean, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("etag", String, nullable=False),
    Column("runs", Integer, nullable=False, default=0),  # occurrences that created a job
    Column("next_index", Integer, nullable=True),  # next occurrence to run; None when done
    Column("next_at", Float, nullable=True),  # its emulated timestamp
)
Index("ix_scheduled_jobs_app_seq", scheduled_jobs.c.app_id, scheduled_jobs.c.seq)
