"""Group commit: writes that arrive while a batch is being stored are stored together next.

Each caller still waits for its own batch to commit, so an answer is only sent for data on disk;
under concurrent load many callers share one transaction (and one executemany), which is what
makes a busy write endpoint cheap. A batch that fails is retried one write at a time, so one bad
write fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Stores a batch in one transaction; answers one result per item, in order.
Apply = Callable[[list[Item]], Awaitable[list[Result]]]


class GroupCommit(Generic[Item, Result]):
    """Queues items and hands them to `apply` many at a time, one batch after another."""

    def __init__(self, apply: Apply[Item, Result]) -> None:
        self.apply = apply
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._task: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Store `item` with whatever else is waiting; return once it is committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self.apply([item for item, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _fail(batch[0][1], exc)
                    continue
                for item, future in batch:
                    try:
                        (result,) = await self.apply([item])
                    except Exception as alone:
                        _fail(future, alone)
                    else:
                        _succeed(future, result)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _succeed(future, result)


def _succeed(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():  # a caller that went away no longer waits
        future.set_result(result)


def _fail(future: asyncio.Future[Result], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
