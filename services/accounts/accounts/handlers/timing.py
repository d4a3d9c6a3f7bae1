"""Answers that take the same time whether or not an email is known."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def no_sooner_than(floor_s: float, work: Awaitable[T]) -> T:
    """`work`'s result, never before `floor_s` has passed: the few inserts a known email costs
    (a token, an event) would otherwise show in the response time."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    result = await work
    remaining = floor_s - (loop.time() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)
    return result
