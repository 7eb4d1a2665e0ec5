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
    Column("attestation", Text, nullable=True),  # JSON: the device's individual attestation
)
Index("ix_devices_app_display", devices.c.app_id, devices.c.display_name, devices.c.id)
Index("ix_devices_app_template", devices.c.app_id, devices.c.template, devices.c.id)
Index("ix_devices_app_organization", devices.c.app_id, devices.c.organization, devices.c.id)

device_relationships = Table(
    "device_relationships",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("device_id", String, primary_key=True),  # the device the relationship is listed under
    Column("id", String, primary_key=True),
    Column("source", String, nullable=False),
    Column("target", String, nullable=False),
)
Index(
    "ix_device_relationships_target",
    device_relationships.c.app_id,
    device_relationships.c.target,
)
