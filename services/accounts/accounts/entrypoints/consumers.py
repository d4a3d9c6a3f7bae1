"""The events the accounts service listens to."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from accounts.handlers.events import on_candidature_created
from shared.bus.consumer import Subscription
from shared.events.catalogue import CandidatureCreated
from shared.http.keys import SETTINGS


def subscriptions(app: web.Application) -> Sequence[Subscription]:
    queue = app[SETTINGS].queue("identity-lock")
    return [Subscription(queue, {CandidatureCreated: on_candidature_created})]
