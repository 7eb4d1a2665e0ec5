"""Runs simulated devices on the scheduler: one timer per due second, never one task per device."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

from msgspec import Struct

from emulator.device_templates.capabilities import CapabilityIndex
from emulator.properties.store import queue_report
from emulator.runtime.clock import Clock
from emulator.runtime.randomness import Randomness
from emulator.runtime.scheduler import Scheduler, Timer
from emulator.store.batches import WriteBehind
from emulator.telemetry.sink import TelemetrySink
from simulated_devices.behaviour import DeviceBehaviour
from simulated_devices.faults import FaultProfile, Faults

DeviceKey = tuple[str, str]  # (app_id, device_id)


class SimulatedDevice(Struct, eq=False):
    """A running simulated device: its behaviour, its faults and where it is scheduled."""

    app_id: str
    device_id: str
    template: str | None
    index: CapabilityIndex
    behaviour: DeviceBehaviour
    faults: Faults
    running: bool = True

    @property
    def connected(self) -> bool:
        return self.running and self.faults.profile.connected


# Told when devices come online (started, or a fault profile reconnects them).
ConnectListener = Callable[[str, list[SimulatedDevice]], Awaitable[None]]


class Simulation:
    """Every running simulated device, ticked in groups: each due second fans out to its devices."""

    def __init__(
        self,
        *,
        clock: Clock,
        scheduler: Scheduler,
        randomness: Randomness,
        sink: TelemetrySink,
        batches: WriteBehind,
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.randomness = randomness
        self.sink = sink
        self.batches = batches
        self.devices: dict[DeviceKey, SimulatedDevice] = {}
        self.profiles: dict[DeviceKey, FaultProfile] = {}
        self.connect_listeners: list[ConnectListener] = []
        self.lag = 0.0  # worst delay, in emulated seconds, between a tick's moment and its run
        self._buckets: dict[int, list[SimulatedDevice]] = {}
        self._timers: dict[int, Timer] = {}

    def get(self, app_id: str, device_id: str) -> SimulatedDevice | None:
        return self.devices.get((app_id, device_id))

    def _faults(self, app_id: str, device_id: str) -> Faults:
        profile = self.profiles.get((app_id, device_id), FaultProfile())
        return Faults(profile, self.randomness.stream(app_id, "faults", device_id))

    async def start(
        self, app_id: str, devices: list[tuple[str, str | None, CapabilityIndex]]
    ) -> list[SimulatedDevice]:
        """Boot devices given as (device id, template id, capability index), then announce them."""
        from simulated_devices.factory import behaviour_for  # loads with the first device

        now = self.clock.timestamp()
        first = math.floor(now) + 1
        started: list[SimulatedDevice] = []
        for device_id, template, index in devices:
            self.stop(app_id, device_id)
            rng = self.randomness.stream(app_id, "device", device_id)
            sim = SimulatedDevice(
                app_id,
                device_id,
                template,
                index,
                behaviour_for(index, rng),
                self._faults(app_id, device_id),
            )
            self.devices[(app_id, device_id)] = sim
            if sim.connected:
                self._report(sim, sim.behaviour.boot(now), now)
            self._add(sim, first)
            started.append(sim)
        await self._announce(app_id, [s for s in started if s.connected])
        return started

    def stop(self, app_id: str, device_id: str) -> None:
        sim = self.devices.pop((app_id, device_id), None)
        if sim is not None:
            sim.running = False

    def stop_app(self, app_id: str) -> None:
        for app, device_id in [k for k in self.devices if k[0] == app_id]:
            self.stop(app, device_id)
        self.profiles = {k: v for k, v in self.profiles.items() if k[0] != app_id}

    async def set_profile(self, app_id: str, device_id: str, profile: FaultProfile) -> None:
        """Apply a fault profile; its failure draws restart from the seed."""
        self.profiles[(app_id, device_id)] = profile
        sim = self.devices.get((app_id, device_id))
        if sim is None:
            return
        was_connected = sim.connected
        sim.faults = self._faults(app_id, device_id)
        if sim.connected and not was_connected:
            now = self.clock.timestamp()
            self._report(sim, sim.behaviour.boot(now), now)
            await self._announce(app_id, [sim])

    def profile(self, app_id: str, device_id: str) -> FaultProfile:
        return self.profiles.get((app_id, device_id), FaultProfile())

    async def _announce(self, app_id: str, sims: list[SimulatedDevice]) -> None:
        if sims:
            for listener in self.connect_listeners:
                await listener(app_id, sims)

    def _add(self, sim: SimulatedDevice, second: int) -> None:
        bucket = self._buckets.get(second)
        if bucket is None:
            bucket = self._buckets[second] = []
            self._timers[second] = self.scheduler.call_at(second, lambda: self._tick(second))
        bucket.append(sim)

    def _report(self, sim: SimulatedDevice, readings: list, now: float) -> None:
        for r in readings:
            queue_report(
                self.batches,
                app_id=sim.app_id,
                device_id=sim.device_id,
                module=r.slot.module,
                component=r.slot.component,
                name=r.name,
                value=r.value,
                now=now,
            )

    async def _tick(self, second: int) -> None:
        self._timers.pop(second, None)
        due = self._buckets.pop(second, ())
        self.lag = max(self.lag, self.clock.timestamp() - second)
        moment = float(second)
        record = self.sink.record
        for sim in due:
            if not sim.running:
                continue
            if sim.faults.profile.connected:
                sent, changed = sim.behaviour.tick(moment)
                for r in sent:
                    record(
                        sim.app_id,
                        sim.device_id,
                        sim.template,
                        r.slot.module,
                        r.slot.component,
                        r.name,
                        moment,
                        r.value,
                    )
                if changed:
                    self._report(sim, changed, moment)
            interval = sim.faults.interval(sim.behaviour.interval)
            self._add(sim, second + max(1, round(interval)))
        await self.batches.relieve()
