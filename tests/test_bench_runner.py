"""The benchmark runner: targets decided right, missing values short, every script present."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench import run_all
from bench.run_all import MEASURES, SIZES, Measure, markdown, row, table

ROOT = Path(__file__).resolve().parents[1]
AT_LEAST = Measure("jobs", "operations", "ops", "ops/s", ">=", 5000)
AT_MOST = Measure("rest", "startup", "startup", "x", "<=", 1.5)


@pytest.mark.parametrize(
    ("measure", "value", "result"),
    [
        (AT_LEAST, 5000, "pass"),
        (AT_LEAST, 6210.5, "pass"),
        (AT_LEAST, 4999.9, "short"),
        (AT_MOST, 1.5, "pass"),
        (AT_MOST, 0.8, "pass"),
        (AT_MOST, 1.51, "short"),
    ],
)
def test_a_value_passes_or_falls_short_of_its_target(measure, value, result):
    assert row(measure, {measure.key: value}).result == result


def test_targets_and_ratios_are_shown_with_their_units():
    assert row(AT_LEAST, {"ops": 6210.5}).value_with_unit == "6,210 ops/s"
    assert row(AT_LEAST, {"ops": 6210.5}).target == ">= 5,000 ops/s"
    assert row(AT_MOST, {"startup": 2.345}).value_with_unit == "2.35x"
    assert row(AT_MOST, {"startup": 2.345}).target == "<= 1.50x"


def test_a_missing_value_shows_as_missing_and_counts_as_short():
    shown = Measure("query", "last hour", "last_hour_ms", "ms")
    assert row(AT_LEAST, {"other": 1}).value == "missing"
    assert row(AT_LEAST, {"other": 1}).result == "short"
    assert row(shown, {}).result == "short"
    assert run_all.summary(table({"jobs": {}}, [AT_LEAST])).startswith("0 pass, 1 short")


def test_a_value_without_a_target_is_shown_without_a_result():
    shown = Measure("query", "last hour", "last_hour_ms", "ms")
    got = row(shown, {"last_hour_ms": 17.46})
    assert (got.value_with_unit, got.target, got.result) == ("17.5 ms", "", "")


def test_an_optional_value_appears_only_when_reported():
    optional = [m for m in MEASURES if m.optional]
    assert [m.key for m in optional] == ["floor_startup_ratio"]
    assert row(optional[0], {}) is None
    assert row(optional[0], {"floor_startup_ratio": 1.1}).value_with_unit == "1.10x"


def test_only_the_benchmarks_that_ran_have_rows():
    rows = table({"jobs": {"operations_per_s": 7000, "acknowledged": 10000}})
    assert {r.bench for r in rows} == {"jobs"}
    assert [r.result for r in rows] == ["pass", ""]


def test_markdown_has_one_row_per_measure():
    results = {name: {m.key: 1.0 for m in MEASURES if m.bench == name} for name in SIZES}
    lines = markdown(table(results)).splitlines()
    assert lines[0] == "| benchmark | measure | value | target | result |"
    assert len(lines) == 2 + len(MEASURES)
    for line, measure in zip(lines[2:], MEASURES, strict=True):
        assert line.startswith(f"| {measure.bench} | {measure.label} | ")


def test_rest_targets_are_the_ones_asked_for():
    rest = {m.key: (m.op, m.target) for m in MEASURES if m.bench == "rest" and m.op}
    assert rest == {
        "get_ratio": (">=", 1.0),
        "list_ratio": (">=", 0.5),
        "patch_ratio": (">=", 0.5),
        "startup_ratio": ("<=", 1.5),
    }


def test_a_crashed_benchmark_fails_the_command_and_says_which(monkeypatch, capsys):
    outcomes = {"jobs": ({"operations_per_s": 4000}, ""), "query": (None, "Traceback: boom")}
    monkeypatch.setattr(run_all, "run", lambda name, quick: outcomes[name])
    monkeypatch.setattr(sys, "argv", ["run_all.py", "--only", "jobs,query"])
    with pytest.raises(SystemExit) as exited:
        run_all.main()
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert "query crashed: Traceback: boom" in err
    assert "short" in out  # a short result alone does not fail the command


def test_short_results_alone_leave_the_exit_code_zero(monkeypatch, capsys):
    monkeypatch.setattr(run_all, "run", lambda name, quick: ({"operations_per_s": 12}, ""))
    monkeypatch.setattr(sys, "argv", ["run_all.py", "--only", "jobs", "--markdown"])
    with pytest.raises(SystemExit) as exited:
        run_all.main()
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "| jobs | property job device operations | 12.0 ops/s | >= 5,000 ops/s | short |" in out
    assert "cores (nproc)" in out and "Python" in out


def test_every_benchmark_script_exists_and_takes_json():
    assert {m.bench for m in MEASURES} == set(SIZES)
    helps = {
        name: subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--help"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in SIZES
    }
    for name, process in helps.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, f"{name}: {err}"
        assert "--json" in out, name
