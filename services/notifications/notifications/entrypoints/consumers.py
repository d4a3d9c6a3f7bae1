"""The events that give a candidate an email, and account erasure, on one queue."""

from __future__ import annotations

from aiohttp import web

from notifications.domain.emails import Mailbook
from notifications.domain.portal import Portal
from notifications.handlers.events import erase_account
from notifications.keys import CONFIG, RECORDER
from shared.bus.consumer import Handler, Subscription
from shared.events import EventPayload
from shared.events.catalogue import AccountErased


def subscriptions(app: web.Application) -> list[Subscription]:
    settings = app[CONFIG]
    mailbook = Mailbook(Portal(settings.portal_base_url), frozenset(settings.notify_document_kinds))
    recorder = app[RECORDER]
    handlers: dict[type[EventPayload], Handler] = {
        model: recorder.handler(compose) for model, compose in mailbook.composers().items()
    }
    handlers[AccountErased] = erase_account
    return [Subscription(settings.queue("emails"), handlers)]
