"""Answers to hot registry reads, kept until the next committed write makes them stale."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

MAX_ENTRIES = 50_000


class ReadCache:
    """Values tagged with the database's write generation; any later write retires them all.

    Tagging by generation instead of tracking which rows a write touched keeps every writer
    (requests, jobs, reset, scenarios) correct without knowing the cache exists. Only registry
    data (devices, device pages, answers kept for replay) is cached here; the data plane's
    high-volume writes (telemetry, property values, command history) declare that they leave
    it alone, so a running simulation does not empty it every second.
    """

    def __init__(self) -> None:
        self.generation = 0
        self._entries: dict[Hashable, Any] = {}

    def written(self) -> None:
        """A write transaction ended: everything cached before it may be stale."""
        self.generation += 1
        self._entries.clear()

    def get(self, key: Hashable) -> Any | None:
        return self._entries.get(key)

    def put(self, key: Hashable, generation: int, value: Any) -> None:
        """Keep `value`, read under `generation`, unless a write has ended since."""
        if generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = value
