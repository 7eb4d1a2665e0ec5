"""Users of the three kinds IoT Central knows; their roles live in role_assignments."""

from sqlalchemy import Column, Index, Integer, String, Table

from emulator.store.db import metadata

users = Table(
    "users",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("type", String, nullable=False),  # "email" | "servicePrincipal" | "adGroup"
    Column("email", String, nullable=True),
    Column("email_key", String, nullable=True),  # lower-cased email, one user per address
    Column("tenant_id", String, nullable=True),
    Column("object_id", String, nullable=True),
    Column("seq", Integer, nullable=False),
)
Index("ix_users_email", users.c.app_id, users.c.email_key, unique=True)
