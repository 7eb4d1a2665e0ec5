"""Template bodies built from the public thermostat and temperature-controller models."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson

MODELS = Path(__file__).resolve().parents[2] / "emulator" / "device_templates" / "models"
THERMOSTAT_TEMPLATE = "dtmi:contoso:thermostatTemplate;1"
CONTROLLER_TEMPLATE = "dtmi:contoso:controllerTemplate;1"


def model(name: str) -> dict[str, Any]:
    return orjson.loads((MODELS / f"{name}.json").read_bytes())


def template(template_id: str, capability_model: dict[str, Any], name: str = "T") -> dict:
    return {
        "@id": template_id,
        "@type": ["ModelDefinition", "DeviceModel"],
        "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
        "displayName": name,
        "capabilityModel": copy.deepcopy(capability_model),
    }


def thermostat_template() -> dict[str, Any]:
    return template(THERMOSTAT_TEMPLATE, model("thermostat-1"), "Thermostat")


def controller_template() -> dict[str, Any]:
    """The temperature controller, its components referenced by DTMI."""
    return template(CONTROLLER_TEMPLATE, model("temperaturecontroller-1"), "Controller")
