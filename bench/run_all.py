"""Run every benchmark and print one table: value, target, and pass or short.

    python bench/run_all.py [--quick] [--only NAME[,NAME]] [--markdown]

Each benchmark runs in its own process, one after another (side by side they would disturb each
other's numbers), with `--json`: the last line it prints is its results. A result short of its
target does not fail the command; a benchmark that crashes does.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Arguments of each benchmark: the sizes its targets are set for, then small ones for a smoke check.
SIZES: dict[str, tuple[list[str], list[str]]] = {
    "registry": (["--devices", "100000"], ["--devices", "1000"]),
    "simulation": (
        ["--devices", "10000", "--duration", "60"],
        ["--devices", "500", "--duration", "3"],
    ),
    "jobs": (["--devices", "10000", "--concurrency", "1000"], ["--devices", "500"]),
    "query": (["--devices", "20", "--days", "3"], ["--devices", "3", "--days", "0.25"]),
    "workshop": (["30", "500"], ["3", "50"]),
    "auth": (["2000", "3"], ["200", "1"]),
    "rest": (["--devices", "10000", "--seconds", "10"], ["--devices", "200", "--seconds", "1"]),
}


@dataclass(frozen=True)
class Measure:
    """One row of the table: a key of a benchmark's JSON, and its target if it has one."""

    bench: str
    label: str
    key: str
    unit: str
    op: str | None = None  # ">=" or "<="; None shows the value without a target
    target: float | None = None
    optional: bool = False  # left out when the benchmark does not report it


def _endpoint(key: str, label: str) -> list[Measure]:
    return [
        Measure("rest", f"{label} throughput", f"{key}_rps", "req/s"),
        Measure("rest", f"{label} p50", f"{key}_p50_ms", "ms"),
        Measure("rest", f"{label} p99", f"{key}_p99_ms", "ms"),
    ]


MEASURES: list[Measure] = [
    Measure("registry", "create devices through the API", "create_per_s", "devices/s"),
    Measure("registry", "last page vs first page latency", "page_ratio", "x", "<=", 1.5),
    Measure("registry", "group of half: first page", "group_first_page_ms", "ms"),
    Measure("registry", "group of half: member ids", "member_ids_ms", "ms"),
    Measure("simulation", "messages stored vs sent, 1/s each", "messages_ratio", "x", ">=", 0.99),
    Measure("simulation", "messages stored", "messages_per_s", "msg/s"),
    Measure("simulation", "CPU share", "cpu_share", "core", "<=", 0.5),
    Measure("simulation", "peak resident memory", "peak_rss_mb", "MB", "<=", 300),
    Measure("simulation", "worst tick lag", "worst_lag_s", "s"),
    Measure("jobs", "property job device operations", "operations_per_s", "ops/s", ">=", 5000),
    Measure("jobs", "devices that acknowledged", "acknowledged", "devices"),
    Measure("query", "last hour, 3 values", "last_hour_ms", "ms"),
    Measure("query", "one device, 1 day, filter", "one_device_day_ms", "ms"),
    Measure("query", "TOP 100 newest", "top_100_ms", "ms"),
    Measure("query", "AVG per 10 min, 1 day", "avg_10min_day_ms", "ms"),
    Measure("query", "per device per hour, all", "per_device_hour_ms", "ms"),
    Measure("query", "properties of every device", "properties_ms", "ms"),
    Measure("workshop", "boot with a scenario", "boot_s", "s"),
    Measure("workshop", "reset to the scenario", "reset_s", "s"),
    Measure("workshop", "create an app (control plane)", "create_ms_per_app", "ms"),
    Measure("auth", "API token check, first time", "first_check_us", "us"),
    Measure("auth", "API token check, cached", "cached_check_us", "us"),
    Measure("auth", "GET /api/roles, API token", "http_api_token_rps", "req/s"),
    Measure("auth", "GET /api/roles, minted bearer", "http_minted_bearer_rps", "req/s"),
    Measure("rest", "GET device vs bare FastAPI", "get_ratio", "x", ">=", 1.0),
    Measure("rest", "list one page vs bare", "list_ratio", "x", ">=", 0.5),
    Measure("rest", "PATCH properties vs bare", "patch_ratio", "x", ">=", 0.5),
    Measure("rest", "startup vs bare uvicorn", "startup_ratio", "x", "<=", 1.5),
    Measure("rest", "startup floor vs bare", "floor_startup_ratio", "x", optional=True),
    *_endpoint("bare_get", "bare GET device"),
    *_endpoint("get", "GET device"),
    *_endpoint("list", "list one page"),
    *_endpoint("patch", "PATCH properties"),
    Measure("rest", "startup to first health 200", "startup_s", "s"),
]


