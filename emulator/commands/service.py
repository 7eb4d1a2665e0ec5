"""Running commands over the API and reading their history: the rules around the gateway."""

from __future__ import annotations

from typing import Any

from emulator.applications.service import Application
from emulator.commands import store
from emulator.devices.service import Visible, require_device
from emulator.http.errors import ApiError, BadRequest, NotFound
from emulator.runtime.core import Runtime
from emulator.runtime.gateway import NOT_CONNECTED, TIMED_OUT, command_of, component_of


def _seconds(body: dict[str, Any], name: str, low: int, high: int, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number of seconds from {low} to {high}.")
    return value


async def run_command(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    command: str,
    body: Any,
    component: str | None,
    module: str | None,
    visible: Visible,
) -> dict[str, Any]:
    """Run the command through the gateway; the answer is the call as history keeps it."""
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    if not isinstance(body, dict):
        raise BadRequest('The body must be a DeviceCommand object, such as {"request": ...}.')
    connection_timeout = _seconds(body, "connectionTimeout", 0, 30, 0)
    response_timeout = _seconds(body, "responseTimeout", 5, 30, 30)
    outcome = await runtime.gateway.run_command(
        app,
        device_id,
        command,
        body.get("request"),
        component=component,
        module=module,
        connection_timeout=connection_timeout,
        response_timeout=response_timeout,
    )
    if outcome.error == NOT_CONNECTED:
        raise NotFound(
            f"Device '{device_id}' is not connected, so it cannot run '{command}'. Send"
            " connectionTimeout (up to 30 s) to wait for it, or make it a simulated, enabled"
            " device (or reconnect it: DELETE /_emulator/devices/{deviceId}/faults)."
        )
    if outcome.error == TIMED_OUT:
        raise ApiError(
            f"Gateway timeout waiting for device {device_id} in application {app.id} to return"
            f" the request. The device did not answer '{command}' within {response_timeout} s.",
            status=504,
            code="GatewayTimeout",
        )
    async with runtime.db.read() as conn:
        call = await store.latest(
            conn,
            app_id=app.id,
            device_id=device_id,
            module=module,
            component=component,
            name=command,
        )
    assert call is not None
    return call


async def command_history(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    command: str,
    component: str | None,
    module: str | None,
    visible: Visible,
) -> dict[str, Any]:
    """DeviceCommandCollection with the latest call, as IoT Central keeps only that one."""
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    index = await runtime.gateway.model(app, device_id)
    command_of(component_of(index, device_id, component, module), device_id, command)
    async with runtime.db.read() as conn:
        call = await store.latest(
            conn,
            app_id=app.id,
            device_id=device_id,
            module=module,
            component=component,
            name=command,
        )
    return {"value": [] if call is None else [call]}
