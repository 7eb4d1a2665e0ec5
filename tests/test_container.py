"""The container image's contract, read from the Dockerfile (no Docker engine runs in CI)."""

from pathlib import Path

DOCKERFILE = (Path(__file__).parents[1] / "Dockerfile").read_text()


def test_image_runs_as_non_root_on_a_data_volume_with_a_health_check() -> None:
    lines = [line.strip() for line in DOCKERFILE.splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/data"]' in lines
    assert "EXPOSE 8080" in lines
    assert "IOTC_HOST=0.0.0.0" in DOCKERFILE and "IOTC_DB=/data/" in DOCKERFILE
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert "/_emulator/health" in DOCKERFILE
    assert DOCKERFILE.startswith("FROM python:3.11-slim")
