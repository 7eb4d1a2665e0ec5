"""The one door to a device: commands and property writes from REST and from jobs alike."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

from msgspec import Struct
from sqlalchemy import select

from emulator.applications.service import Application
from emulator.commands import store as commands
from emulator.device_templates.capabilities import CapabilityIndex, Command, Component
from emulator.device_templates.service import get_capabilities
from emulator.device_templates.values import check_value
from emulator.devices.service import not_found, require_device
from emulator.devices.tables import devices
from emulator.http.errors import ApiError, BadRequest, NotFound
from emulator.properties import store as properties
from emulator.properties.store import TwinKey, TwinWrite, Write
from emulator.runtime.core import Runtime
from emulator.runtime.simulation import DeviceKey, SimulatedDevice, Simulation
from emulator.store.batches import WriteBehind
from emulator.store.group_commit import GroupCommit
from emulator.telemetry.sink import TelemetrySink
from simulated_devices.behaviour import Slot

_IN_CHUNK = 500  # ids per IN (...) query

NOT_CONNECTED = "device is not connected"
TIMED_OUT = "device did not answer within the response timeout"


class CommandOutcome(Struct):
    """How a command ended, from the caller's point of view."""

    response_code: int | None  # what the device answered; None if it never answered
    response: Any  # the device's response payload (None if none)
    error: str | None  # why it failed, when it did ("device is not connected", ...)

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


def no_template(device_id: str) -> NotFound:
    return NotFound(
        f"Device '{device_id}' has no device template, so it has no properties, commands"
        ' or telemetry. Assign one with PATCH /api/devices/{deviceId} {"template": ...}.'
    )


def component_of(
    index: CapabilityIndex, device_id: str, component: str | None, module: str | None
) -> Component:
    """The targeted interface instance, or NotFound naming what the template offers."""
    if module is not None and module not in index.modules:
        raise NotFound(
            f"Device '{device_id}' has no module '{module}'. Its template's modules:"
            f" {sorted(index.modules) or 'none'}."
        )
    found = index.component(component, module)
    if found is None:
        names = sorted(index.modules[module].components if module else index.components)
        raise NotFound(
            f"Device '{device_id}' has no component '{component}'. Its template's components:"
            f" {names or 'none'}."
        )
    return found


def command_of(target: Component, device_id: str, command: str) -> Command:
    """The command definition, or NotFound listing the commands the interface has."""
    definition = target.commands.get(command)
    if definition is None:
        raise NotFound(
            f"The template of device '{device_id}' has no command '{command}' here."
            f" Commands: {sorted(target.commands) or 'none'}."
        )
    return definition


