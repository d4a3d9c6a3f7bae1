"""Reads that are the same for everyone, kept for a few seconds in the process (registration's
référentiel and candidature parts, the portal's anonymous reads of the services).

The référentiel changes a few times a session; on a deadline day the portal reads it thousands
of times a second. A change made through this process clears the cache at once; the other
replicas serve the old answer for at most `ttl_s`. Whether a window is open is computed at each
request from the cached instants, and the candidature part checks windows in its own
transaction, never here.

What is cached is whatever the loader returns: the routes keep the answer already serialised
(bytes), so a hit costs no query and no serialisation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

# Keys come from the query string: bound them so that odd queries cannot grow the cache.
MAX_ENTRIES = 2000


class ReadCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        # Loads under way: the requests that miss a key together share one load (at the end
        # of each TTL a deadline day's hundreds of concurrent readers would all query).
        self._loading: dict[Hashable, asyncio.Future[Any]] = {}
        # Bumped by `clear`: a load begun before a change neither stores its answer nor is
        # shared with a read that comes after the change.
        self._generation = 0

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        while True:
            now = time.monotonic()
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl_s:
                return hit[1]
            pending = self._loading.get(key)
            if pending is None:
                return await self._load(key, load, now)
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not pending.cancelled() or (task is not None and task.cancelling()):
                    raise
                # The request that was loading was cancelled, not this one: load again.

    async def _load(self, key: Hashable, load: Callable[[], Awaitable[Any]], now: float) -> Any:
        generation = self._generation
        pending: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = pending
        try:
            value = await load()
        except Exception as exc:
            pending.set_exception(exc)
            pending.exception()  # retrieved: no warning when no other request waited
            raise
        except BaseException:
            pending.cancel()
            raise
        finally:
            if self._loading.get(key) is pending:
                del self._loading[key]
        pending.set_result(value)
        if generation == self._generation:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
        self._loading.clear()
        self._generation += 1
