"""Public référentiel reads kept for a few seconds in the process.

The référentiel changes a few times a session; on a deadline day the portal reads it thousands
of times a second. A change made through this process clears the cache at once; the other
replicas serve the old answer for at most `ttl_s`. Whether a window is open is computed at each
request from the cached instants, and the candidature part checks windows in its own
transaction, never here.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

# Keys come from the query string: bound them so that odd queries cannot grow the cache.
MAX_ENTRIES = 2000


class ReadCache:
    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        value = await load()
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (now, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
