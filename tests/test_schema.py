"""The schema script creates what SQLAlchemy's create_all would, and leaves a database as it is."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine

import emulator.store.tables  # noqa: F401  (registers every domain's tables)
from emulator.store.db import Database, StorageError, metadata, schema_script

SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


def test_the_script_makes_the_schema_create_all_makes() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        metadata.create_all(conn)
    with engine.connect() as conn:
        expected = conn.exec_driver_sql(SCHEMA).fetchall()
    db = sqlite3.connect(":memory:")
    db.executescript(schema_script())
    assert db.execute(SCHEMA).fetchall() == [tuple(row) for row in expected]


async def test_an_existing_database_keeps_its_rows(tmp_path: Path) -> None:
    path = str(tmp_path / "emulator.db")
    first = Database(path)
    await first.create_schema()
    async with first.write() as conn:
        await conn.exec_driver_sql("INSERT INTO emulator_meta (key, value) VALUES ('kept', 'yes')")
    await first.close()
    again = Database(path)
    await again.create_schema()
    async with again.read() as conn:
        rows = (await conn.exec_driver_sql("SELECT key, value FROM emulator_meta")).fetchall()
    await again.close()
    assert sorted(tuple(row) for row in rows) == [("kept", "yes"), ("schema_version", "1")]


async def test_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "emulator.db")
    db = sqlite3.connect(path)
    db.executescript(schema_script())
    db.execute("INSERT INTO emulator_meta (key, value) VALUES ('schema_version', '0')")
    db.commit()
    db.close()
    database = Database(path)
    with pytest.raises(StorageError, match="schema version 0"):
        await database.create_schema()
    await database.close()
