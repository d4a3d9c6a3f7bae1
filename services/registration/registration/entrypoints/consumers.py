"""What the registration service listens to."""

from __future__ import annotations

from aiohttp import web

from registration.handlers import identites, pieces
from shared.bus.consumer import Subscription
from shared.events.catalogue import (
    AccountActivated,
    AccountEmailChanged,
    AccountErased,
    AccountIdentityChanged,
    AccountRegistered,
    PiecesFournies,
    PieceStatusChanged,
)
from shared.http.keys import SETTINGS


def subscriptions(app: web.Application) -> list[Subscription]:
    settings = app[SETTINGS]
    return [
        Subscription(
            settings.queue("identites"),
            {
                AccountRegistered: identites.on_registered,
                AccountActivated: identites.on_activated,
                AccountIdentityChanged: identites.on_identity_changed,
                AccountEmailChanged: identites.on_email_changed,
                AccountErased: identites.on_erased,
            },
        ),
        Subscription(
            settings.queue("pieces"),
            {
                PiecesFournies: pieces.on_pieces_fournies,
                PieceStatusChanged: pieces.on_piece_status_changed,
            },
        ),
    ]
