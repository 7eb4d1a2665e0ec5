"""DTDL v2/v3 capability models (as IoT Central templates carry them) into a CapabilityIndex."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import orjson

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

PRIMITIVES = frozenset(
    {
        "boolean",
        "date",
        "dateTime",
        "double",
        "duration",
        "float",
        "integer",
        "long",
        "string",
        "time",
    }
)
# IoT Central's own schema ids and DTDL's geospatial ones, by the kind the index uses.
NAMED_KINDS = {
    "dtmi:iotcentral:schema:geopoint;1": "geopoint",
    "dtmi:iotcentral:schema:vector;1": "vector",
    "point": "point",
    "multiPoint": "point",
    "lineString": "point",
    "multiLineString": "point",
    "polygon": "point",
    "multiPolygon": "point",
}
NAME_PATTERN = re.compile(r"^[a-zA-Z](?:[a-zA-Z0-9_]{0,62}[a-zA-Z0-9])?$")
DTMI_PATTERN = re.compile(
    r"^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*"
    r";[1-9][0-9]{0,8}(?:\.[1-9][0-9]{0,5})?$"
)
MODELS_DIR = Path(__file__).with_name("models")
EDGE_MODULE_TYPES = frozenset({"EdgeModule", "SemanticType/EdgeModule"})


class ModelError(ValueError):
    """A capability model that cannot be used; `path` is the JSON path of the problem."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@cache
def public_models() -> dict[str, dict[str, Any]]:
    """The public interfaces shipped with the emulator, by @id."""
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(MODELS_DIR.glob("*.json")):
        doc = orjson.loads(file.read_bytes())
        found[doc["@id"]] = doc
    return found


def types_of(node: dict[str, Any]) -> list[str]:
    """The @type of a DTDL element as a list."""
    kind = node.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        return kind
    return []


