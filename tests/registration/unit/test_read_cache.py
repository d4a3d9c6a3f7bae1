from __future__ import annotations

from registration.adapters.read_cache import MAX_ENTRIES, ReadCache


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
