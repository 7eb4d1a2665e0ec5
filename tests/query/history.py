"""Seeded telemetry history and property state stored the way the simulation stores them.

Tests compute the answers they expect from these same plain-Python records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert

from emulator.device_templates.tables import device_templates
from emulator.devices.tables import devices
from emulator.properties.tables import device_properties
from emulator.runtime.core import Runtime
from emulator.telemetry.tables import telemetry

TEMPLATE_ID = "dtmi:contoso:fleetController;1"
MODEL_ID = "dtmi:com:example:FleetController;2"
OTHER_TEMPLATE_ID = "dtmi:contoso:otherSensor;1"
DEVICE_IDS = ["sample-001", "sample-002", "sample-003", "sample-004"]
SIMULATED = {"sample-004"}
HOUR = 3600.0
DAY = 86400.0


def _item(kind: str, name: str, schema: str = "double", **extra: Any) -> dict[str, Any]:
    return {"@type": kind, "name": name, "schema": schema, **extra}


MODEL = {
    "@id": MODEL_ID,
    "@type": "Interface",
    "contents": [
        _item("Telemetry", "temperature"),
        _item("Telemetry", "humidity"),
        _item(["Telemetry", "Pressure"], "pressure"),
        _item("Telemetry", "status", "string"),
        _item("Property", "serialNumber", "string"),
        _item("Property", "targetTemperature", writable=True),
        _item("CloudProperty", "customerName", "string"),
        {
            "@type": "Component",
            "name": "thermostat1",
            "schema": {
                "@id": "dtmi:com:example:Thermostat;1",
                "@type": "Interface",
                "contents": [
                    _item("Telemetry", "temperature"),
                    _item("Property", "maxTempSinceLastReboot"),
                ],
            },
        },
        {
            "@type": "Component",
            "name": "deviceInformation",
            "schema": {
                "@id": "dtmi:azure:DeviceManagement:DeviceInformation;1",
                "@type": "Interface",
                "contents": [
                    _item("Property", "model", "string"),
                    _item("Property", "swVersion", "string"),
                ],
            },
        },
    ],
}

OTHER_MODEL = {
    "@id": "dtmi:com:example:Other;1",
    "@type": "Interface",
    "contents": [_item("Telemetry", "temperature")],
}


@dataclass
class Message:
    """One device-to-cloud message: its telemetry values share the device and the time."""

    device: str
    ts: float
    values: dict[str, Any]
    component: str | None = None
    template: str = TEMPLATE_ID


@dataclass
class History:
    now: float
    messages: list[Message] = field(default_factory=list)
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)  # device -> path -> value

    def root(self, template: str = TEMPLATE_ID) -> list[Message]:
        return [m for m in self.messages if m.component is None and m.template == template]


def make_history(now: float, seed: int = 7, days: float = 40, step: float = 2 * HOUR) -> History:
    """Messages every ~`step` per device over `days`, some partial, some in a component."""
    rng = random.Random(seed)
    history = History(now)
    for device in DEVICE_IDS:
        ts = now - days * DAY + rng.uniform(0, step)
        while ts <= now:
            stamp = round(ts, 3)
            roll = rng.random()
            if roll < 0.1:
                values: dict[str, Any] = {"status": rng.choice(["ok", "warn", "it's odd"])}
            else:
                values = {
                    "temperature": round(rng.uniform(10, 60), 3),
                    "humidity": rng.randint(20, 90),
                }
                if roll > 0.3:
                    values["pressure"] = round(rng.uniform(30, 110), 2)
            history.messages.append(Message(device, stamp, values))
            if rng.random() < 0.3:
                history.messages.append(
                    Message(
                        device,
                        stamp + 17,
                        {"temperature": round(rng.uniform(0, 40), 2)},
                        "thermostat1",
                    )
                )
            ts += rng.uniform(0.5, 1.5) * step
        history.messages.append(
            Message(
                device,
                round(now - rng.uniform(0, DAY), 3),
                {"temperature": 99.0},
                None,
                OTHER_TEMPLATE_ID,
            )
        )
    for index, device in enumerate(DEVICE_IDS[:3]):
        history.properties[device] = {
            "serialNumber": f"SN-{index:03d}",
            "targetTemperature": 20 + index * 2.5,
            "customerName": ["Contoso", "Fabrikam", "Contoso"][index],
            "deviceInformation.model": f"TC-{index % 2}",
            "thermostat1.maxTempSinceLastReboot": 30 + index,
        }
    return history


def iso_ts(ts: float) -> str:
    """How the result should render a time: UTC, milliseconds, trailing zeros dropped."""
    text = datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "")
    return text.rstrip("0").rstrip(".") + "Z"


async def store(runtime: Runtime, history: History) -> None:
    """Write templates, devices, telemetry and properties for the default application."""
    app_id = runtime.apps.default.id  # type: ignore[union-attr]
    templates = [(TEMPLATE_ID, MODEL), (OTHER_TEMPLATE_ID, OTHER_MODEL)]
    rows = []
    for message in history.messages:
        for name, value in message.values.items():
            number = float(value) if isinstance(value, int | float) else None
            rows.append(
                {
                    "app_id": app_id,
                    "device_id": message.device,
                    "template": message.template,
                    "module": None,
                    "component": message.component,
                    "name": name,
                    "ts": message.ts,
                    "value": orjson.dumps(value).decode(),
                    "num": number,
                }
            )
    # The same device ids in another application must never show up.
    foreign = [dict(r, app_id="another-app") for r in rows[:50]]
    props = []
    for device, values in history.properties.items():
        for path, value in values.items():
            component, _, name = path.rpartition(".")
            kind = "cloud" if name == "customerName" else "device"
            props.append(
                {
                    "app_id": app_id,
                    "device_id": device,
                    "module": "",
                    "component": component,
                    "name": name,
                    "kind": kind,
                    "reported": orjson.dumps(value).decode(),
                    "reported_at": history.now,
                }
            )
    async with runtime.db.write() as conn:
        await conn.execute(
            insert(device_templates),
            [
                {
                    "app_id": app_id,
                    "id": tid,
                    "display_name": tid,
                    "model_id": model["@id"],
                    "body": orjson.dumps({"@id": tid, "capabilityModel": model}).decode(),
                    "etag": "e",
                    "seq": i,
                }
                for i, (tid, model) in enumerate(templates)
            ],
        )
        await conn.execute(
            insert(devices),
            [
                {
                    "app_id": app_id,
                    "id": d,
                    "display_name": d,
                    "template": TEMPLATE_ID,
                    "simulated": d in SIMULATED,
                    "provisioned": True,
                    "enabled": True,
                    "organization": "north" if d in ("sample-001", "sample-002") else "south",
                    "etag": "e",
                    "created_at": history.now - 50 * DAY,
                }
                for d in DEVICE_IDS
            ],
        )
        await conn.execute(insert(telemetry), rows + foreign)
        await conn.execute(insert(device_properties), props)