class DeviceGateway:
    """Delivers commands and desired properties to devices and collects their answers.

    Every wait (connection, latency, response and acknowledgement) is a timer on the scheduler.
    Await the coroutines from a task, never from inside a scheduler callback.
    """

    def __init__(
        self,
        runtime: Runtime,
        simulation: Simulation,
        sink: TelemetrySink,
        batches: WriteBehind,
    ) -> None:
        self.runtime = runtime
        self.simulation = simulation
        self.sink = sink
        self.batches = batches
        self._twin_writes: GroupCommit[TwinWrite, int] = GroupCommit(self._write_twins)
        self._versions: dict[TwinKey, int] = {}  # latest desired version per twin written
        self._waiters: dict[DeviceKey, list[asyncio.Future[SimulatedDevice | None]]] = {}
        self._ids: dict[str, random.Random] = {}
        simulation.connect_listeners.append(self._connected)

    async def model(self, app: Application, device_id: str) -> CapabilityIndex:
        """The capability index of a device's template, or NotFound when it has none."""
        device = await require_device(self.runtime, app_id=app.id, device_id=device_id)
        template = device.get("template")
        index = (
            await get_capabilities(self.runtime, app_id=app.id, template_id=template)
            if template
            else None
        )
        if index is None:
            raise no_template(device_id)
        return index

    # ----- commands -------------------------------------------------------------------------

    async def run_command(
        self,
        app: Application,
        device_id: str,
        command: str,
        request: Any,
        *,
        component: str | None = None,
        module: str | None = None,
        connection_timeout: float = 0,
        response_timeout: float = 30,
    ) -> CommandOutcome:
        """Run a command; unknown targets and invalid input raise, device failures are outcomes."""
        index = await self.model(app, device_id)
        target = component_of(index, device_id, component, module)
        definition = command_of(target, device_id, command)
        if not 0 <= connection_timeout <= 30:
            raise BadRequest("connectionTimeout must be from 0 to 30 seconds.")
        if not 5 <= response_timeout <= 30:
            raise BadRequest("responseTimeout must be from 5 to 30 seconds.")
        if definition.request is not None and request is not None:
            try:
                request = check_value(definition.request.schema, request)
            except ValueError as exc:
                raise BadRequest(
                    f"The request of command '{command}' is not valid: {exc}."
                    f" It must be a {definition.request.schema.kind}."
                ) from None
        sim = await self._wait_for_connection(app.id, device_id, connection_timeout)
        if sim is None:
            outcome = CommandOutcome(None, None, NOT_CONNECTED)
        else:
            outcome = await self._ask(
                sim, Slot(module, component), command, request, response_timeout
            )
        call = commands.to_json(
            id=self._request_id(app.id),
            request=request,
            response=outcome.response,
            response_code=outcome.response_code,
            connection_timeout=int(connection_timeout),
            response_timeout=int(response_timeout),
        )
        async with self.runtime.db.write(keeps_reads=True) as conn:
            await commands.record(
                conn,
                app_id=app.id,
                device_id=device_id,
                module=module,
                component=component,
                name=command,
                call=call,
                now=self.runtime.clock.timestamp(),
            )
        return outcome

    def _request_id(self, app_id: str) -> str:
        rng = self._ids.get(app_id)
        if rng is None:
            rng = self._ids[app_id] = self.runtime.randomness.stream(app_id, "command-ids")
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def forget(self, app_id: str) -> None:
        """An application was reset: request ids start again from the seed, versions from 1."""
        self._ids.pop(app_id, None)
        self._versions = {k: v for k, v in self._versions.items() if k[0] != app_id}

    def forget_device(self, app_id: str, device_id: str) -> None:
        """A device was deleted with its properties: its twins start again from version 1."""
        self._versions = {k: v for k, v in self._versions.items() if k[:2] != (app_id, device_id)}

    async def _ask(
        self, sim: SimulatedDevice, slot: Slot, command: str, request: Any, timeout: float
    ) -> CommandOutcome:
        latency = sim.faults.profile.command_latency
        if latency > timeout:
            await self.runtime.scheduler.sleep(timeout)
            return CommandOutcome(None, None, TIMED_OUT)
        if latency > 0:
            await self.runtime.scheduler.sleep(latency)
        if not sim.connected:
            return CommandOutcome(None, None, NOT_CONNECTED)

        async def history(where: Slot, name: str, since: float) -> list[tuple[float, Any]]:
            key = (sim.app_id, sim.device_id, where.module, where.component, name)
            return await self.sink.history(key, since)

        now = self.runtime.clock.timestamp()
        reply = await sim.faults.command(
            lambda: sim.behaviour.command(slot, command, request, now, history)
        )
        error = None if 200 <= reply.code < 300 else f"the device answered {reply.code}"
        return CommandOutcome(reply.code, reply.payload, error)

    async def _wait_for_connection(
        self, app_id: str, device_id: str, timeout: float
    ) -> SimulatedDevice | None:
        sim = self.simulation.get(app_id, device_id)
        if sim is not None and sim.connected:
            return sim
        if timeout <= 0:
            return None
        future: asyncio.Future[SimulatedDevice | None] = asyncio.get_running_loop().create_future()
        waiters = self._waiters.setdefault((app_id, device_id), [])
        waiters.append(future)
        timer = self.runtime.scheduler.call_later(
            timeout, lambda: future.done() or future.set_result(None)
        )
        try:
            return await self.runtime.scheduler.wait_for(future)
        finally:
            timer.cancel()
            waiters.remove(future)

    # ----- properties -----------------------------------------------------------------------

    async def write_properties(
        self,
        app: Application,
        device_id: str,
        values: dict,
        *,
        component: str | None = None,
        module: str | None = None,
    ) -> dict:
        """Validate, store desired (and cloud) values under a new version, deliver them."""
        index = await self.model(app, device_id)
        writes, answer = self._plan(index, device_id, values, component, module, cloud_only=False)
        await self._store(app, device_id, module, writes)
        return answer

    async def write_property_many(
        self,
        app: Application,
        device_ids: list[str],
        *,
        component: str | None,
        name: str,
        value: Any,
        cloud: bool,
    ) -> dict[str, str | None]:
        """One property on many devices in one transaction: per device, why it failed or None."""
        templates = await self.templates(app.id, device_ids)
        indexes: dict[str, CapabilityIndex | None] = {}
        reasons: dict[str, str | None] = {}
        ready: list[str] = []
        write: Write | None = None
        for device_id in device_ids:
            try:
                if device_id not in templates:
                    raise not_found(device_id)
                template = templates[device_id] or ""
                if template not in indexes:
                    indexes[template] = await get_capabilities(
                        self.runtime, app_id=app.id, template_id=template
                    )
                index = indexes[template]
                if index is None:
                    raise no_template(device_id)
                writes, _ = self._plan(
                    index, device_id, {name: value}, component, None, cloud_only=cloud
                )
            except ApiError as exc:
                reasons[device_id] = exc.message
                continue
            write = writes[0]
            reasons[device_id] = None
            ready.append(device_id)
        if write is None:
            return reasons
        twins = [TwinWrite(app.id, device_id, "", (write,)) for device_id in ready]
        versions = await self._write_twins(twins)
        if not cloud:
            slot = Slot(None, component)
            for device_id, version in zip(ready, versions, strict=True):
                sim = self.simulation.get(app.id, device_id)
                if sim is not None and sim.connected:
                    self._deliver(sim, slot, name, write.value, version)
        return reasons

    async def templates(self, app_id: str, device_ids: list[str]) -> dict[str, str | None]:
        """Each existing device's template, read in chunks; missing ids are not in the answer."""
        found: dict[str, str | None] = {}
        async with self.runtime.db.read() as conn:
            for start in range(0, len(device_ids), _IN_CHUNK):
                rows = await conn.execute(
                    select(devices.c.id, devices.c.template).where(
                        devices.c.app_id == app_id,
                        devices.c.id.in_(device_ids[start : start + _IN_CHUNK]),
                    )
                )
                found.update((r.id, r.template) for r in rows)
        return found

    async def _store(
        self, app: Application, device_id: str, module: str | None, writes: list[Write]
    ) -> None:
        if not writes:
            return
        twin = TwinWrite(app.id, device_id, module or "", tuple(writes))
        version = await self._twin_writes.submit(twin)
        sim = self.simulation.get(app.id, device_id)
        if sim is not None and sim.connected:
            for w in writes:
                if not w.cloud:
                    self._deliver(sim, Slot(module, w.component), w.name, w.value, version)

    async def _write_twins(self, twins: list[TwinWrite]) -> list[int]:
        """One transaction for many twins; versions are re-read after a failed one."""
        try:
            async with self.runtime.db.write(keeps_reads=True) as conn:
                return await properties.write_twins(
                    conn,
                    self.batches,
                    twins,
                    versions=self._versions,
                    now=self.runtime.clock.timestamp(),
                )
        except BaseException:
            self._versions.clear()
            raise

    def _plan(
        self,
        index: CapabilityIndex,
        device_id: str,
        values: Any,
        component: str | None,
        module: str | None,
        *,
        cloud_only: bool,
    ) -> tuple[list[Write], dict]:
        """Check every value before anything is stored; answer the $metadata IoT Central sends."""
        if not isinstance(values, dict):
            raise BadRequest(
                'The body must be a JSON object of property values, such as {"name": value}.'
            )
        target = component_of(index, device_id, component, module)
        nested = index.modules[module].components if module else index.components
        writes: list[Write] = []
        answer: dict[str, Any] = {}
        for name, value in values.items():
            if name == "$metadata":
                continue
            if component is None and name in nested and isinstance(value, dict):
                inner, inner_answer = self._plan(
                    index, device_id, value, name, module, cloud_only=cloud_only
                )
                writes += inner
                answer[name] = inner_answer
                continue
            prop = target.properties.get(name)
            where = f"component '{component}'" if component else "the device"
            if prop is None:
                raise BadRequest(
                    f"'{name}' is not a property of {where} in the template of '{device_id}'."
                    f" Writable properties: {sorted(target.writable_properties) or 'none'};"
                    f" cloud properties: {sorted(target.cloud_properties) or 'none'}."
                )
            if cloud_only and not prop.cloud:
                raise BadRequest(f"'{name}' of {where} is not a cloud property.")
            if not (prop.writable or prop.cloud):
                raise BadRequest(
                    f"'{name}' of {where} is read-only: only the device reports it. Writable"
                    f" properties: {sorted(target.writable_properties) or 'none'}."
                )
            try:
                value = check_value(prop.schema, value)
            except ValueError as exc:
                raise BadRequest(f"The value of property '{name}' is not valid: {exc}.") from None
            writes.append(Write(component, name, value, cloud=prop.cloud))
            if prop.cloud:
                answer[name] = value
            else:
                answer.setdefault("$metadata", {})[name] = {"desiredValue": value}
        return writes, answer

    def _deliver(
        self, sim: SimulatedDevice, slot: Slot, name: str, value: Any, version: int
    ) -> None:
        """The device acknowledges after its ack delay, if it is still online by then."""

        def acknowledge() -> None:
            if not sim.connected:
                return  # stays pending; delivered again when the device reconnects
            now = self.runtime.clock.timestamp()
            ack = sim.faults.ack(lambda: sim.behaviour.desired(slot, name, value, now))
            properties.queue_ack(
                self.batches,
                app_id=sim.app_id,
                device_id=sim.device_id,
                module=slot.module,
                component=slot.component,
                name=name,
                version=version,
                code=ack.code,
                description=ack.description,
                value=ack.value,
                now=now,
            )

        self.runtime.scheduler.call_later(sim.faults.profile.property_ack_delay, acknowledge)

    async def _connected(self, app_id: str, sims: list[SimulatedDevice]) -> None:
        """Devices came online: wake waiting commands, hand over desired values."""
        for sim in sims:
            for future in self._waiters.get((app_id, sim.device_id), []):
                if not future.done():
                    future.set_result(sim)
        by_id = {s.device_id: s for s in sims}
        ids = list(by_id)
        now = self.runtime.clock.timestamp()
        for start in range(0, len(ids), 500):
            async with self.runtime.db.read() as conn:
                rows = await properties.desired(
                    conn, app_id=app_id, device_ids=ids[start : start + 500]
                )
            for row in rows:
                sim = by_id[row.device_id]
                slot = Slot(row.module or None, row.component or None)
                value = properties.desired_value(row)
                if row.ack_version is not None and row.ack_version >= row.desired_version:
                    sim.behaviour.desired(slot, row.name, value, now)
                else:
                    self._deliver(sim, slot, row.name, value, row.desired_version)
