"""Choose the behaviour of each interface instance of a device from its capability model."""

from __future__ import annotations

import random

from emulator.device_templates.capabilities import CapabilityIndex
from simulated_devices.behaviour import ROOT, DeviceBehaviour, Part, Slot, slots_of
from simulated_devices.generic import GenericPart
from simulated_devices.temperature_controller import CONTROLLER_IDS, ControllerPart
from simulated_devices.thermostat import THERMOSTAT_IDS, ThermostatPart


def behaviour_for(index: CapabilityIndex, rng: random.Random) -> DeviceBehaviour:
    """Thermostat and controller interfaces get their own parts; anything else is generic.

    A controller (the device's root or an edge module's root) reboots the thermostats beside it.
    """
    parts: dict[Slot, Part] = {}
    for slot, component in slots_of(index).items():
        part_rng = random.Random(rng.getrandbits(64))
        ids = {component.interface_id}
        if slot == ROOT:
            ids.add(index.model_id)
        part: Part
        if ids & THERMOSTAT_IDS:
            part = ThermostatPart(component, part_rng)
        elif slot.component is None and ids & CONTROLLER_IDS:
            part = ControllerPart(component, part_rng)
        else:
            part = GenericPart(component, part_rng)
        parts[slot] = part
    for slot, part in parts.items():
        if isinstance(part, ControllerPart):
            part.thermostats = [
                p
                for s, p in parts.items()
                if s.module == slot.module and isinstance(p, ThermostatPart)
            ]
    return DeviceBehaviour(parts)
