"""The read cache never answers with data older than the last committed write."""

from emulator.store.read_cache import ReadCache

GA = "api-version=2022-07-31"


def test_a_value_read_before_a_write_is_not_kept() -> None:
    cache = ReadCache()
    generation = cache.generation
    cache.written()
    cache.put("k", generation, "stale")
    assert cache.get("k") is None


def test_a_write_retires_every_cached_value() -> None:
    cache = ReadCache()
    cache.put("k", cache.generation, "fresh")
    assert cache.get("k") == "fresh"
    cache.written()
    assert cache.get("k") is None


async def test_device_reads_follow_updates(emu) -> None:
    client = emu.client
    created = await client.put(f"/api/devices/c1?{GA}", json={"displayName": "one"})
    assert created.status_code == 200
    assert (await client.get(f"/api/devices/c1?{GA}")).json()["displayName"] == "one"
    assert (await client.get(f"/api/devices?{GA}")).json()["value"][0]["displayName"] == "one"
    await client.patch(f"/api/devices/c1?{GA}", json={"displayName": "two"})
    assert (await client.get(f"/api/devices/c1?{GA}")).json()["displayName"] == "two"
    assert (await client.get(f"/api/devices?{GA}")).json()["value"][0]["displayName"] == "two"
    await client.delete(f"/api/devices/c1?{GA}")
    assert (await client.get(f"/api/devices/c1?{GA}")).status_code == 404
    assert (await client.get(f"/api/devices?{GA}")).json()["value"] == []
