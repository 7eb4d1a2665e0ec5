"""The last known value of a device telemetry, as the API returns it."""

from __future__ import annotations

from typing import Any

from emulator.applications.service import Application
from emulator.devices.service import Visible, require_device
from emulator.http.errors import NotFound
from emulator.runtime.clock import iso_from_timestamp
from emulator.runtime.core import Runtime
from emulator.runtime.gateway import component_of


async def last_value(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    name: str,
    component: str | None,
    module: str | None,
    visible: Visible,
) -> dict[str, Any]:
    """DeviceTelemetry `{timestamp, value}`; NotFound for a name the template lacks or no value."""
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    index = await runtime.gateway.model(app, device_id)
    target = component_of(index, device_id, component, module)
    if name not in target.telemetry:
        raise NotFound(
            f"The template of device '{device_id}' has no telemetry '{name}' here."
            f" Telemetry: {sorted(target.telemetry) or 'none'}."
        )
    found = await runtime.telemetry.last((app.id, device_id, module, component, name))
    if found is None:
        raise NotFound(
            f"Device '{device_id}' has not sent '{name}' yet. Simulated, enabled devices send"
            " telemetry every few seconds; advance the clock (POST /_emulator/clock) to see it."
        )
    ts, value = found
    return {"timestamp": iso_from_timestamp(ts), "value": value}
