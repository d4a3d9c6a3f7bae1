"""Typed keys of what a service's aiohttp app holds."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import web

from shared.auth import TokenVerifier
from shared.bus.broker import Broker
from shared.bus.consumer import EventConsumer
from shared.settings import ServiceSettings

SETTINGS = web.AppKey("settings", ServiceSettings)
POOL = web.AppKey("pool", asyncpg.Pool)
BROKER = web.AppKey("broker", Broker)
VERIFIER = web.AppKey("verifier", TokenVerifier)
CONSUMERS = web.AppKey("consumers", list[EventConsumer])
BACKGROUND = web.AppKey("background", dict[str, asyncio.Task[None]])
# Readiness checks of a service's own dependencies (uploads' clamd): name -> "does it answer?".
READINESS = web.AppKey("readiness", dict[str, Callable[[], Awaitable[bool]]])