@dataclass(frozen=True)
class Row:
    bench: str
    measure: str
    value: str  # the number, or "missing"
    unit: str
    target: str
    result: str  # "pass", "short", or "" for a value shown without a target

    @property
    def value_with_unit(self) -> str:
        return with_unit(self.value, self.unit)


def number(value: float) -> str:
    """A number with as many digits as it deserves."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def with_unit(text: str, unit: str) -> str:
    return text + unit if unit == "x" else f"{text} {unit}".rstrip()


def row(measure: Measure, results: dict) -> Row | None:
    """The table row of one measure, or None for an optional value not reported."""
    value = results.get(measure.key)
    target = ""
    if measure.op is not None:
        target = f"{measure.op} {with_unit(number(measure.target), measure.unit)}"
    if value is None and measure.optional:
        return None
    if value is None:
        return Row(measure.bench, measure.label, "missing", "", target, "short")
    if measure.op is None:
        result = ""
    else:
        met = value >= measure.target if measure.op == ">=" else value <= measure.target
        result = "pass" if met else "short"
    return Row(measure.bench, measure.label, number(value), measure.unit, target, result)


def table(results: dict[str, dict], measures: list[Measure] = MEASURES) -> list[Row]:
    """Rows for every measure of the benchmarks that ran (a crashed one ran with no results)."""
    rows = (row(m, results[m.bench]) for m in measures if m.bench in results)
    return [r for r in rows if r is not None]


HEADER = ("benchmark", "measure", "value", "target", "result")


def plain(rows: list[Row]) -> str:
    """Columns padded with spaces; numbers aligned on the right, their units after them."""

    def width(field: str, header: str = "") -> int:
        return max(len(header), *(len(getattr(r, field)) for r in rows))

    bench, measure = width("bench", "benchmark"), width("measure", "measure")
    value, unit, target = width("value"), width("unit"), width("target", "target")
    lines = [
        f"{'benchmark':<{bench}}  {'measure':<{measure}}  {'value':<{value + 1 + unit}}"
        f"  {'target':>{target}}  result"
    ]
    lines += [
        f"{r.bench:<{bench}}  {r.measure:<{measure}}  {r.value:>{value}} {r.unit:<{unit}}"
        f"  {r.target:>{target}}  {r.result}".rstrip()
        for r in rows
    ]
    return "\n".join(lines)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|---:|---:|---|"]
    lines += [
        f"| {r.bench} | {r.measure} | {r.value_with_unit} | {r.target} | {r.result} |" for r in rows
    ]
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    passed = sum(r.result == "pass" for r in rows)
    short = sum(r.result == "short" for r in rows)
    return f"{passed} pass, {short} short, {len(rows) - passed - short} shown without a target"


def machine() -> str:
    """The line that says where and when the numbers were measured."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    return (
        f"Machine: {len(os.sched_getaffinity(0))} cores (nproc), {cpu},"
        f" Python {platform.python_version()}; measured {today}"
    )


def run(name: str, quick: bool) -> tuple[dict | None, str]:
    """A benchmark's JSON results, or None and what went wrong."""
    args = SIZES[name][1 if quick else 0]
    command = [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args, "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    tail = "\n".join(done.stderr.strip().splitlines()[-20:])
    if done.returncode != 0:
        return None, f"exit code {done.returncode}\n{tail}"
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1]), ""
    except (IndexError, json.JSONDecodeError):
        return None, f"no JSON object on its last line of output\n{tail}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke check")
    parser.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(SIZES))
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(SIZES)
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(SIZES)}")

    results: dict[str, dict] = {}
    crashes: dict[str, str] = {}
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        found, problem = run(name, args.quick)
        print(f"  {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        results[name] = found or {}
        if found is None:
            crashes[name] = problem

    rows = table(results)
    print(markdown(rows) if args.markdown else plain(rows))
    print()
    quick = " (--quick: small sizes; the targets are for the full sizes)" if args.quick else ""
    print(summary(rows) + quick)
    print(machine())
    for name, problem in crashes.items():
        print(f"\n{name} crashed: {problem}", file=sys.stderr)
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
