"""Devices as stored, one row each, app-scoped, with columns for every filterable field."""

from sqlalchemy import Boolean, Column, Float, Index, String, Table, Text

from emulator.store.db import metadata

devices = Table(
    "devices",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("template", String, nullable=True),
    Column("simulated", Boolean, nullable=False, default=False),
    Column("provisioned", Boolean, nullable=False, default=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("organization", String, nullable=True),  # IoT Central allows one organization
    Column("etag", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("extra", Text, nullable=True),  # JSON: preview-only fields (type, deploymentManifest)
)
Index("ix_devices_app_display", devices.c.app_id, devices.c.display_name, devices.c.id)
Index("ix_devices_app_template", devices.c.app_id, devices.c.template)
