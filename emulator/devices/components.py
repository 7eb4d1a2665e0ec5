"""A device's components and IoT Edge modules, as its template's model defines them."""

from __future__ import annotations

from typing import Any

from emulator.device_templates.capabilities import CapabilityIndex, Component
from emulator.device_templates.service import get_capabilities
from emulator.devices.service import Visible, require_device
from emulator.http.errors import NotFound
from emulator.runtime.core import Runtime


async def _capabilities(
    runtime: Runtime, app_id: str, device_id: str, visible: Visible
) -> CapabilityIndex | None:
    device = await require_device(runtime, app_id=app_id, device_id=device_id, visible=visible)
    template = device.get("template")
    if template is None:
        return None
    return await get_capabilities(runtime, app_id=app_id, template_id=template)


def _component_json(component: Component) -> dict[str, Any]:
    item: dict[str, Any] = {"@type": ["Component"], "name": component.name}
    if component.display_name:
        item["displayName"] = component.display_name
    if component.description:
        item["description"] = component.description
    if component.interface_id:
        item["schema"] = component.interface_id
    return item


async def list_components(
    runtime: Runtime, *, app_id: str, device_id: str, visible: Visible = None
) -> list[dict[str, Any]]:
    index = await _capabilities(runtime, app_id, device_id, visible)
    return [] if index is None else [_component_json(c) for c in index.components.values()]


async def list_modules(
    runtime: Runtime, *, app_id: str, device_id: str, visible: Visible = None
) -> list[dict[str, Any]]:
    index = await _capabilities(runtime, app_id, device_id, visible)
    if index is None:
        return []
    items = []
    for module in index.modules.values():
        item: dict[str, Any] = {"@type": ["Relationship", "EdgeModule"], "name": module.name}
        if module.root.display_name:
            item["displayName"] = module.root.display_name
        items.append(item)
    return items


async def list_module_components(
    runtime: Runtime, *, app_id: str, device_id: str, module: str, visible: Visible = None
) -> list[dict[str, Any]]:
    index = await _capabilities(runtime, app_id, device_id, visible)
    found = index.modules.get(module) if index is not None else None
    if found is None:
        raise NotFound(
            f"Device '{device_id}' has no module '{module}'; list its modules with GET"
            f" /api/devices/{device_id}/modules."
        )
    return [_component_json(c) for c in found.components.values()]
