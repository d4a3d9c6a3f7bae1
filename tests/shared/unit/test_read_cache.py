from __future__ import annotations

import asyncio
from typing import Any

from shared.http.read_cache import MAX_ENTRIES, ReadCache


class Loader:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_a_fresh_answer_is_served_from_the_cache() -> None:
    cache, load = ReadCache(ttl_s=60), Loader()

    assert [await cache.get("k", load) for _ in range(3)] == [1, 1, 1]
    assert load.calls == 1


async def test_an_expired_answer_or_a_cleared_cache_loads_again() -> None:
    expired, load = ReadCache(ttl_s=0), Loader()
    assert [await expired.get("k", load) for _ in range(2)] == [1, 2]

    cache, load = ReadCache(ttl_s=60), Loader()
    await cache.get("k", load)
    cache.clear()
    assert await cache.get("k", load) == 2


async def test_many_distinct_queries_do_not_grow_the_cache_without_bound() -> None:
    cache = ReadCache(ttl_s=60)
    for key in range(MAX_ENTRIES * 2):
        await cache.get(key, Loader())
    assert len(cache._entries) <= MAX_ENTRIES


class Gate:
    """A loader that waits until the test opens it."""

    def __init__(self, value: Any = "loaded", error: Exception | None = None) -> None:
        self.calls = 0
        self.opened = asyncio.Event()
        self.value, self.error = value, error

    async def __call__(self) -> Any:
        self.calls += 1
        await self.opened.wait()
        if self.error is not None:
            raise self.error
        return self.value


async def test_requests_that_miss_together_share_one_load() -> None:
    cache, load = ReadCache(ttl_s=60), Gate()
    readers = [asyncio.create_task(cache.get("k", load)) for _ in range(20)]
    await asyncio.sleep(0)

    load.opened.set()

    assert await asyncio.gather(*readers) == ["loaded"] * 20
    assert load.calls == 1


async def test_a_load_begun_before_a_clear_is_neither_kept_nor_joined() -> None:
    """A change committed while a read was loading: that read may answer the old state, but
    a read that comes after the change loads anew, and the old state is not cached."""
    cache, old, new = ReadCache(ttl_s=60), Gate("old"), Gate("new")
    racing = asyncio.create_task(cache.get("k", old))
    await asyncio.sleep(0)

    cache.clear()
    after = asyncio.create_task(cache.get("k", new))
    await asyncio.sleep(0)
    old.opened.set()
    new.opened.set()

    assert (await racing, await after) == ("old", "new")
    assert await cache.get("k", Gate("never")) == "new"


async def test_a_failed_load_reaches_its_waiters_and_is_not_cached() -> None:
    cache, failing = ReadCache(ttl_s=60), Gate(error=RuntimeError("down"))
    readers = [asyncio.create_task(cache.get("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)

    failing.opened.set()
    results = await asyncio.gather(*readers, return_exceptions=True)

    assert [type(result) for result in results] == [RuntimeError] * 3
    assert failing.calls == 1
    assert await cache.get("k", Loader()) == 1


async def test_a_waiter_loads_itself_when_the_loading_request_is_cancelled() -> None:
    cache, stuck, second = ReadCache(ttl_s=60), Gate("stuck"), Gate("second")
    loading = asyncio.create_task(cache.get("k", stuck))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(cache.get("k", second))
    await asyncio.sleep(0)

    loading.cancel()
    second.opened.set()

    assert await waiting == "second"
    assert loading.cancelled()
