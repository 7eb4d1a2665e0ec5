"""Settings for one emulator process, from flags or their IOTC_* environment twins."""

from __future__ import annotations

from msgspec import Struct, field

DEFAULT_ADMIN_TOKEN = "iotc-emulator-admin-token"
AUTH_MODES = ("strict", "loose", "off")
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


class Settings(Struct, frozen=True):
    """Everything a running emulator is configured with."""

    host: str = "127.0.0.1"
    port: int = 8080
    db_path: str | None = "./iotc-emulator.db"  # None means in memory
    apps: tuple[str, ...] = ("myapp",)
    admin_token: str = DEFAULT_ADMIN_TOKEN
    auth: str = "loose"
    time_scale: float = 1.0
    seed: int = 0
    scenario: str | None = None
    log_level: str = "info"
    telemetry_retention_days: float = 30.0  # IoT Central keeps 30 days of telemetry
    max_body_bytes: int = 4 * 1024 * 1024
    # Emulated time one job operation takes on one device, and how many devices of a batch a
    # job works on at once: 2 devices per 0.1 s is 20 operations per second per job.
    job_device_latency: float = 0.1
    job_concurrency: int = 2
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def default_app(self) -> str:
        return self.apps[0]

    @property
    def in_memory(self) -> bool:
        return self.db_path is None
