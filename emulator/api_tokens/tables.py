"""API tokens: the value is never stored, only what is needed to check a presented one."""

from sqlalchemy import Column, Float, Integer, String, Table

from emulator.store.db import metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("id", String, primary_key=True),
    Column("expiry_ms", Integer, nullable=False),  # the token's `se`
    Column("nonce", String, nullable=False),  # signed with the token, so a re-created id differs
    Column("created_at", Float, nullable=False),
    Column("seq", Integer, nullable=False),
    # A value fixed in advance (scenario files): accepted as it is, instead of a signature.
    Column("fixed_value", String, nullable=True),
)
