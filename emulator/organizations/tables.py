"""Organizations: a tree of at most five levels that scopes devices, users and tokens."""

from sqlalchemy import Column, Index, Integer, String, Table

from emulator.store.db import metadata

organizations = Table(
    "organizations",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("parent", String, nullable=True),  # None for a top-level organization
    Column("seq", Integer, nullable=False),  # creation order, for stable listing
)
Index("ix_organizations_parent", organizations.c.app_id, organizations.c.parent)
