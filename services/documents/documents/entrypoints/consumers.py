"""The candidature events that make a document or change how it is shown, on one queue."""

from __future__ import annotations

from aiohttp import web

from shared.bus.consumer import Subscription


def subscriptions(app: web.Application) -> list[Subscription]:
    return []
