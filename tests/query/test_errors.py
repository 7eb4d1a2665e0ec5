"""Limits, malformed queries, injections and rule breaches: 400 naming the fix, never 500."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert

from emulator.devices.tables import devices
from emulator.telemetry.tables import telemetry
from tests.query.history import DEVICE_IDS, TEMPLATE_ID, History, make_history, store
from tests.query.test_api import error, results, run


@pytest.fixture
async def history(emu) -> History:
    made = make_history(emu.runtime.clock.timestamp(), days=3)
    await store(emu.runtime, made)
    return made


async def test_query_longer_than_350_characters(client, history) -> None:
    base = f"SELECT $id FROM {TEMPLATE_ID} WHERE "
    fits = base + " OR ".join(["$id = 'sample-001'"] * 20)
    fits = fits[: fits.rfind(" OR ", 0, 350)]
    assert len(fits) <= 350
    long = base + "$id = '" + "x" * (351 - len(base) - 8) + "'"
    assert len(long) == 351
    message = await error(client, long)
    assert "351 characters" in message and "350" in message


async def test_more_than_15_select_items(client, history) -> None:
    items = ", ".join(f"humidity AS h{i}" for i in range(16))
    message = await error(client, f"SELECT {items} FROM {TEMPLATE_ID}")
    assert "16 items" in message and "15" in message
    fifteen = ", ".join(f"humidity AS h{i}" for i in range(15))
    assert await results(client, f"SELECT TOP 1 {fifteen} FROM {TEMPLATE_ID}")


async def test_more_than_10_where_operators(client, history) -> None:
    six = " OR ".join(f"humidity = {i}" for i in range(6))  # 6 comparisons + 5 OR = 11
    message = await error(client, f"SELECT humidity FROM {TEMPLATE_ID} WHERE {six}")
    assert "11 operators" in message and "10" in message
    five = " OR ".join(f"humidity = {i}" for i in range(20, 25))  # 9 operators
    await results(
        client, f"SELECT humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D) AND ({five})"
    )


async def _flood(emu, count: int) -> None:
    app_id = emu.runtime.apps.default.id
    now = emu.runtime.clock.timestamp()
    rows = [
        {
            "app_id": app_id,
            "device_id": DEVICE_IDS[i % 4],
            "template": TEMPLATE_ID,
            "component": None,
            "name": "humidity",
            "ts": now - 60 - i,
            "value": "50",
            "num": 50.0,
        }
        for i in range(count)
    ]
    async with emu.runtime.db.write() as conn:
        await conn.execute(insert(telemetry), rows)


async def test_more_than_10000_telemetry_rows(emu, client, history) -> None:
    await _flood(emu, 10_001)
    message = await error(client, f"SELECT $id, humidity FROM {TEMPLATE_ID}")
    assert "10,000 rows" in message and "TOP" in message
    assert (
        len(await results(client, f"SELECT TOP 10000 $id, humidity FROM {TEMPLATE_ID}")) == 10_000
    )
    message = await error(client, f"SELECT TOP 10001 humidity FROM {TEMPLATE_ID}")
    assert "10,000" in message


async def test_more_than_1000_property_rows(emu, client, history) -> None:
    app_id = emu.runtime.apps.default.id
    extra = [
        {
            "app_id": app_id,
            "id": f"bulk-{i:04d}",
            "display_name": "bulk",
            "template": TEMPLATE_ID,
            "etag": "e",
            "created_at": 0.0,
        }
        for i in range(997)
    ]
    async with emu.runtime.db.write() as conn:
        await conn.execute(insert(devices), extra)
    message = await error(client, f"SELECT $id, serialNumber FROM {TEMPLATE_ID}")
    assert "1,000 rows" in message and "property" in message
    assert len(await results(client, f"SELECT TOP 1000 $id FROM {TEMPLATE_ID}")) == 1000
    assert "1,000" in await error(client, f"SELECT TOP 1001 serialNumber FROM {TEMPLATE_ID}")


@pytest.mark.parametrize(
    ("text", "position", "expects"),
    [
        ("SELECT temperature FORM x", "line 1, column 20", "FROM"),
        ("SELECT", "line 1, column 7", "a telemetry or property name"),
        ("SELECT temperature FROM x WHERE", "line 1, column 32", "WITHIN_WINDOW"),
        ("SELECT temperature\nFROM x\nWHERE temperature >", "line 3, column 20", "a number"),
        ("SELECT temperature FROM x ORDER temperature", "line 1, column 33", "BY"),
        ("SELECT humidity FROM x GROUP BY WINDOW(10)", "line 1, column 40", "duration"),
    ],
)
async def test_syntax_errors_give_position_and_expectation(
    client, history, text, position, expects
) -> None:
    message = await error(client, text)
    assert message.startswith("Syntax error at") and position in message and expects in message


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = 'x'; DROP TABLE telemetry",
        f"SELECT $id FROM {TEMPLATE_ID}; DELETE FROM devices",
        f"SELECT $id FROM {TEMPLATE_ID} -- comment",
        f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = 'x' /* comment */",
        f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = 'x' OR '1'='1'",
        f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = 'x'' OR ''1''=''1",
        f'SELECT $id FROM {TEMPLATE_ID} WHERE $id = "x" UNION SELECT id FROM applications',
        "SELECT $id FROM x' OR 1=1 --",
        f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = 'x\\' OR 1=1 --'",
        "SELECT name FROM sqlite_master",
        "",
    ],
)
async def test_injection_attempts_are_rejected_and_harmless(client, history, text) -> None:
    response = await run(client, text)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequest"
    assert await results(client, f"SELECT $id FROM {TEMPLATE_ID}") == [
        {"$id": d} for d in DEVICE_IDS
    ]


async def test_quotes_inside_a_literal_are_data(client, history) -> None:
    tricky = "x'' OR ''1''=''1"
    assert await results(client, f"SELECT $id FROM {TEMPLATE_ID} WHERE $id = '{tricky}'") == []


@pytest.mark.parametrize(
    ("text", "expects"),
    [
        (f"SELECT *, humidity FROM {TEMPLATE_ID}", "stands alone"),
        (f"SELECT * AS everything FROM {TEMPLATE_ID}", "stands alone"),
        (f"SELECT temperature, serialNumber FROM {TEMPLATE_ID}", "mixes telemetry and properties"),
        (f"SELECT temperature FROM {TEMPLATE_ID} WHERE serialNumber = 'a'", "mixes"),
        (f"SELECT Temperature FROM {TEMPLATE_ID}", "'Temperature' at line 1, column 8"),
        ("SELECT temperature FROM dtmi:nope:nothing;1", "GET /api/deviceTemplates"),
        (f"SELECT AVG(serialNumber) FROM {TEMPLATE_ID}", "only telemetry can be aggregated"),
        (f"SELECT AVG($id) FROM {TEMPLATE_ID}", "only telemetry can be aggregated"),
        (f"SELECT $id, temperature, AVG(humidity) FROM {TEMPLATE_ID}", "wrap it in one"),
        (f"SELECT humidity FROM {TEMPLATE_ID} GROUP BY WINDOW(PT1H)", "needs aggregates"),
        (f"SELECT humidity AS temperature FROM {TEMPLATE_ID}", "alias 'temperature'"),
        (f"SELECT humidity, humidity FROM {TEMPLATE_ID}", "key 'humidity'"),
        (f"SELECT serialNumber FROM {TEMPLATE_ID} WHERE serialNumber IN ['a']", "IN works with"),
        (f"SELECT humidity FROM {TEMPLATE_ID} WHERE $ts > '2021-01-01'", "WITHIN_WINDOW"),
        (f"SELECT humidity FROM {TEMPLATE_ID} WHERE $id = 3", "quote the device id"),
        (f"SELECT humidity FROM {TEMPLATE_ID} WHERE humidity IN [1, 'a']", "one kind"),
        (
            f"SELECT humidity FROM {TEMPLATE_ID} WHERE humidity > 1 OR WITHIN_WINDOW(P1D)",
            "joined to the rest of WHERE with AND",
        ),
        (
            f"SELECT humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(P1D) AND WITHIN_WINDOW(PT1H)",
            "repeats",
        ),
        (f"SELECT humidity FROM {TEMPLATE_ID} WHERE WITHIN_WINDOW(PT0S)", "positive"),
        (
            f"SELECT humidity FROM {TEMPLATE_ID}"
            " WHERE WITHIN_WINDOW('2021-06-13T15:00:00Z/2021-06-13T13:00:00Z')",
            "earlier time first",
        ),
        (f"SELECT AVG(humidity) AS h FROM {TEMPLATE_ID} WHERE h > 3", "names an aggregate"),
        (f"SELECT AVG(humidity) FROM {TEMPLATE_ID} ORDER BY humidity", "sorts by $ts"),
        (f"SELECT TOP 0 humidity FROM {TEMPLATE_ID}", "outside 1..10000"),
    ],
)
async def test_rule_breaches_name_the_fix(client, history, text, expects) -> None:
    assert expects in await error(client, text)


async def test_body_without_query_is_400(client, history) -> None:
    response = await client.post("/api/query?api-version=2022-10-31-preview", json={"q": "x"})
    assert response.status_code == 400 and "query" in response.json()["error"]["message"]


FRAGMENTS = [
    "SELECT",
    "TOP",
    "5",
    "$id",
    "$ts",
    "$simulated",
    "temperature",
    "thermostat1.temperature",
    "serialNumber",
    "AVG(",
    "COUNT(",
    "FIRST(",
    ")",
    ",",
    "AS",
    "x",
    "FROM",
    TEMPLATE_ID,
    "WHERE",
    "WITHIN_WINDOW(",
    "P1D",
    "PT0S",
    "'2021-01-01T00:00:00Z/2022-01-01T00:00:00Z'",
    "AND",
    "OR",
    "(",
    "=",
    "<>",
    ">=",
    "IN",
    "[",
    "]",
    "'a'",
    "-1.5",
    "true",
    "GROUP",
    "BY",
    "WINDOW(",
    "PT1H",
    "ORDER",
    "DESC",
    "*",
    ";",
    "--",
    "'",
    '"',
    "\\",
    "\x00",
    "é",
]


async def test_random_token_soup_never_breaks_the_server(client, history) -> None:
    rng = random.Random(11)
    statuses = set()
    for _ in range(300):
        words = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 14))]
        if rng.random() < 0.5:  # a valid start, then a few random words
            item = rng.choice(FRAGMENTS[3:9])
            words = ["SELECT", item, "FROM", TEMPLATE_ID, *words[: rng.randint(0, 3)]]
        response = await run(client, " ".join(words))
        assert response.status_code in (200, 400), (words, response.text)
        statuses.add(response.status_code)
    assert statuses == {200, 400}


async def test_wildcard_selects_id_time_and_every_telemetry(client, history) -> None:
    window = "WHERE WITHIN_WINDOW(P1D) ORDER BY $ts DESC, $id"
    everything = await results(client, f"SELECT TOP 50 * FROM {TEMPLATE_ID} {window}")
    assert everything and set(everything[0]) >= {"$id", "$ts", "temperature", "humidity"}
    listed = ", ".join(everything[0])
    assert everything == await results(
        client, f"SELECT TOP 50 {listed} FROM {TEMPLATE_ID} {window}"
    )
