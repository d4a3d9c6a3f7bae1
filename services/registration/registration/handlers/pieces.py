"""The pièces justificatives as the back office sees them: the groups a candidate declared
provided and each pièce's latest status, from the uploads service's PiecesFournies and
PieceStatusChanged (run in the inbox's transaction: once per event)."""

from __future__ import annotations

import asyncpg

from registration.adapters import pieces_sql
from shared.erasure import lock_and_check_erased
from shared.events import Envelope
from shared.events.catalogue import PiecesFournies, PieceStatusChanged


async def on_pieces_fournies(
    conn: asyncpg.Connection, envelope: Envelope, payload: PiecesFournies
) -> None:
    if await lock_and_check_erased(conn, payload.account_id):
        return
    await pieces_sql.record_fournies(conn, payload)


async def on_piece_status_changed(
    conn: asyncpg.Connection, envelope: Envelope, payload: PieceStatusChanged
) -> None:
    await pieces_sql.record_status(conn, payload)
