"""The SQLite database: one async engine, one schema, one writer at a time."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from sqlalchemy import Column, MetaData, String, Table, event, insert, pool, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateIndex, CreateTable

from emulator.store.read_cache import ReadCache

SCHEMA_VERSION = "1"

metadata = MetaData()

meta_table = Table(
    "emulator_meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
)


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do."""


def preflight(path: str) -> None:
    """Check, before serving, that the file can be opened and has a schema this build knows."""
    file = Path(path)
    if file.is_dir():
        raise StorageError(f"--db {path} is a directory; give a file path such as ./iotc.db")
    if not file.parent.exists():
        raise StorageError(f"--db {path}: the folder {file.parent} does not exist; create it first")
    try:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='emulator_meta'"
            ).fetchall()
            if rows:
                found = conn.execute(
                    "SELECT value FROM emulator_meta WHERE key='schema_version'"
                ).fetchone()
                version = found[0] if found else "unknown"
                if version != SCHEMA_VERSION:
                    raise StorageError(
                        f"--db {path} has schema version {version}, but this emulator uses"
                        f" {SCHEMA_VERSION}; start with a new --db file or use --in-memory"
                    )
            else:
                other = conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type='table'"
                ).fetchone()[0]
                if other:
                    raise StorageError(
                        f"--db {path} is an SQLite file of another program (no emulator schema);"
                        " choose a new file"
                    )
            conn.execute("CREATE TABLE IF NOT EXISTS _iotc_write_probe (x)")
            conn.execute("DROP TABLE _iotc_write_probe")
            conn.commit()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"--db {path} cannot be used: {exc}") from None
    except OSError as exc:
        raise StorageError(f"--db {path} cannot be opened: {exc.strerror}") from None


def schema_script() -> str:
    """The DDL of every table and index on `metadata`, each created only where it is missing."""
    dialect = sqlite.dialect()
    statements: list[str] = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table, if_not_exists=True).compile(dialect=dialect)))
        for index in sorted(table.indexes, key=lambda index: index.name or ""):
            statements.append(str(CreateIndex(index, if_not_exists=True).compile(dialect=dialect)))
    return "".join(f"{statement.strip()};\n" for statement in statements)


async def driver_connection(conn: AsyncConnection) -> aiosqlite.Connection:
    """The aiosqlite connection under `conn`: each of its calls is one round trip to its thread."""
    return (await conn.get_raw_connection()).driver_connection


def _tune(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """The engine plus a lock that lets one transaction write at a time."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        if path is None:
            self.engine: AsyncEngine = create_async_engine(
                "sqlite+aiosqlite://",
                poolclass=pool.StaticPool,
                connect_args={"check_same_thread": False},
            )
        else:
            # Every call into aiosqlite is a round trip to its thread, so none is spent on
            # resetting a returned connection: writes end in commit or rollback already, and
            # reads (SELECT only) leave no transaction open in sqlite3's default mode.
            self.engine = create_async_engine(
                f"sqlite+aiosqlite:///{path}",
                pool_size=4,
                max_overflow=4,
                pool_reset_on_return=None,
            )
            event.listen(self.engine.sync_engine, "connect", _tune)
        self._write_lock = asyncio.Lock()
        self.cache = ReadCache()

    async def create_schema(self) -> None:
        """Create every table registered on `metadata` and stamp the schema version."""
        import emulator.store.tables  # noqa: F401  (registers every domain's tables)

        script = schema_script()
        async with self.write() as conn:
            # One script is one round trip to the driver's thread; create_all would check and
            # create each table and index in a round trip of its own.
            await (await driver_connection(conn)).executescript(script)
            found = (
                await conn.execute(
                    select(meta_table.c.value).where(meta_table.c.key == "schema_version")
                )
            ).scalar_one_or_none()
            if found is None:
                await conn.execute(
                    insert(meta_table).values(key="schema_version", value=SCHEMA_VERSION)
                )
            elif found != SCHEMA_VERSION:
                raise StorageError(
                    f"database schema version {found} is not {SCHEMA_VERSION}; use a new --db file"
                )

    @asynccontextmanager
    async def write(self, *, keeps_reads: bool = False) -> AsyncIterator[AsyncConnection]:
        """A transaction that may write; committed on success, rolled back on any error.

        `keeps_reads` is for writes that touch none of the tables the read cache answers from
        (registry tables): telemetry points, property values, command history.
        """
        async with self._write_lock:
            try:
                async with self.engine.begin() as conn:
                    yield conn
            finally:
                if not keeps_reads:
                    self.cache.written()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads.

        In memory there is one shared connection, and closing a reader rolls it back: a read
        then waits for the writer, so it cannot undo a write transaction still in progress.
        """
        if self.path is None:
            async with self._write_lock, self.engine.connect() as conn:
                yield conn
        else:
            async with self.engine.connect() as conn:
                yield conn

    async def close(self) -> None:
        await self.engine.dispose()
