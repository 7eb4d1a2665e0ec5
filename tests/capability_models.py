"""Capability indexes built by hand, as the registry would build them from the sample models."""

from __future__ import annotations

from emulator.device_templates.capabilities import (
    CapabilityIndex,
    Command,
    CommandPayload,
    Component,
    EnumValue,
    Module,
    Property,
    Schema,
    SchemaField,
    Telemetry,
)

DOUBLE = Schema("double")
DATETIME = Schema("dateTime")
THERMOSTAT_ID = "dtmi:com:example:Thermostat;1"
CONTROLLER_ID = "dtmi:com:example:TemperatureController;1"

REPORT = Schema(
    "object",
    fields=tuple(
        SchemaField(name, DOUBLE if name.endswith("Temp") else DATETIME)
        for name in ("maxTemp", "minTemp", "avgTemp", "startTime", "endTime")
    ),
)


def thermostat_component(name: str | None = None) -> Component:
    return Component(
        name=name,
        interface_id=THERMOSTAT_ID,
        telemetry={"temperature": Telemetry("temperature", DOUBLE)},
        properties={
            "targetTemperature": Property("targetTemperature", DOUBLE, writable=True),
            "maxTempSinceLastReboot": Property("maxTempSinceLastReboot", DOUBLE),
            "customerName": Property("customerName", Schema("string"), cloud=True),
        },
        commands={
            "getMaxMinReport": Command(
                "getMaxMinReport",
                request=CommandPayload("since", DATETIME),
                response=CommandPayload("tempReport", REPORT),
            )
        },
    )


def thermostat_index() -> CapabilityIndex:
    return CapabilityIndex(model_id=THERMOSTAT_ID, root=thermostat_component())


def controller_index() -> CapabilityIndex:
    root = Component(
        name=None,
        interface_id=CONTROLLER_ID,
        telemetry={"workingSet": Telemetry("workingSet", DOUBLE)},
        properties={"serialNumber": Property("serialNumber", Schema("string"))},
        commands={"reboot": Command("reboot", request=CommandPayload("delay", Schema("integer")))},
    )
    info = Component(
        name="deviceInformation",
        interface_id="dtmi:azure:DeviceManagement:DeviceInformation;1",
        properties={
            "manufacturer": Property("manufacturer", Schema("string")),
            "totalMemory": Property("totalMemory", DOUBLE),
        },
    )
    return CapabilityIndex(
        model_id=CONTROLLER_ID,
        root=root,
        components={
            "thermostat1": thermostat_component("thermostat1"),
            "thermostat2": thermostat_component("thermostat2"),
            "deviceInformation": info,
        },
    )


EVERY_SCHEMA = {
    "flag": Schema("boolean"),
    "count": Schema("integer"),
    "big": Schema("long"),
    "ratio": Schema("float"),
    "level": DOUBLE,
    "label": Schema("string"),
    "mode": Schema(
        "enum",
        enum_values=(EnumValue("low", 1), EnumValue("high", 2)),
        enum_value_kind="integer",
    ),
    "state": Schema(
        "object",
        fields=(SchemaField("on", Schema("boolean")), SchemaField("speed", DOUBLE)),
    ),
    "tags": Schema("map", map_key=Schema("string"), map_value=Schema("integer")),
    "samples": Schema("array", element=DOUBLE),
    "position": Schema("geopoint"),
    "spot": Schema("point"),
    "acceleration": Schema("vector"),
    "uptime": Schema("duration"),
    "day": Schema("date"),
    "at": DATETIME,
    "clock": Schema("time"),
}


def generic_index() -> CapabilityIndex:
    """A model of no known kind, with one telemetry per DTDL schema and an edge module."""
    root = Component(
        name=None,
        interface_id="dtmi:contoso:Sensor;1",
        telemetry={name: Telemetry(name, schema) for name, schema in EVERY_SCHEMA.items()},
        properties={
            "firmware": Property("firmware", Schema("string")),
            "interval": Property("interval", Schema("integer"), writable=True),
        },
        commands={
            "diagnose": Command(
                "diagnose", response=CommandPayload("result", EVERY_SCHEMA["state"])
            )
        },
    )
    module_root = Component(
        name=None,
        interface_id="dtmi:contoso:Camera;1",
        telemetry={"frames": Telemetry("frames", Schema("integer"))},
    )
    return CapabilityIndex(
        model_id="dtmi:contoso:Sensor;1",
        root=root,
        modules={"camera": Module("camera", module_root)},
    )
