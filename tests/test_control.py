"""The /_emulator endpoints: health, reset, the clock; and applications chosen by Host."""

import time

import httpx
from sqlalchemy import func, insert, select

from emulator import __version__
from emulator.devices.tables import devices
from tests.conftest import Emulator
from tests.test_errors import assert_envelope


async def test_health_needs_no_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/_emulator/health", headers={"Authorization": ""})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert [a["subdomain"] for a in body["applications"]] == ["myapp"]


async def test_controls_need_the_administrator(client: httpx.AsyncClient) -> None:
    response = await client.post("/_emulator/reset", headers={"Authorization": ""})
    assert_envelope(response, 401, "Unauthenticated")
    response = await client.get("/_emulator/clock", headers={"Authorization": ""})
    assert_envelope(response, 401, "Unauthenticated")


async def test_clock_advance_scale_freeze(emu: Emulator) -> None:
    before = (await emu.client.get("/_emulator/clock")).json()
    assert before["frozen"] is True and before["scale"] == 1.0
    start = emu.runtime.clock.timestamp()
    after = (await emu.client.post("/_emulator/clock", json={"advance": "PT30S"})).json()
    assert emu.runtime.clock.timestamp() - start == 30
    assert after["now"] > before["now"]
    await emu.client.post("/_emulator/clock", json={"advance": 90})
    assert emu.runtime.clock.timestamp() - start == 120
    changed = await emu.client.post("/_emulator/clock", json={"scale": 60, "frozen": False})
    assert changed.json() == {**changed.json(), "scale": 60.0, "frozen": False}
    first = emu.runtime.clock.timestamp()
    time.sleep(0.05)  # real time passes; emulated time runs 60x
    assert emu.runtime.clock.timestamp() - first >= 2.5


async def test_clock_advance_fires_scheduled_work(emu: Emulator) -> None:
    fired: list[float] = []
    emu.runtime.scheduler.call_later(10, lambda: fired.append(emu.runtime.clock.timestamp()))
    start = emu.runtime.clock.timestamp()
    await emu.client.post("/_emulator/clock", json={"advance": "PT5S"})
    assert fired == []
    await emu.client.post("/_emulator/clock", json={"advance": "PT5S"})
    assert fired == [start + 10]


async def test_clock_rejects_bad_values(client: httpx.AsyncClient) -> None:
    for body, fragment in [
        ({"advance": "30 seconds"}, "ISO-8601"),
        ({"advance": -5}, "negative"),
        ({"scale": 0}, "greater than 0"),
    ]:
        error = assert_envelope(await client.post("/_emulator/clock", json=body), 400, "BadRequest")
        assert fragment in error["message"]


async def _device_count(emu: Emulator, app_id: str) -> int:
    async with emu.runtime.db.read() as conn:
        query = select(func.count()).select_from(devices).where(devices.c.app_id == app_id)
        return (await conn.execute(query)).scalar_one()


async def _add_device(emu: Emulator, app_id: str, device_id: str) -> None:
    async with emu.runtime.db.write() as conn:
        await conn.execute(
            insert(devices).values(
                app_id=app_id,
                id=device_id,
                display_name=device_id,
                etag="e",
                created_at=0,
                simulated=False,
                provisioned=False,
                enabled=True,
            )
        )


async def test_reset_wipes_only_the_requested_application(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(apps=("myapp", "other")) as emu:
        mine = emu.runtime.apps.for_host("myapp.azureiotcentral.com")
        other = emu.runtime.apps.for_host("other.azureiotcentral.com")
        assert mine.id != other.id
        await _add_device(emu, mine.id, "d1")
        await _add_device(emu, other.id, "d1")
        response = await emu.client.post("/_emulator/reset")
        assert response.status_code == 204 and response.content == b""
        assert await _device_count(emu, mine.id) == 0
        assert await _device_count(emu, other.id) == 1
        response = await emu.client.post(
            "/_emulator/reset", headers={"Host": "other.azureiotcentral.com"}
        )
        assert await _device_count(emu, other.id) == 0


async def test_unknown_host_goes_to_the_default_app(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator(apps=("first", "second")) as emu:
        assert emu.runtime.apps.for_host("localhost:8080").subdomain == "first"
        assert emu.runtime.apps.for_host("second.azureiotcentral.com").subdomain == "second"
        assert emu.runtime.apps.for_host("SECOND.example.test:9000").subdomain == "second"
        assert emu.runtime.apps.for_host(None).subdomain == "first"


async def test_state_survives_restart_on_the_same_file(make_emulator) -> None:  # noqa: ANN001
    async with make_emulator() as emu:
        app = emu.runtime.apps.default
        await _add_device(emu, app.id, "kept")
    async with make_emulator() as emu:
        again = emu.runtime.apps.default
        assert (again.id, again.secret) == (app.id, app.secret)
        assert await _device_count(emu, again.id) == 1


async def test_database_file_runs_in_wal_mode(emu: Emulator) -> None:
    async with emu.runtime.db.read() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
    assert mode == "wal"
