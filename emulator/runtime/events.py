"""A small in-process event bus, so domains learn of each other's changes without imports."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("iotc_emulator.events")

Handler = Callable[..., Awaitable[None]]

# Topics in use, with their keyword payloads:
#   "device.changed"  app: Application, device: dict (the Device JSON as the API returns it)
#   "device.deleted"  app: Application, device_id: str
#   "template.changed" app: Application, template_id: str


class EventBus:
    """Publishes named events to every subscribed coroutine, in subscription order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, topic: str, handler: Handler) -> None:
        self._handlers[topic].append(handler)

    async def publish(self, topic: str, **payload: Any) -> None:
        """Await every handler; a failing handler is logged and does not stop the others."""
        for handler in self._handlers.get(topic, ()):
            try:
                await handler(**payload)
            except Exception:
                log.exception("handler of %s failed", topic)
