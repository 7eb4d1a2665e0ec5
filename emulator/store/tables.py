"""Imports every domain's tables so the schema created at start is complete."""

import emulator.applications.tables
import emulator.control_plane.tables
import emulator.device_groups.tables
import emulator.device_templates.tables
import emulator.devices.tables
import emulator.properties.tables
import emulator.telemetry.tables  # noqa: F401
