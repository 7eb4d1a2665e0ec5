"""The DTDL parser: the public models, complex schemas, extends, errors with JSON paths."""

from __future__ import annotations

import pytest

from emulator.device_templates.dtdl import ModelError, parse_capability_model
from tests.registry.models import model


def interface(*contents, **extra):
    return {
        "@id": "dtmi:contoso:x;1",
        "@type": "Interface",
        "@context": "dtmi:dtdl:context;3",
        "contents": list(contents),
        **extra,
    }


def test_thermostat():
    index = parse_capability_model(model("thermostat-1"))
    root = index.root
    assert index.model_id == "dtmi:com:example:Thermostat;1"
    assert root.telemetry["temperature"].schema.kind == "double"
    assert root.telemetry["temperature"].semantic_types == ("Temperature",)
    assert root.telemetry["temperature"].unit == "degreeCelsius"
    assert set(root.writable_properties) == {"targetTemperature"}
    assert root.properties["maxTempSinceLastReboot"].writable is False
    command = root.commands["getMaxMinReport"]
    assert command.request.name == "since" and command.request.schema.kind == "dateTime"
    fields = [f.name for f in command.response.schema.fields]
    assert fields == ["maxTemp", "minTemp", "avgTemp", "startTime", "endTime"]


def test_temperature_controller_resolves_public_components():
    index = parse_capability_model(model("temperaturecontroller-1"))
    assert set(index.components) == {"thermostat1", "thermostat2", "deviceInformation"}
    assert "targetTemperature" in index.components["thermostat1"].writable_properties
    assert index.components["deviceInformation"].properties["manufacturer"].schema.kind == "string"
    assert index.root.commands["reboot"].request.schema.kind == "integer"
    assert index.split_path("thermostat1.targetTemperature") == ("thermostat1", "targetTemperature")


def test_complex_schemas_cloud_properties_and_extends():
    base = {
        "@id": "dtmi:contoso:base;1",
        "@type": "Interface",
        "contents": [{"@type": "Telemetry", "name": "inherited", "schema": "long"}],
    }
    index = parse_capability_model(
        interface(
            {
                "@type": "Property",
                "name": "mode",
                "writable": True,
                "schema": {
                    "@type": "Enum",
                    "valueSchema": "integer",
                    "enumValues": [{"name": "off", "enumValue": 0}, {"name": "on", "enumValue": 1}],
                },
            },
            {
                "@type": "Telemetry",
                "name": "tags",
                "schema": {
                    "@type": "Map",
                    "mapKey": {"name": "k", "schema": "string"},
                    "mapValue": {"name": "v", "schema": "dtmi:contoso:pair;1"},
                },
            },
            {
                "@type": "Telemetry",
                "name": "series",
                "schema": {"@type": "Array", "elementSchema": "double"},
            },
            {"@type": ["Property", "Cloud", "StringValue"], "name": "customer", "schema": "string"},
            {"@type": "Telemetry", "name": "where", "schema": "dtmi:iotcentral:schema:geopoint;1"},
            extends=[base],
            schemas=[
                {
                    "@id": "dtmi:contoso:pair;1",
                    "@type": "Object",
                    "fields": [{"name": "a", "schema": "integer"}],
                }
            ],
        )
    )
    root = index.root
    assert root.properties["mode"].schema.enum_values[1].value == 1
    assert root.telemetry["tags"].schema.map_value.fields[0].name == "a"
    assert root.telemetry["series"].schema.element.kind == "double"
    assert root.telemetry["where"].schema.kind == "geopoint"
    assert root.telemetry["inherited"].schema.kind == "long"
    assert set(root.cloud_properties) == {"customer"}
    assert "customer" not in root.writable_properties
    assert root.properties["customer"].semantic_types == ("StringValue",)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        (
            interface({"@type": "Telemetry", "name": "t", "schema": "doubl"}),
            "$.capabilityModel.contents[0].schema",
        ),
        (
            interface({"@type": "Telemetry", "schema": "double"}),
            "$.capabilityModel.contents[0].name",
        ),
        (
            interface(
                {"@type": "Telemetry", "name": "t", "schema": "double"},
                {"@type": "Property", "name": "t", "schema": "double"},
            ),
            "$.capabilityModel.contents[1].name",
        ),
        (interface({"@type": "Gadget", "name": "t"}), "$.capabilityModel.contents[0].@type"),
        (
            interface({"@type": "Property", "name": "p", "schema": "double", "writable": "yes"}),
            "$.capabilityModel.contents[0].writable",
        ),
        (
            interface(
                {"@type": "Telemetry", "name": "t", "schema": {"@type": "Object", "fields": []}}
            ),
            "$.capabilityModel.contents[0].schema.fields",
        ),
        (
            interface(
                {
                    "@type": "Command",
                    "name": "c",
                    "request": {
                        "name": "r",
                        "schema": {"@type": "Enum", "valueSchema": "double", "enumValues": []},
                    },
                }
            ),
            "$.capabilityModel.contents[0].request.schema.valueSchema",
        ),
        (
            interface({"@type": "Component", "name": "c", "schema": "dtmi:contoso:nowhere;1"}),
            "$.capabilityModel.contents[0].schema",
        ),
        ({"@id": "dtmi:contoso:x;1", "@type": "Telemetry"}, "$.capabilityModel.@type"),
        (interface(extends="dtmi:contoso:x;1"), "$.capabilityModel.extends[0]"),
    ],
)
def test_errors_carry_the_json_path(document, path):
    with pytest.raises(ModelError) as caught:
        parse_capability_model(document)
    assert caught.value.path == path


def test_components_cannot_nest():
    inner = {
        "@id": "dtmi:contoso:inner;1",
        "@type": "Interface",
        "contents": [
            {"@type": "Component", "name": "deep", "schema": "dtmi:com:example:Thermostat;1"}
        ],
    }
    with pytest.raises(ModelError):
        parse_capability_model(interface({"@type": "Component", "name": "c", "schema": inner}))
