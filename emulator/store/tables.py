"""Imports every domain's tables so the schema created at start is complete."""

import emulator.api_tokens.tables
import emulator.applications.tables
import emulator.commands.tables
import emulator.control_plane.tables
import emulator.device_groups.tables
import emulator.device_templates.tables
import emulator.devices.tables
import emulator.identity.tables
import emulator.jobs.tables
import emulator.organizations.tables
import emulator.properties.tables
import emulator.scheduled_jobs.tables
import emulator.telemetry.tables
import emulator.users.tables  # noqa: F401
