"""Applications: the scope every other row belongs to."""

from sqlalchemy import Column, Float, String, Table

from emulator.store.db import metadata

applications = Table(
    "applications",
    metadata,
    Column("id", String, primary_key=True),
    Column("subdomain", String, nullable=False, unique=True),
    Column("display_name", String, nullable=False),
    Column("secret", String, nullable=False),
    Column("admin_token", String, nullable=False),
    Column("created_at", Float, nullable=False),
)
