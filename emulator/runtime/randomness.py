"""One seeded random source, split per application and per device so runs repeat."""

from __future__ import annotations

import random


class Randomness:
    """Derives independent, repeatable random streams from the process seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def stream(self, *names: str) -> random.Random:
        """A random source for a named scope, e.g. stream(app_id, "device", device_id)."""
        return random.Random(":".join((str(self.seed), *names)))
