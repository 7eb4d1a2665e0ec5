"""One timer heap on the emulated clock: everything that waits for emulated time waits here."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from msgspec import Struct

from emulator.runtime.clock import Clock

log = logging.getLogger("iotc_emulator.scheduler")

Callback = Callable[[], Awaitable[None] | None]
T = TypeVar("T")


class Timer(Struct, order=True):
    """A callback due at an emulated timestamp; cancel() keeps it from firing.

    Timers order by (when, seq); seq is unique, so comparing never reaches the callback.
    """

    when: float
    seq: int
    callback: Callback
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Fires callbacks in emulated-time order, in real time or when the clock is advanced."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[Timer] = []
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._waiting: dict[asyncio.Task[object], asyncio.Future[object]] = {}

    def call_at(self, when: float, callback: Callback) -> Timer:
        """Run `callback` once emulated time reaches `when`."""
        timer = Timer(when, next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        if self._heap[0] is timer:
            self._wake.set()
        return timer

    def call_later(self, delay: float, callback: Callback) -> Timer:
        """Run `callback` after `delay` emulated seconds."""
        return self.call_at(self.clock.timestamp() + max(0.0, delay), callback)

    async def wait_for(self, future: asyncio.Future[T]) -> T:
        """Await a future only a timer (emulated time) resolves, marking the task as idle."""
        task = asyncio.current_task()
        if task is not None:
            self._waiting[task] = future  # type: ignore[assignment]
        try:
            return await future
        finally:
            self._waiting.pop(task, None)  # type: ignore[arg-type]

    def _busy(self, task: asyncio.Task[object]) -> bool:
        if task.done():
            return False
        future = self._waiting.get(task)
        return future is None or future.done()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of emulated time."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self.call_later(seconds, lambda: future.done() or future.set_result(None))
        try:
            await self.wait_for(future)
        finally:
            timer.cancel()

    async def settle(self, tasks: Iterable[asyncio.Task[object]], limit: float = 30.0) -> None:
        """Let tasks run until each is done or waits on emulated time (at most `limit` real s)."""
        busy = [t for t in tasks if self._busy(t)]
        waited = 0.0
        while busy and waited < limit:
            await asyncio.wait(busy, timeout=0.001)
            waited += 0.001
            busy = [t for t in busy if self._busy(t)]

    def pending(self) -> int:
        """How many timers wait (cancelled ones included until they surface)."""
        return len(self._heap)

    def clear(self, predicate: Callable[[Timer], bool] | None = None) -> None:
        """Cancel every timer, or those the predicate picks."""
        for timer in self._heap:
            if predicate is None or predicate(timer):
                timer.cancel()

    def notify(self) -> None:
        """Re-plan the wait after the clock's scale or frozen state changed."""
        self._wake.set()

    async def advance(self, seconds: float) -> None:
        """Move emulated time forward, firing each due timer at its own moment."""
        target = self.clock.timestamp() + max(0.0, seconds)
        async with self._lock:
            while self._heap and self._heap[0].when <= target:
                timer = heapq.heappop(self._heap)
                if timer.cancelled:
                    continue
                self.clock.jump_to(timer.when)
                await self._fire(timer)
            self.clock.jump_to(target)
        self._wake.set()

    async def run_due(self) -> None:
        """Fire every timer whose moment has come."""
        async with self._lock:
            now = self.clock.timestamp()
            while self._heap and self._heap[0].when <= now:
                timer = heapq.heappop(self._heap)
                if not timer.cancelled:
                    await self._fire(timer)

    async def _fire(self, timer: Timer) -> None:
        try:
            result = timer.callback()
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("scheduled callback failed")

    def start(self) -> None:
        """Start firing timers in real time."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the real-time loop; timers stay in the heap."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            timeout = self.clock.real_seconds_until(self._heap[0].when) if self._heap else None
            if timeout is None or timeout > 0:
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                    continue
                except TimeoutError:
                    pass
            await self.run_due()
            await asyncio.sleep(0)