def localized(value: Any) -> str | None:
    """A DTDL string or language map as one string (English when there is a choice)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value:
        text = value.get("en", next(iter(value.values())))
        return text if isinstance(text, str) else None
    return None


def is_dtmi(value: Any) -> bool:
    return isinstance(value, str) and DTMI_PATTERN.match(value) is not None


# IoT Central's own template ids may lack the version (dtmi:modelDefinition:zomtmdxh:eqod32zbyl).
TEMPLATE_ID_PATTERN = re.compile(
    r"^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*"
    r"(?:;[1-9][0-9]{0,8}(?:\.[1-9][0-9]{0,5})?)?$"
)


def is_template_id(value: Any) -> bool:
    """A DTMI, or an unversioned one as IoT Central names templates it generates."""
    return isinstance(value, str) and TEMPLATE_ID_PATTERN.match(value) is not None


class _Parser:
    """One parse: knows every element with an @id in the document, plus the public models."""

    def __init__(self, model: dict[str, Any]) -> None:
        self._defined: dict[str, Any] = {}
        self._active: set[str] = set()
        self._collect(model)

    def _collect(self, node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("@id"), str):
                self._defined.setdefault(node["@id"], node)
            for child in node.values():
                self._collect(child)
        elif isinstance(node, list):
            for child in node:
                self._collect(child)

    def lookup(self, dtmi: str, path: str) -> dict[str, Any]:
        found = self._defined.get(dtmi) or public_models().get(dtmi)
        if found is None:
            raise ModelError(
                path,
                f"'{dtmi}' is not defined in this model nor a known public interface; define it"
                " inline (an object with this @id) instead of referencing it",
            )
        return found

    # Interfaces ---------------------------------------------------------------------------

    def interface_contents(
        self, node: Any, path: str, seen: tuple[str, ...] = ()
    ) -> tuple[str, list[tuple[dict[str, Any], str]]]:
        """An interface's @id and its own plus inherited contents, each with its JSON path."""
        if isinstance(node, str):
            node = self.lookup(node, path)
        if not isinstance(node, dict):
            raise ModelError(path, "expected an Interface object or a DTMI naming one")
        if "Interface" not in types_of(node):
            raise ModelError(f"{path}.@type", 'expected "Interface"')
        interface_id = node.get("@id")
        if interface_id is not None and not is_dtmi(interface_id):
            raise ModelError(f"{path}.@id", f"'{interface_id}' is not a valid DTMI")
        if interface_id in seen:
            raise ModelError(path, f"'{interface_id}' extends itself")
        chain = (*seen, interface_id) if interface_id else seen
        contents: list[tuple[dict[str, Any], str]] = []
        for i, parent in enumerate(_as_list(node.get("extends"))):
            _, inherited = self.interface_contents(parent, f"{path}.extends[{i}]", chain)
            contents.extend(inherited)
        raw = node.get("contents", [])
        if not isinstance(raw, list):
            raise ModelError(f"{path}.contents", "expected an array of elements")
        for i, element in enumerate(raw):
            if not isinstance(element, dict):
                raise ModelError(f"{path}.contents[{i}]", "expected an object")
            contents.append((element, f"{path}.contents[{i}]"))
        return interface_id or "", contents

    def component(
        self, node: Any, path: str, name: str | None
    ) -> tuple[Component, dict[str, Component], dict[str, Module]]:
        """Parse an interface: the Component plus its sub-components and modules."""
        interface_id, contents = self.interface_contents(node, path)
        if interface_id and interface_id in self._active:
            raise ModelError(path, f"'{interface_id}' contains itself")
        self._active.add(interface_id)
        try:
            return self._component(node, path, name, interface_id, contents)
        finally:
            self._active.discard(interface_id)

    def _component(
        self,
        node: Any,
        path: str,
        name: str | None,
        interface_id: str,
        contents: list[tuple[dict[str, Any], str]],
    ) -> tuple[Component, dict[str, Component], dict[str, Module]]:
        meta = node if isinstance(node, dict) else self.lookup(node, path)
        telemetry: dict[str, Telemetry] = {}
        properties: dict[str, Property] = {}
        commands: dict[str, Command] = {}
        components: dict[str, Component] = {}
        modules: dict[str, Module] = {}
        names: set[str] = set()
        for element, at in contents:
            kinds = types_of(element)
            if not kinds:
                raise ModelError(f"{at}.@type", "every element needs an @type")
            element_name = element.get("name")
            if not isinstance(element_name, str) or not NAME_PATTERN.match(element_name):
                raise ModelError(
                    f"{at}.name",
                    "expected a name of letters, digits and '_' (starting with a letter, at"
                    " most 64 characters)",
                )
            if element_name in names:
                raise ModelError(f"{at}.name", f"'{element_name}' is used twice in one interface")
            names.add(element_name)
            semantic = tuple(kinds[1:])
            primary = kinds[0]
            if "Cloud" in kinds or "CloudProperty" in kinds:
                primary = "CloudProperty"
            display = localized(element.get("displayName"))
            unit = element.get("unit") if isinstance(element.get("unit"), str) else None
            if primary == "Telemetry":
                schema = self.schema(element.get("schema"), f"{at}.schema")
                telemetry[element_name] = Telemetry(element_name, schema, display, semantic, unit)
            elif primary in ("Property", "CloudProperty"):
                schema = self.schema(element.get("schema"), f"{at}.schema")
                writable = element.get("writable", False)
                if not isinstance(writable, bool):
                    raise ModelError(f"{at}.writable", "expected true or false")
                cloud = primary == "CloudProperty"
                semantic = tuple(
                    k for k in kinds if k not in ("Property", "Cloud", "CloudProperty")
                )
                properties[element_name] = Property(
                    element_name, schema, writable or cloud, cloud, display, semantic, unit
                )
            elif primary == "Command":
                commands[element_name] = Command(
                    element_name,
                    self.payload(element.get("request"), f"{at}.request"),
                    self.payload(element.get("response"), f"{at}.response"),
                    display,
                )
            elif primary == "Component":
                if name is not None:
                    raise ModelError(at, "a component's interface cannot contain components")
                sub, _, _ = self.component(element.get("schema"), f"{at}.schema", element_name)
                components[element_name] = Component(
                    element_name,
                    sub.interface_id,
                    display,
                    localized(element.get("description")),
                    sub.telemetry,
                    sub.properties,
                    sub.commands,
                )
            elif primary == "Relationship" and EDGE_MODULE_TYPES & set(kinds):
                modules[element_name] = self.module(element, at, element_name)
            elif primary == "Relationship":
                continue  # device-to-device relationships carry no capabilities
            else:
                raise ModelError(
                    f"{at}.@type",
                    f"'{primary}' is not a DTDL content type; use Telemetry, Property, Command,"
                    " Component or Relationship",
                )
        root = Component(
            name,
            interface_id,
            localized(meta.get("displayName")),
            localized(meta.get("description")),
            telemetry,
            properties,
            commands,
        )
        return root, components, modules

    def module(self, element: dict[str, Any], at: str, name: str) -> Module:
        targets = _as_list(element.get("target"))
        if not targets:
            raise ModelError(f"{at}.target", "an EdgeModule relationship needs a target interface")
        root, components, _ = self.component(targets[0], f"{at}.target[0]", None)
        return Module(name, root, components)

    # Schemas ------------------------------------------------------------------------------

    def payload(self, node: Any, path: str) -> CommandPayload | None:
        if node is None:
            return None
        if not isinstance(node, dict):
            raise ModelError(path, "expected a CommandPayload object with name and schema")
        name = node.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ModelError(f"{path}.name", "expected a name of letters, digits and '_'")
        return CommandPayload(name, self.schema(node.get("schema"), f"{path}.schema"))

    def schema(self, node: Any, path: str, depth: int = 0) -> Schema:
        if depth > 8:
            raise ModelError(path, "schemas nest deeper than DTDL's limit of 8")
        if isinstance(node, str):
            if node in PRIMITIVES:
                return Schema(node)
            if node in NAMED_KINDS:
                return Schema(NAMED_KINDS[node])
            if node.startswith("dtmi:"):
                return self.schema(self.lookup(node, path), path, depth)
            raise ModelError(path, f"'{node}' is not a DTDL schema; use e.g. double or string")
        if not isinstance(node, dict):
            raise ModelError(path, "expected a schema name or a complex schema object")
        kinds = types_of(node)
        if "Object" in kinds:
            fields = node.get("fields")
            if not isinstance(fields, list) or not fields:
                raise ModelError(f"{path}.fields", "an Object needs a non-empty fields array")
            parsed = []
            for i, field in enumerate(fields):
                at = f"{path}.fields[{i}]"
                if not isinstance(field, dict) or not isinstance(field.get("name"), str):
                    raise ModelError(at, "expected a field with name and schema")
                parsed.append(
                    SchemaField(
                        field["name"], self.schema(field.get("schema"), f"{at}.schema", depth + 1)
                    )
                )
            return Schema("object", fields=tuple(parsed))
        if "Map" in kinds:
            key, value = node.get("mapKey"), node.get("mapValue")
            if not isinstance(key, dict) or not isinstance(value, dict):
                raise ModelError(path, "a Map needs mapKey and mapValue objects")
            key_schema = self.schema(key.get("schema"), f"{path}.mapKey.schema", depth + 1)
            if key_schema.kind != "string":
                raise ModelError(f"{path}.mapKey.schema", "a map key must be a string")
            return Schema(
                "map",
                map_key=key_schema,
                map_value=self.schema(value.get("schema"), f"{path}.mapValue.schema", depth + 1),
            )
        if "Enum" in kinds:
            value_kind = node.get("valueSchema")
            if value_kind not in ("integer", "string"):
                raise ModelError(
                    f"{path}.valueSchema", "an Enum's valueSchema is integer or string"
                )
            values = node.get("enumValues")
            if not isinstance(values, list) or not values:
                raise ModelError(f"{path}.enumValues", "an Enum needs a non-empty enumValues array")
            parsed_values = []
            for i, item in enumerate(values):
                at = f"{path}.enumValues[{i}]"
                raw = item.get("enumValue") if isinstance(item, dict) else None
                ok = isinstance(raw, str) if value_kind == "string" else _is_int(raw)
                if not ok or not isinstance(item.get("name"), str):
                    raise ModelError(at, f"expected name and an enumValue of type {value_kind}")
                parsed_values.append(EnumValue(item["name"], raw))
            return Schema("enum", enum_values=tuple(parsed_values), enum_value_kind=value_kind)
        if "Array" in kinds:
            return Schema(
                "array",
                element=self.schema(node.get("elementSchema"), f"{path}.elementSchema", depth + 1),
            )
        raise ModelError(f"{path}.@type", "expected a complex schema: Object, Map, Enum or Array")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_capability_model(
    model: dict[str, Any],
    *,
    path: str = "$.capabilityModel",
) -> CapabilityIndex:
    """The capability index of a template's model, or ModelError naming the JSON path."""
    if not isinstance(model, dict):
        raise ModelError(path, "expected a DTDL Interface object")
    parser = _Parser(model)
    if "implements" in model and "contents" not in model:
        return _parse_legacy(parser, model, path)
    root, components, modules = parser.component(model, path, None)
    return CapabilityIndex(root.interface_id, root, components, modules)


def _parse_legacy(parser: _Parser, model: dict[str, Any], path: str) -> CapabilityIndex:
    """The 1.0-era capability model: a list of interface instances under `implements`."""
    components: dict[str, Component] = {}
    for i, instance in enumerate(_as_list(model.get("implements"))):
        at = f"{path}.implements[{i}]"
        name = instance.get("name") if isinstance(instance, dict) else None
        if not isinstance(name, str):
            raise ModelError(at, "expected an interface instance with name and schema")
        sub, _, _ = parser.component(instance.get("schema"), f"{at}.schema", name)
        components[name] = Component(
            name,
            sub.interface_id,
            localized(instance.get("displayName")),
            None,
            sub.telemetry,
            sub.properties,
            sub.commands,
        )
    model_id = model.get("@id") if isinstance(model.get("@id"), str) else ""
    root = Component(None, model_id, localized(model.get("displayName")))
    return CapabilityIndex(model_id, root, components)
