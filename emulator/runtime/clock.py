"""The emulator's one source of time: emulated seconds that run at a scale, freeze and jump."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Emulated wall-clock time; the only module that reads the real clock."""

    def __init__(
        self, *, start: datetime | None = None, scale: float = 1.0, frozen: bool = False
    ) -> None:
        if scale <= 0:
            raise ValueError("time scale must be greater than 0")
        self._scale = scale
        self._frozen = frozen
        self._base_emulated = start.timestamp() if start else time.time()
        self._base_real = time.monotonic()

    @property
    def scale(self) -> float:
        return self._scale

    @property
    def frozen(self) -> bool:
        return self._frozen

    def timestamp(self) -> float:
        """Emulated seconds since the Unix epoch."""
        if self._frozen:
            return self._base_emulated
        return self._base_emulated + (time.monotonic() - self._base_real) * self._scale

    def now(self) -> datetime:
        """Emulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def _rebase(self) -> None:
        self._base_emulated = self.timestamp()
        self._base_real = time.monotonic()

    def set_scale(self, scale: float) -> None:
        """Change how many emulated seconds pass per real second, from now on."""
        if scale <= 0:
            raise ValueError("time scale must be greater than 0")
        self._rebase()
        self._scale = scale

    def set_frozen(self, frozen: bool) -> None:
        """Stop or restart the flow of emulated time."""
        self._rebase()
        self._frozen = frozen

    def set_now(self, timestamp: float) -> None:
        """Put emulated time at `timestamp`, backward too (a scenario's start time)."""
        self._rebase()
        self._base_emulated = timestamp

    def jump_to(self, timestamp: float) -> None:
        """Move emulated time forward to `timestamp` (never backward)."""
        self._rebase()
        self._base_emulated = max(self._base_emulated, timestamp)

    def real_seconds_until(self, timestamp: float) -> float | None:
        """Real seconds to wait until `timestamp` is reached; None while frozen."""
        if self._frozen:
            return None
        return max(0.0, (timestamp - self.timestamp()) / self._scale)


def iso(dt: datetime) -> str:
    """Render a datetime the way IoT Central does: RFC 3339, UTC, milliseconds, `Z`."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_from_timestamp(ts: float) -> str:
    """RFC 3339 rendering of an epoch timestamp."""
    return iso(datetime.fromtimestamp(ts, UTC))
