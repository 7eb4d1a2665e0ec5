"""Wires the device data plane into the runtime: sink, simulation, gateway, hooks and events."""

from __future__ import annotations

from sqlalchemy import delete, select

from emulator.applications.service import Application
from emulator.commands.tables import device_commands
from emulator.device_templates.service import get_capabilities
from emulator.devices.tables import devices
from emulator.properties.tables import device_properties
from emulator.runtime.core import Runtime
from emulator.runtime.gateway import DeviceGateway
from emulator.runtime.simulation import Simulation
from emulator.store.batches import WriteBehind
from emulator.telemetry.sink import TelemetrySink
from emulator.telemetry.tables import telemetry


def install(runtime: Runtime) -> None:
    """Create the data plane's parts and hang them on the runtime."""
    batches = WriteBehind(runtime.db)
    sink = TelemetrySink(runtime.db, batches)
    simulation = Simulation(
        clock=runtime.clock,
        scheduler=runtime.scheduler,
        randomness=runtime.randomness,
        sink=sink,
        batches=batches,
    )

    gateway = DeviceGateway(runtime, simulation, sink, batches)
    runtime.batches = batches
    runtime.telemetry = sink
    runtime.simulation = simulation
    runtime.gateway = gateway

    async def run(app: Application, device_id: str, template: str | None) -> None:
        index = await get_capabilities(runtime, app_id=app.id, template_id=template or "")
        if index is None:
            simulation.stop(app.id, device_id)
            return
        await simulation.start(app.id, [(device_id, template, index)])

    async def start_app(app: Application) -> None:
        """Boot every simulated, enabled device of the application."""
        async with runtime.db.read() as conn:
            rows = (
                await conn.execute(
                    select(devices.c.id, devices.c.template).where(
                        devices.c.app_id == app.id,
                        devices.c.simulated.is_(True),
                        devices.c.enabled.is_(True),
                        devices.c.template.is_not(None),
                    )
                )
            ).all()
        batch = []
        for row in rows:
            index = await get_capabilities(runtime, app_id=app.id, template_id=row.template)
            if index is not None:
                batch.append((row.id, row.template, index))
        await simulation.start(app.id, batch)

    async def on_device_changed(app: Application, device: dict) -> None:
        device_id, template = device["id"], device.get("template")
        if not (device.get("simulated") and device.get("enabled", True) and template):
            simulation.stop(app.id, device_id)
            return
        running = simulation.get(app.id, device_id)
        if running is None or running.template != template:
            await run(app, device_id, template)

    async def on_device_deleted(app: Application, device_id: str) -> None:
        simulation.stop(app.id, device_id)
        simulation.profiles.pop((app.id, device_id), None)
        sink.forget(app.id, device_id)
        await batches.flush()
        async with runtime.db.write() as conn:
            for table in (telemetry, device_properties, device_commands):
                await conn.execute(
                    delete(table).where(table.c.app_id == app.id, table.c.device_id == device_id)
                )
        gateway.forget_device(app.id, device_id)

    async def on_template_changed(app: Application, template_id: str) -> None:
        for sim in [s for s in simulation.devices.values() if s.app_id == app.id]:
            if sim.template == template_id:
                await run(app, sim.device_id, template_id)

    async def reset_app(app: Application) -> None:
        """Stop the app's devices, forget its buffered and in-memory state, boot it again."""
        simulation.stop_app(app.id)
        sink.forget(app.id)
        batches.discard(lambda row: row.get("app_id") != app.id)
        await batches.flush()
        async with runtime.db.write() as conn:
            for table in (telemetry, device_properties, device_commands):
                await conn.execute(delete(table).where(table.c.app_id == app.id))
        gateway.forget(app.id)
        await start_app(app)

    runtime.start_hooks.append(start_app)
    runtime.reset_hooks.append(reset_app)
    runtime.stop_hooks.append(batches.close)
    runtime.events.subscribe("device.changed", on_device_changed)
    runtime.events.subscribe("device.deleted", on_device_deleted)
    runtime.events.subscribe("template.changed", on_template_changed)
