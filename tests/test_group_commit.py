"""Group commit: concurrent writes share batches, each caller gets its own result or error."""

from __future__ import annotations

import asyncio

import pytest

from emulator.store.group_commit import GroupCommit


class Recorder:
    """An `apply` that records its batches and refuses negative items."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(list(items))
        await asyncio.sleep(0)  # a real batch awaits its transaction
        if any(i < 0 for i in items):
            raise ValueError(f"negative item in {items}")
        return [i * 10 for i in items]


async def test_callers_arriving_together_share_a_batch() -> None:
    apply = Recorder()
    group = GroupCommit(apply)
    results = await asyncio.gather(*(group.submit(i) for i in range(1, 6)))
    assert results == [10, 20, 30, 40, 50]
    assert apply.batches == [[1, 2, 3, 4, 5]]


async def test_callers_arriving_during_a_batch_make_the_next_one() -> None:
    apply = Recorder()
    group = GroupCommit(apply)
    first = asyncio.ensure_future(group.submit(1))
    await asyncio.sleep(0)  # the first batch is now being stored
    later = await asyncio.gather(group.submit(2), group.submit(3))
    assert (await first, later) == (10, [20, 30])
    assert apply.batches == [[1], [2, 3]]


async def test_a_bad_item_fails_alone() -> None:
    apply = Recorder()
    group = GroupCommit(apply)
    outcomes = await asyncio.gather(
        *(group.submit(i) for i in (1, 2, -3, 4)), return_exceptions=True
    )
    assert outcomes[:2] == [10, 20] and outcomes[3] == 40
    assert isinstance(outcomes[2], ValueError)
    assert [-3] in apply.batches  # retried on its own after its batch failed


async def test_a_caller_that_went_away_does_not_stop_the_others() -> None:
    apply = Recorder()
    group = GroupCommit(apply)
    first = asyncio.ensure_future(group.submit(1))
    gone = asyncio.ensure_future(group.submit(2))
    gone.cancel()
    assert await group.submit(3) == 30
    assert await first == 10
    with pytest.raises(asyncio.CancelledError):
        await gone
