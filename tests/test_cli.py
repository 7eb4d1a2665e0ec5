"""Flags, their IOTC_* twins, and bad input ending in one line without a traceback."""

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.cli import banner, parse_settings
from emulator.config import DEFAULT_ADMIN_TOKEN


def test_defaults_follow_the_documented_table(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "DB", "APP", "AUTH", "TIME_SCALE", "SEED", "IN_MEMORY"):
        monkeypatch.delenv(f"IOTC_{name}", raising=False)
    s = parse_settings([])
    assert (s.host, s.port, s.db_path, s.apps) == (
        "127.0.0.1",
        8080,
        "./iotc-emulator.db",
        ("myapp",),
    )
    assert (s.admin_token, s.auth, s.time_scale, s.log_level) == (
        DEFAULT_ADMIN_TOKEN,
        "loose",
        1.0,
        "info",
    )
    assert isinstance(s.seed, int)


def test_flags(tmp_path: Path) -> None:
    s = parse_settings(
        [
            "--port",
            "9000",
            "--in-memory",
            "--app",
            "a",
            "--app",
            "b",
            "--auth",
            "strict",
            "--time-scale",
            "60",
            "--seed",
            "42",
            "--admin-token",
            "t",
            "--log-level",
            "debug",
        ]
    )
    assert (s.port, s.db_path, s.apps, s.auth, s.time_scale, s.seed, s.admin_token) == (
        9000,
        None,
        ("a", "b"),
        "strict",
        60.0,
        42,
        "t",
    )


def test_environment_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOTC_PORT", "9100")
    monkeypatch.setenv("IOTC_APP", "x,y")
    monkeypatch.setenv("IOTC_SEED", "7")
    monkeypatch.setenv("IOTC_TIME_SCALE", "2.5")
    monkeypatch.setenv("IOTC_IN_MEMORY", "1")
    s = parse_settings([])
    assert (s.port, s.apps, s.seed, s.time_scale, s.db_path) == (9100, ("x", "y"), 7, 2.5, None)
    assert parse_settings(["--port", "9200"]).port == 9200


def test_banner_names_url_token_database_seed() -> None:
    text = banner(parse_settings(["--port", "9000", "--seed", "5", "--db", "x.db"]))
    assert "http://127.0.0.1:9000" in text and DEFAULT_ADMIN_TOKEN in text
    assert "x.db" in text and "seed: 5" in text


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[1])},
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    assert fragment in output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--port", "99999"], "not a TCP port"),
        (["--port", "abc"], "not a TCP port"),
        (["--time-scale", "0"], "greater than 0"),
        (["--auth", "maybe"], "invalid choice"),
        (["--nonsense"], "unrecognized arguments"),
        (["--seed", "x"], "not an integer"),
        (["--app", "Bad App"], "not a subdomain"),
        (["--scenario", "/no/such/file.yaml"], "does not exist"),
    ],
)
def test_bad_flags_fail_in_one_line(args: list[str], fragment: str) -> None:
    assert_one_line_failure(run_cli(*args), fragment)


def test_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = str(sock.getsockname()[1])
        result = run_cli("--port", port, "--db", str(tmp_path / "a.db"))
    assert_one_line_failure(result, "choose another --port")


def test_unwritable_database_path(tmp_path: Path) -> None:
    assert_one_line_failure(run_cli("--db", str(tmp_path / "missing" / "a.db")), "does not exist")
    assert_one_line_failure(run_cli("--db", str(tmp_path)), "is a directory")


def test_database_of_unknown_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE emulator_meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO emulator_meta VALUES ('schema_version', '999')")
    conn.commit()
    conn.close()
    assert_one_line_failure(run_cli("--db", str(path)), "schema version 999")


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    assert_one_line_failure(run_cli("--db", str(path)), "another program")
