"""Telemetry history: every point a device sent, kept for the retention period."""

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from emulator.store.db import metadata

telemetry = Table(
    "telemetry",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("app_id", String, nullable=False),
    Column("device_id", String, nullable=False),
    Column("template", String, nullable=True),  # the device's template when it was sent
    Column("module", String, nullable=True),
    Column("component", String, nullable=True),  # None for the root component
    Column("name", String, nullable=False),
    Column("ts", Float, nullable=False),  # emulated epoch seconds
    Column("value", Text, nullable=False),  # JSON
    Column("num", Float, nullable=True),  # numeric value, when the value is a number
)
Index(
    "ix_telemetry_device",
    telemetry.c.app_id,
    telemetry.c.device_id,
    telemetry.c.name,
    telemetry.c.ts,
)
Index("ix_telemetry_template_ts", telemetry.c.app_id, telemetry.c.template, telemetry.c.ts)
Index("ix_telemetry_ts", telemetry.c.ts)  # retention deletes by age across applications
