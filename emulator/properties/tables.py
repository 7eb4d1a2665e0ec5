"""Property state per device: reported, desired with versions and acks, and cloud values."""

from sqlalchemy import Column, Float, Integer, String, Table, Text

from emulator.store.db import metadata

device_properties = Table(
    "device_properties",
    metadata,
    Column("app_id", String, primary_key=True),
    Column("device_id", String, primary_key=True),
    Column("module", String, primary_key=True, default=""),  # "" for the device itself
    Column("component", String, primary_key=True, default=""),  # "" for the root component
    Column("name", String, primary_key=True),
    Column("kind", String, nullable=False),  # "device" or "cloud"
    Column("reported", Text, nullable=True),  # JSON value the device reported (or cloud value)
    Column("reported_at", Float, nullable=True),
    Column("desired", Text, nullable=True),  # JSON value last written by the cloud
    Column("desired_version", Integer, nullable=True),
    Column("desired_at", Float, nullable=True),
    Column("ack_version", Integer, nullable=True),
    Column("ack_code", Integer, nullable=True),
    Column("ack_description", String, nullable=True),
)
