"""Device templates as stored: the body as sent plus what listing and paging need."""

from sqlalchemy import Column, Index, String, Table, Text

from emulator.store.db import metadata

device_templates = Table(
    "device_templates",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("model_id", String, nullable=True),  # capabilityModel @id
    Column("body", Text, nullable=False),  # JSON as IoT Central returns it (without etag)
    Column("etag", String, nullable=False),
)
Index(
    "ix_device_templates_app_display",
    device_templates.c.app_id,
    device_templates.c.display_name,
    device_templates.c.id,
)
