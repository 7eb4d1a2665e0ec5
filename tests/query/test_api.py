"""POST /api/query over seeded history: every feature checked against answers computed here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from emulator.identity.roles import ORG_OPERATOR
from emulator.telemetry.tables import telemetry
from tests.query.history import (
    DAY,
    DEVICE_IDS,
    MODEL_ID,
    SIMULATED,
    TEMPLATE_ID,
    History,
    Message,
    iso_ts,
    make_history,
    store,
)
from tests.registry.models import CONTROLLER_TEMPLATE, controller_template

PREVIEW = "2022-10-31-preview"


@pytest.fixture
async def history(emu) -> History:
    made = make_history(emu.runtime.clock.timestamp())
    await store(emu.runtime, made)
    return made


async def run(client: httpx.AsyncClient, text: str, version: str = PREVIEW) -> httpx.Response:
    return await client.post(f"/api/query?api-version={version}", json={"query": text})


async def results(client: httpx.AsyncClient, text: str) -> list[dict[str, Any]]:
    response = await run(client, text)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def error(client: httpx.AsyncClient, text: str) -> str:
    response = await run(client, text)
    assert response.status_code == 400, response.text
    body = response.json()["error"]
    assert body["code"] == "BadRequest" and response.headers["x-ms-error-code"] == "BadRequest"
    return body["message"]


def in_window(history: History, seconds: float) -> list[Message]:
    return [m for m in history.root() if m.ts >= history.now - seconds]


def rows(messages: list[Message], keys: dict[str, str], needed: set[str]) -> list[dict[str, Any]]:
    """Expected plain rows: one per message holding any needed telemetry, oldest first."""
    chosen = sorted(
        (m for m in messages if not needed or needed & m.values.keys()),
        key=lambda m: (m.ts, m.device),
    )
    out = []
    for m in chosen:
        row: dict[str, Any] = {}
        for key, source in keys.items():
            if source == "$id":
                row[key] = m.device
            elif source == "$ts":
                row[key] = iso_ts(m.ts)
            else:
                row[key] = m.values.get(source)
        out.append(row)
    return out


async def test_documented_example_last_day_of_telemetry(client, history) -> None:
    got = await results(
        client,
        f"SELECT $id, $ts, temperature, humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D)",
    )
    keys = {"$id": "$id", "$ts": "$ts", "temperature": "temperature", "humidity": "humidity"}
    expected = rows(in_window(history, DAY), keys, {"temperature", "humidity"})
    assert got == expected and len(got) > 20


async def test_documented_example_aliases_in_where_and_id_in(client, history) -> None:
    got = await results(
        client,
        "SELECT $id as ID, $ts as timestamp, temperature AS t, pressure AS p"
        f" FROM {MODEL_ID} WHERE WITHIN_WINDOW(P2D) AND t > 30 AND p > 50"
        " AND $id IN ['sample-002', 'sample-003']",
    )
    picked = [
        m
        for m in in_window(history, 2 * DAY)
        if m.values.get("temperature", -1) > 30
        and m.values.get("pressure", -1) > 50
        and m.device in ("sample-002", "sample-003")
    ]
    keys = {"ID": "$id", "timestamp": "$ts", "t": "temperature", "p": "pressure"}
    assert got == rows(picked, keys, set()) and got


def windows(messages: list[Message], width: float, name: str) -> dict[float, list[Any]]:
    grouped: dict[float, list[Any]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: m.ts):
        if name in m.values:
            grouped[(m.ts // width) * width].append(m.values[name])
    return grouped


async def test_documented_example_averages_in_ten_minute_windows(client, history) -> None:
    got = await results(
        client,
        f"SELECT AVG(temperature), AVG(pressure) FROM {TEMPLATE_ID}"
        " WHERE WITHIN_WINDOW(P1D) AND $id='sample-001' GROUP BY WINDOW(PT10M)",
    )
    mine = [m for m in in_window(history, DAY) if m.device == "sample-001"]
    temps, pressures = windows(mine, 600, "temperature"), windows(mine, 600, "pressure")
    starts = sorted(set(temps) | set(pressures), reverse=True)
    assert [r["$ts"] for r in got] == [iso_ts(s) for s in starts]
    for row, start in zip(got, starts, strict=True):
        assert set(row) == {"$ts", "avg_temperature", "avg_pressure"}
        assert row["$ts"].endswith(":00Z")
        for key, values in (("avg_temperature", temps), ("avg_pressure", pressures)):
            series = values.get(start)
            assert row[key] == (pytest.approx(sum(series) / len(series)) if series else None)


async def test_every_aggregate_per_device_and_hour(client, history) -> None:
    got = await results(
        client,
        "SELECT $id, SUM(humidity), MIN(temperature) AS lo, MAX(temperature), COUNT(pressure),"
        f" FIRST(temperature), LAST(temperature) FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(PT12H)"
        " GROUP BY WINDOW(PT1H)",
    )
    wanted = {"humidity", "temperature", "pressure"}
    messages = [m for m in in_window(history, 12 * 3600) if wanted & m.values.keys()]
    expected = []
    for start in sorted({(m.ts // 3600) * 3600 for m in messages}, reverse=True):
        for device in DEVICE_IDS:
            group = [m for m in messages if m.device == device and (m.ts // 3600) * 3600 == start]
            if not group:
                continue
            temps = [m.values["temperature"] for m in group if "temperature" in m.values]
            expected.append(
                {
                    "$ts": iso_ts(start),
                    "$id": device,
                    "sum_humidity": sum(m.values.get("humidity", 0) for m in group)
                    if any("humidity" in m.values for m in group)
                    else None,
                    "lo": min(temps, default=None),
                    "max_temperature": max(temps, default=None),
                    "count_pressure": sum("pressure" in m.values for m in group),
                    "first_temperature": temps[0] if temps else None,
                    "last_temperature": temps[-1] if temps else None,
                }
            )
    assert got == expected and len(got) > 5


async def test_aggregate_without_group_by_covers_thirty_days(client, history) -> None:
    got = await results(client, f"SELECT COUNT(temperature), AVG(humidity) FROM {TEMPLATE_ID}")
    month = in_window(history, 30 * DAY)
    temps = [m.values["temperature"] for m in month if "temperature" in m.values]
    hums = [m.values["humidity"] for m in month if "humidity" in m.values]
    assert got == [
        {
            "$ts": iso_ts(history.now - 30 * DAY),
            "count_temperature": len(temps),
            "avg_humidity": pytest.approx(sum(hums) / len(hums)),
        }
    ]
    assert len(temps) < len([m for m in history.root() if "temperature" in m.values])


async def test_documented_example_top_and_order_by_alias(client, history) -> None:
    got = await results(
        client,
        "SELECT TOP 10 $id as ID, $ts as timestamp, temperature, humidity"
        f" FROM {TEMPLATE_ID} ORDER BY timestamp DESC",
    )
    retained = in_window(history, 30 * DAY)
    newest = sorted(
        (m for m in retained if {"temperature", "humidity"} & m.values.keys()),
        key=lambda m: (-m.ts, m.device),
    )[:10]
    keys = {"ID": "$id", "timestamp": "$ts", "temperature": "temperature", "humidity": "humidity"}
    assert got == rows(newest, keys, set())[::-1] and len(got) == 10
    assert got == sorted(got, key=lambda r: r["timestamp"], reverse=True)


async def test_order_by_telemetry_value_and_device(client, history) -> None:
    got = await results(
        client,
        f"SELECT TOP 5 $id, temperature FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P3D)"
        " ORDER BY temperature DESC",
    )
    temps = sorted(
        (m.values["temperature"] for m in in_window(history, 3 * DAY) if "temperature" in m.values),
        reverse=True,
    )
    assert [r["temperature"] for r in got] == temps[:5]
    by_id = await results(
        client, f"SELECT TOP 50 $id FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D) ORDER BY $id desc"
    )
    assert [r["$id"] for r in by_id] == sorted((r["$id"] for r in by_id), reverse=True)
    assert by_id[0]["$id"] == "sample-004"


async def test_component_telemetry_keys_and_values(client, history) -> None:
    got = await results(
        client,
        f"SELECT $id, $ts, thermostat1.temperature FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P5D)",
    )
    expected = [
        {"$id": m.device, "$ts": iso_ts(m.ts), "thermostat1.temperature": m.values["temperature"]}
        for m in sorted(history.messages, key=lambda m: (m.ts, m.device))
        if m.component == "thermostat1" and m.ts >= history.now - 5 * DAY
    ]
    assert got == expected and got


async def test_time_range_and_or_with_parentheses(client, history) -> None:
    start, end = history.now - 4 * DAY, history.now - 2 * DAY
    got = await results(
        client,
        f"SELECT $id, $ts, temperature, humidity FROM {TEMPLATE_ID}"
        f" WHERE WITHIN_WINDOW('{iso_ts(start)}/{iso_ts(end)}')"
        " AND (temperature >= 50 OR humidity < 30) AND $id != 'sample-003'",
    )
    picked = [
        m
        for m in history.root()
        if round(start, 3) - 0.001 <= m.ts <= end
        and (m.values.get("temperature", 0) >= 50 or m.values.get("humidity", 100) < 30)
        and m.device != "sample-003"
    ]
    keys = {"$id": "$id", "$ts": "$ts", "temperature": "temperature", "humidity": "humidity"}
    assert got == rows(picked, keys, set()) and got


async def test_string_telemetry_and_quoted_literals(client, history) -> None:
    got = await results(
        client, f"SELECT $id, $ts, status FROM {TEMPLATE_ID} WHERE status = 'it''s odd'"
    )
    expected = [m for m in in_window(history, 30 * DAY) if m.values.get("status") == "it's odd"]
    keys = {"$id": "$id", "$ts": "$ts", "status": "status"}
    assert got == rows(expected, keys, set()) and got
    listed = await results(
        client, f"SELECT $id, status FROM {TEMPLATE_ID} WHERE status IN ['ok', 'warn']"
    )
    assert {r["status"] for r in listed} == {"ok", "warn"}


async def test_simulated_flag_filters_and_selects(client, history) -> None:
    got = await results(
        client,
        f"SELECT $id, $simulated, humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D)"
        " AND $simulated = true",
    )
    expected = [
        m for m in in_window(history, DAY) if m.device in SIMULATED and "humidity" in m.values
    ]
    assert [(r["$id"], r["humidity"]) for r in got] == [
        (m.device, m.values["humidity"]) for m in sorted(expected, key=lambda m: m.ts)
    ]
    assert all(r["$simulated"] is True for r in got) and got


async def test_property_query_reported_and_cloud_values(client, history) -> None:
    got = await results(
        client,
        "SELECT $id, serialNumber, targetTemperature AS target, customerName,"
        f" deviceInformation.model FROM {TEMPLATE_ID} WHERE customerName = 'Contoso'"
        " OR target > 21 ORDER BY target DESC",
    )
    expected = [
        {
            "$id": device,
            "serialNumber": p["serialNumber"],
            "target": p["targetTemperature"],
            "customerName": p["customerName"],
            "deviceInformation.model": p["deviceInformation.model"],
        }
        for device, p in history.properties.items()
        if p["customerName"] == "Contoso" or p["targetTemperature"] > 21
    ]
    assert got == sorted(expected, key=lambda r: -r["target"]) and len(got) == 3


async def test_property_query_lists_every_device_of_the_template(client, history) -> None:
    got = await results(client, f"SELECT $id, thermostat1.maxTempSinceLastReboot FROM {MODEL_ID}")
    assert got == [
        {
            "$id": d,
            "thermostat1.maxTempSinceLastReboot": history.properties.get(d, {}).get(
                "thermostat1.maxTempSinceLastReboot"
            ),
        }
        for d in DEVICE_IDS
    ]


async def test_template_id_and_model_id_give_the_same_rows(client, history) -> None:
    text = "SELECT $id, $ts, temperature FROM {} WHERE WITHIN_WINDOW(PT6H)"
    assert await results(client, text.format(TEMPLATE_ID)) == await results(
        client, text.format(MODEL_ID)
    )


async def test_an_organization_token_sees_only_its_devices(client, history) -> None:
    ga = {"api-version": "2022-07-31"}
    for org in ("north", "south"):
        body = {"displayName": org}
        assert (await client.put(f"/api/organizations/{org}", params=ga, json=body)).is_success
    role = {"role": ORG_OPERATOR.id, "organization": "north"}
    token = await client.put("/api/apiTokens/north-op", params=ga, json={"roles": [role]})
    assert token.status_code == 200, token.text
    as_north = {"Authorization": token.json()["token"]}
    text = f"SELECT $id, humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D)"
    got = await client.post(
        f"/api/query?api-version={PREVIEW}", json={"query": text}, headers=as_north
    )
    assert got.status_code == 200, got.text
    assert {r["$id"] for r in got.json()["results"]} == {"sample-001", "sample-002"}
    text = f"SELECT $id, serialNumber FROM {TEMPLATE_ID}"
    props = await client.post(
        f"/api/query?api-version={PREVIEW}", json={"query": text}, headers=as_north
    )
    assert [r["$id"] for r in props.json()["results"]] == ["sample-001", "sample-002"]
    assert len(await results(client, text)) == len(DEVICE_IDS)  # the administrator sees all


@pytest.mark.parametrize(
    "version", ["2022-06-30-preview", "2022-10-31-preview", "2023-07-01-preview"]
)
async def test_preview_versions_offer_query(client, history, version: str) -> None:
    response = await run(client, f"SELECT $id FROM {TEMPLATE_ID}", version)
    assert response.status_code == 200
    assert response.json() == {"results": [{"$id": d} for d in DEVICE_IDS]}


@pytest.mark.parametrize("version", ["2022-07-31", "2022-05-31", "1.0", "1.1-preview", "preview"])
async def test_other_versions_answer_not_found(client, history, version: str) -> None:
    response = await run(client, f"SELECT $id FROM {TEMPLATE_ID}", version)
    assert response.status_code == 404
    assert "Query_Run" in response.json()["error"]["message"]


async def test_templates_and_devices_made_through_the_api(emu, client) -> None:
    """The public temperature controller, components referenced by DTMI, queried by model id."""
    ga = {"api-version": "2022-07-31"}
    created = await client.put(
        f"/api/deviceTemplates/{CONTROLLER_TEMPLATE}", params=ga, json=controller_template()
    )
    assert created.status_code == 200, created.text
    for device in ("tc-1", "tc-2"):
        body = {"displayName": device, "template": CONTROLLER_TEMPLATE}
        assert (await client.put(f"/api/devices/{device}", params=ga, json=body)).status_code == 200
    now = emu.runtime.clock.timestamp()
    points = [("tc-1", now - 120, 21.5), ("tc-2", now - 60, 23.0), ("tc-1", now - 30, 22.0)]
    points.append(("tc-2", now - 10, 99.0, "edgeModule"))  # a module's point is not the device's
    async with emu.runtime.db.write() as conn:
        await conn.execute(
            insert(telemetry),
            [
                {
                    "app_id": emu.runtime.apps.default.id,
                    "device_id": device,
                    "template": CONTROLLER_TEMPLATE,
                    "module": module[0] if module else None,
                    "component": "thermostat1",
                    "name": "temperature",
                    "ts": ts,
                    "value": str(value),
                    "num": value,
                }
                for device, ts, value, *module in points
            ],
        )
    got = await results(
        client,
        "SELECT $id, thermostat1.temperature AS t FROM dtmi:com:example:TemperatureController;1"
        " WHERE WITHIN_WINDOW(PT5M) ORDER BY t DESC",
    )
    assert got == [
        {"$id": "tc-2", "t": 23.0},
        {"$id": "tc-1", "t": 22.0},
        {"$id": "tc-1", "t": 21.5},
    ]
    listed = await results(
        client,
        f"SELECT $id, deviceInformation.manufacturer, serialNumber FROM {CONTROLLER_TEMPLATE}",
    )
    assert listed == [
        {"$id": d, "deviceInformation.manufacturer": None, "serialNumber": None}
        for d in ("tc-1", "tc-2")
    ]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        (
            "SELECT $id, $ts, temperature, humidity FROM {t} WHERE WITHIN_WINDOW(P1D)",
            {"$id", "$ts", "temperature", "humidity"},
        ),
        (
            "SELECT deviceInformation.model, deviceInformation.swVersion FROM {t}",
            {"deviceInformation.model", "deviceInformation.swVersion"},
        ),
        (
            "SELECT $id as ID, $ts as timestamp, temperature as t, pressure as p FROM {t}"
            " WHERE WITHIN_WINDOW(P1D) AND t > 0 AND p > 50",
            {"ID", "timestamp", "t", "p"},
        ),
        (
            "SELECT TOP 10 $id as ID, $ts as timestamp, temperature, humidity FROM {t}",
            {"ID", "timestamp", "temperature", "humidity"},
        ),
        (
            "SELECT $id, $ts, temperature AS t, pressure AS p FROM {t} WHERE WITHIN_WINDOW(P1D)"
            " AND t > 0 AND p > 50 AND $id IN ['sample-002', 'sample-003']",
            {"$id", "$ts", "t", "p"},
        ),
        (
            "SELECT AVG(temperature), AVG(pressure) FROM {t} WHERE WITHIN_WINDOW(P1D)"
            " AND $id='sample-001' GROUP BY WINDOW(PT10M)",
            {"$ts", "avg_temperature", "avg_pressure"},
        ),
        (
            "SELECT $id as ID, $ts as timestamp, temperature, humidity FROM {t}"
            " ORDER BY timestamp DESC",
            {"ID", "timestamp", "temperature", "humidity"},
        ),
    ],
)
async def test_documented_queries_run_verbatim(client, history, text, keys) -> None:
    """The docs' example queries, with our template id in FROM; values are checked above."""
    got = await results(client, text.format(t=TEMPLATE_ID))
    assert got and all(set(row) == keys for row in got)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("PT10M", 600), ("PT5H", 5 * 3600), ("P2DT12H", 2.5 * DAY), ("P1W", 7 * DAY)],
)
async def test_documented_window_durations(client, history, duration, seconds) -> None:
    text = f"SELECT $id, $ts, temperature FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW({duration})"
    keys = {"$id": "$id", "$ts": "$ts", "temperature": "temperature"}
    expected = rows(in_window(history, seconds), keys, {"temperature"})
    assert await results(client, text) == expected
