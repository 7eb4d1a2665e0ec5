"""Role assignments of users and API tokens, a row each, so an organization can ask who uses it."""

from sqlalchemy import Column, Index, Integer, String, Table

from emulator.store.db import metadata

role_assignments = Table(
    "role_assignments",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("holder_kind", String, primary_key=True),  # "user" | "apiToken"
    Column("holder_id", String, primary_key=True),
    Column("position", Integer, primary_key=True),  # order as sent
    Column("role", String, nullable=False),
    Column("organization", String, nullable=True),
)
Index("ix_role_assignments_org", role_assignments.c.app_id, role_assignments.c.organization)
