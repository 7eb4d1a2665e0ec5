"""How much authentication costs per request: cached and first-time API token checks in process,
then GET /api/roles on the real server (wrk) under the admin token, an Administrator API token and
a minted bearer token. `python bench/auth.py [N] [SECONDS] [--json]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import emulator_command, free_port, load, serve  # noqa: E402
from emulator.app import create_app  # noqa: E402
from emulator.config import DEFAULT_ADMIN_TOKEN, Settings  # noqa: E402
from emulator.identity.access import access_of  # noqa: E402

ADMINISTRATOR = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4"
V = "?api-version=2022-07-31"
CREDENTIALS = {
    "admin_token": "admin token",
    "api_token": "API token",
    "minted_bearer": "minted bearer",
}


async def in_process(n: int) -> dict[str, float]:
    """Token checks and GET /api/roles through ASGI, `n` times each."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(db_path=f"{folder}/bench.db", seed=1, log_level="warning"))
        runtime = app.state.runtime
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            admin = {"Authorization": DEFAULT_ADMIN_TOKEN}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://myapp.azureiotcentral.com", headers=admin
            ) as client:
                made = await client.put(
                    f"/api/apiTokens/bench{V}", json={"roles": [{"role": ADMINISTRATOR}]}
                )
                header = made.json()["token"]
                application = runtime.apps.default

                start = time.perf_counter()
                for _ in range(n):
                    access_of(runtime).credentials.forget_app(application.id)
                    await runtime.auth.authenticate(header, application)
                first = (time.perf_counter() - start) / n

                await runtime.auth.authenticate(header, application)
                start = time.perf_counter()
                for _ in range(n):
                    principal = await runtime.auth.authenticate(header, application)
                    runtime.auth.permission_check(principal, "Devices_List", application)
                cached = (time.perf_counter() - start) / n

                timings = {}
                for label, headers in (
                    ("admin_token", admin),
                    ("api_token", {"Authorization": header}),
                ):
                    start = time.perf_counter()
                    for _ in range(n):
                        response = await client.get(f"/api/roles{V}", headers=headers)
                    timings[label] = (time.perf_counter() - start) / n
                    assert response.status_code == 200

    return {
        "requests": n,
        "first_check_us": first * 1e6,
        "cached_check_us": cached * 1e6,
        **{f"asgi_{label}_ms": seconds * 1e3 for label, seconds in timings.items()},
    }


def over_http(seconds: int) -> dict[str, float]:
    """Throughput of one cheap call under each kind of credential, on the real server."""
    port = free_port()
    with serve(
        emulator_command(port, "--in-memory", "--seed", "1"), "/_emulator/health", port
    ) as server:
        admin = {"Authorization": DEFAULT_ADMIN_TOKEN}
        made = httpx.put(
            f"{server.base}/api/apiTokens/bench{V}",
            json={"roles": [{"role": ADMINISTRATOR}]},
            headers=admin,
        )
        user = {"type": "email", "email": "b@contoso.com", "roles": [{"role": ADMINISTRATOR}]}
        httpx.put(f"{server.base}/api/users/bench{V}", json=user, headers=admin)
        minted = httpx.post(
            f"{server.base}/_emulator/bearer-tokens", json={"userId": "bench"}, headers=admin
        )
        credentials = {
            "admin_token": DEFAULT_ADMIN_TOKEN,
            "api_token": made.json()["token"],
            "minted_bearer": minted.json()["authorization"],
        }
        results = {}
        for label, value in credentials.items():
            # One call first, so the measurement is of verified (cached) credentials.
            httpx.get(f"{server.base}/api/roles{V}", headers={"Authorization": value})
            result = load(f"{server.base}/api/roles{V}", seconds=seconds, authorization=value)
            results[f"http_{label}_rps"] = result.requests_per_second
            results[f"http_{label}_p50_ms"] = result.p50_ms
            results[f"http_{label}_p99_ms"] = result.p99_ms
            results[f"http_{label}_errors"] = result.errors
    return results


def report(r: dict[str, float]) -> None:
    print(f"requests per measurement: {r['requests']}")
    print(f"API token check, first time (HMAC + SQLite read): {r['first_check_us']:8.1f} us")
    print(f"API token check, cached, plus permission check:   {r['cached_check_us']:8.1f} us")
    for key in ("admin_token", "api_token"):
        label = CREDENTIALS[key]
        print(f"GET /api/roles through ASGI with {label:>11}:   {r[f'asgi_{key}_ms']:8.3f} ms")
    for key, label in CREDENTIALS.items():
        print(
            f"GET /api/roles over HTTP, {label:>13}: {r[f'http_{key}_rps']:7.0f} req/s"
            f"  p50 {r[f'http_{key}_p50_ms']:.2f} ms  p99 {r[f'http_{key}_p99_ms']:.2f} ms"
            f"  errors {r[f'http_{key}_errors']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=2000, help="checks per measurement")
    parser.add_argument("seconds", type=int, nargs="?", default=3, help="load per credential")
    parser.add_argument("--json", action="store_true", help="print one JSON line of results")
    args = parser.parse_args()
    results = {**asyncio.run(in_process(args.n)), **over_http(args.seconds)}
    if args.json:
        print(json.dumps(results))
    else:
        report(results)


if __name__ == "__main__":
    main()
