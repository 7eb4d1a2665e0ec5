"""Fault profiles of devices: read, replace, clear."""

from __future__ import annotations

from typing import Any

from emulator.applications.service import Application
from emulator.devices.service import require_device
from emulator.http.errors import BadRequest
from emulator.runtime.core import Runtime
from simulated_devices.faults import FaultProfile, parse_profile


async def get_profile(runtime: Runtime, *, app: Application, device_id: str) -> dict[str, Any]:
    """The device's profile; the defaults when none was set."""
    await require_device(runtime, app_id=app.id, device_id=device_id)
    return runtime.simulation.profile(app.id, device_id).to_json()


async def set_profile(
    runtime: Runtime, *, app: Application, device_id: str, body: Any
) -> dict[str, Any]:
    """Replace the profile; fields left out take their defaults."""
    await require_device(runtime, app_id=app.id, device_id=device_id)
    try:
        profile = parse_profile(body)
    except ValueError as exc:
        raise BadRequest(f"The fault profile is not valid: {exc}.") from None
    await runtime.simulation.set_profile(app.id, device_id, profile)
    return profile.to_json()


async def clear_profile(runtime: Runtime, *, app: Application, device_id: str) -> None:
    """Back to a well-behaved device."""
    await require_device(runtime, app_id=app.id, device_id=device_id)
    await runtime.simulation.set_profile(app.id, device_id, FaultProfile())
