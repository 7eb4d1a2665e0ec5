"""The latest invocation of each command of each device (IoT Central keeps one)."""

from sqlalchemy import Column, Float, Integer, String, Table, Text

from emulator.store.db import metadata

device_commands = Table(
    "device_commands",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("device_id", String, primary_key=True),
    Column("module", String, primary_key=True, default=""),  # "" for the device itself
    Column("component", String, primary_key=True, default=""),  # "" for the root component
    Column("name", String, primary_key=True),
    Column("id", String, nullable=False),  # the request id
    Column("request", Text, nullable=True),  # JSON
    Column("response", Text, nullable=True),  # JSON; NULL when the device never answered
    Column("response_code", Integer, nullable=True),
    Column("connection_timeout", Integer, nullable=False),
    Column("response_timeout", Integer, nullable=False),
    Column("ts", Float, nullable=False),
)
