"""Device groups: a name and a stored filter; membership is computed when asked."""

from sqlalchemy import Column, Index, String, Table, Text

from emulator.store.db import metadata

device_groups = Table(
    "device_groups",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("filter", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("organization", String, nullable=True),
    Column("etag", String, nullable=False),
)
Index(
    "ix_device_groups_app_display",
    device_groups.c.app_id,
    device_groups.c.display_name,
    device_groups.c.id,
)
