"""Choose the behaviour of each interface instance of a device from its capability model."""

from __future__ import annotations

import random

from emulator.device_templates.capabilities import CapabilityIndex
from simulated_devices.behaviour import ROOT, DeviceBehaviour, Part, slots_of
from simulated_devices.generic import GenericPart
from simulated_devices.temperature_controller import CONTROLLER_IDS, ControllerPart
from simulated_devices.thermostat import THERMOSTAT_IDS, ThermostatPart


def behaviour_for(index: CapabilityIndex, rng: random.Random) -> DeviceBehaviour:
    """Thermostat and controller interfaces get their own parts; anything else is generic."""
    parts: dict = {}
    thermostats: list[ThermostatPart] = []
    controller: ControllerPart | None = None
    for slot, component in slots_of(index).items():
        part_rng = random.Random(rng.getrandbits(64))
        ids = {component.interface_id}
        if slot == ROOT:
            ids.add(index.model_id)
        part: Part
        if ids & THERMOSTAT_IDS:
            part = ThermostatPart(component, part_rng)
            thermostats.append(part)
        elif slot == ROOT and ids & CONTROLLER_IDS:
            part = controller = ControllerPart(component, part_rng)
        else:
            part = GenericPart(component, part_rng)
        parts[slot] = part
    if controller is not None:
        controller.thermostats = thermostats
    return DeviceBehaviour(parts)
