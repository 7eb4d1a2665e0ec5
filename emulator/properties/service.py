"""Reading and writing device properties over the API: the rules around the gateway."""

from __future__ import annotations

from typing import Any

from emulator.applications.service import Application
from emulator.devices.service import Visible, require_device
from emulator.properties import store
from emulator.runtime.core import Runtime
from emulator.runtime.gateway import component_of


async def get_properties(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    component: str | None,
    module: str | None,
    visible: Visible,
) -> dict[str, Any]:
    """DeviceProperties: reported and cloud values with `$metadata`, components nested."""
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    index = await runtime.gateway.model(app, device_id)
    component_of(index, device_id, component, module)
    await runtime.batches.flush()
    async with runtime.db.read() as conn:
        rows = await store.read(conn, app_id=app.id, device_id=device_id, module=module)
    return store.render(rows, component=component, nested=component is None)


async def write_properties(
    runtime: Runtime,
    *,
    app: Application,
    device_id: str,
    body: Any,
    component: str | None,
    module: str | None,
    visible: Visible,
) -> dict[str, Any]:
    """Store and deliver desired values (and store cloud values); answer their `$metadata`."""
    await require_device(runtime, app_id=app.id, device_id=device_id, visible=visible)
    return await runtime.gateway.write_properties(
        app, device_id, body, component=component, module=module
    )
