"""Events the accounts service consumes."""

from __future__ import annotations

import logging

import asyncpg

from accounts.adapters import accounts_sql
from shared.events import Envelope
from shared.events.catalogue import CandidatureCreated

log = logging.getLogger(__name__)


async def on_candidature_created(
    conn: asyncpg.Connection, envelope: Envelope, payload: CandidatureCreated
) -> None:
    """From the first candidature on, the identity can only be corrected by a gestionnaire."""
    candidature = payload.candidature
    locked = await accounts_sql.lock_identity(
        conn, candidature.account_id, payload.saved_at, candidature.academie.code
    )
    if not locked:
        log.warning(
            "candidature for an unknown account",
            extra={"account_id": str(candidature.account_id), "event_id": str(envelope.event_id)},
        )
