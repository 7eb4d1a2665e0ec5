"""The job engine's two knobs, as flags and environment twins."""

from __future__ import annotations

import pytest

from emulator.cli import parse_settings


def test_job_flags_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = parse_settings([])
    assert (defaults.job_device_latency, defaults.job_concurrency) == (0.1, 2)
    flags = parse_settings(["--job-latency", "0", "--job-concurrency", "8"])
    assert (flags.job_device_latency, flags.job_concurrency) == (0.0, 8)
    monkeypatch.setenv("IOTC_JOB_LATENCY", "0.5")
    monkeypatch.setenv("IOTC_JOB_CONCURRENCY", "3")
    twins = parse_settings([])
    assert (twins.job_device_latency, twins.job_concurrency) == (0.5, 3)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--job-latency", "-1"], "must not be negative"),
        (["--job-latency", "soon"], "is not a number"),
        (["--job-concurrency", "0"], "whole number of at least 1"),
    ],
)
def test_bad_job_flags_fail_in_one_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_settings(args)
    assert exited.value.code == 2
    assert fragment in capsys.readouterr().err
