"""Start servers, time their start, and load them with wrk (or a Python loader without it)."""

from __future__ import annotations

import compileall
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@cache
def compile_checkout() -> None:
    """Byte-compile the checkout, as `pip install` compiles an installed emulator.

    Servers then start as installed ones do, also where PYTHONDONTWRITEBYTECODE keeps Python
    from caching bytecode and would have every start compile the emulator's modules anew.
    """
    for package in ("emulator", "simulated_devices", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


@dataclass
class Server:
    base: str
    startup_seconds: float
    process: subprocess.Popen[bytes]


@contextmanager
def serve(command: list[str], health_path: str, port: int) -> Iterator[Server]:
    """Run `command`, wait for `health_path` to answer 200, yield it, then stop it."""
    compile_checkout()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(timeout=1) as client:
        while True:
            try:
                if client.get(base + health_path).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"{command} exited with {proc.returncode}")
            time.sleep(0.002)
    elapsed = time.perf_counter() - started
    try:
        yield Server(base, elapsed, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def emulator_command(port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "emulator", "--port", str(port), "--log-level", "warning", *args]


def uvicorn_command(app: str, port: int) -> list[str]:
    """Serve an ASGI app of `bench/` with plain uvicorn, as a yardstick for the emulator."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def bare_command(port: int) -> list[str]:
    return uvicorn_command("bench.bare_app:app", port)


def floor_command(port: int) -> list[str]:
    return uvicorn_command("bench.floor_app:app", port)


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


_LUA = """
wrk.method = "{method}"
wrk.body = {body}
if {auth} ~= "" then wrk.headers["Authorization"] = {auth} end
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP99 %d\\n", latency:percentile(50), latency:percentile(99)))
  io.write(string.format("NON2XX %d\\n", summary.errors.status))
end
"""


def load(
    url: str,
    *,
    seconds: float,
    connections: int = 16,
    method: str = "GET",
    body: str | None = None,
    authorization: str = "",
) -> Load:
    """Load one URL for `seconds` and report throughput and latency."""
    if shutil.which("wrk"):
        return _wrk(url, seconds, connections, method, body, authorization)
    return _python_load(url, seconds, connections, method, body, authorization)


def _lua_string(value: str | None) -> str:
    return "nil" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrk(
    url: str, seconds: float, connections: int, method: str, body: str | None, authorization: str
) -> Load:
    script = Path(os.environ.get("TMPDIR", "/tmp")) / f"iotc-bench-{os.getpid()}.lua"
    script.write_text(
        _LUA.format(method=method, body=_lua_string(body), auth=_lua_string(authorization))
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = int(re.search(r"P50 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p99 = int(re.search(r"P99 (\d+)", out).group(1)) / 1000  # type: ignore[union-attr]
    errors = int(re.search(r"NON2XX (\d+)", out).group(1))  # type: ignore[union-attr]
    return Load(rps, p50, p99, errors)


def _python_load(
    url: str, seconds: float, connections: int, method: str, body: str | None, authorization: str
) -> Load:
    import asyncio

    async def run() -> Load:
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds
        headers = {"Authorization": authorization, "Content-Type": "application/json"}

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                r = await client.request(method, url, content=body, headers=headers)
                latencies.append((time.perf_counter() - t) * 1000)
                errors += not 200 <= r.status_code < 300

        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as c:
            await asyncio.gather(*(worker(c) for _ in range(connections)))
        latencies.sort()
        return Load(
            len(latencies) / seconds,
            latencies[len(latencies) // 2],
            latencies[int(len(latencies) * 0.99)],
            errors,
        )

    return asyncio.run(run())
