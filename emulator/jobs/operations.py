"""What a job does to one device: its data resolved against the target template's capabilities."""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from emulator.applications.service import Application
from emulator.device_templates.capabilities import CapabilityIndex
from emulator.device_templates.values import check_value
from emulator.devices.service import patch_device
from emulator.http.errors import ApiError
from emulator.jobs.model import JobData
from emulator.runtime.core import Runtime

_KIND_WORDS = {
    "property": "writable property",
    "cloudProperty": "cloud property",
    "command": "command",
}


class Operation(Struct, frozen=True):
    """One capability operation, ready to send: the value is already checked and coerced."""

    kind: str  # property | cloudProperty | command
    component: str | None
    name: str
    value: Any


def resolve(capabilities: CapabilityIndex, data: JobData) -> Operation:
    """The operation `data` names in this template; ValueError says what does not fit."""
    assert data.path is not None
    component_name, name = capabilities.split_path(data.path)
    component = capabilities.component(component_name)
    if component is None:  # split_path only returns known components
        raise ValueError(f"'{data.path}' names no component of template '{data.target}'")
    if data.kind == "command":
        command = component.commands.get(name)
        if command is None:
            raise ValueError(_missing(data, sorted(component.commands)))
        value = data.value
        if command.request is not None and data.value is not None:
            value = _checked(command.request.schema, data.value, data.path)
        return Operation("command", component_name, name, value)
    found = (
        component.writable_properties if data.kind == "property" else component.cloud_properties
    ).get(name)
    if found is None:
        choices = (
            component.writable_properties if data.kind == "property" else component.cloud_properties
        )
        raise ValueError(_missing(data, sorted(choices)))
    return Operation(data.kind, component_name, name, _checked(found.schema, data.value, data.path))


def _missing(data: JobData, choices: list[str]) -> str:
    word = _KIND_WORDS[data.kind]
    offer = f"; it has: {', '.join(choices)}" if choices else f"; it has no {word}"
    return f"'{data.path}' is not a {word} of template '{data.target}'{offer}"


def _checked(schema: Any, value: Any, path: str) -> Any:
    try:
        return check_value(schema, value)
    except ValueError as exc:
        raise ValueError(f"the value for '{path}' does not fit its schema: {exc}") from None


BULK_KINDS = ("property", "cloudProperty")  # written to a whole window at once


async def run_command(
    runtime: Runtime, app: Application, device_id: str, op: Operation
) -> str | None:
    """Run one command through the device gateway; the failure reason, or None on success."""
    try:
        outcome = await runtime.gateway.run_command(
            app, device_id, op.name, op.value, component=op.component
        )
    except ApiError as exc:
        return exc.message
    if not outcome.ok:
        return outcome.error or f"the device answered with status {outcome.response_code}"
    return None


async def write_many(
    runtime: Runtime, app: Application, device_ids: list[str], op: Operation
) -> dict[str, str | None]:
    """Write a property to many devices through the device gateway: per device, None or why not."""
    return await runtime.gateway.write_property_many(
        app,
        device_ids,
        component=op.component,
        name=op.name,
        value=op.value,
        cloud=op.kind == "cloudProperty",
    )


async def migrate(
    runtime: Runtime, app: Application, device_id: str, template: str | None
) -> str | None:
    """Assign the device to another template (a registry change, not a device operation)."""
    try:
        await patch_device(runtime, app=app, device_id=device_id, patch={"template": template})
    except ApiError as exc:
        return exc.message
    return None
