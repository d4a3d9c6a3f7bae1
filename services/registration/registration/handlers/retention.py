"""Retention (issue 12, point 8): `REGISTRATION_RETENTION_DAYS` after its session ended, a
candidature is anonymised, keeping what the counts need (numbers, statut, spécialité, catégorie
and établissement codes); drafts are deleted. Run by a periodic job under its own advisory lock
(`app.py`), in batches: each batch of one examen + session + académie publishes one
`CandidaturesPurged` so that documents and uploads delete their files. A candidature done is
marked (`anonymised_at`): a second run finds nothing. The audit log is kept (no personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg

from registration.adapters import retention_sql as sql
from registration.deps import Deps
from shared.events.catalogue import CandidaturesPurged

log = logging.getLogger(__name__)


async def purge_due(
    conn: asyncpg.Connection,
    deps: Deps,
    *,
    retention: timedelta,
    batch_size: int,
    max_batches: int,
) -> int:
    """Anonymise up to `max_batches` batches of `batch_size` candidatures whose session ended
    more than `retention` ago; the rest waits for the next run. Returns the batches done."""
    now = deps.clock.now()
    done = 0
    for group in await sql.due(conn, now - retention):
        examen, session, academie = group
        while done < max_batches:
            ids = await sql.next_batch(conn, examen, session, academie, batch_size)
            if not ids:
                break
            await sql.anonymise(conn, ids, now)
            await deps.outbox.add(
                conn,
                CandidaturesPurged(
                    examen=examen,
                    session=session,
                    academie=academie,
                    candidature_ids=ids,
                    purged_at=now,
                ),
            )
            done += 1
            log.info(
                "candidatures anonymised",
                extra={"examen": examen, "session": session, "academie": academie, "n": len(ids)},
            )
    return done


def job(
    deps: Deps, *, retention_days: int, batch_size: int, max_batches: int
) -> Callable[[asyncpg.Connection], Awaitable[int]]:
    """The periodic job's body (`shared.service.periodic_job` gives it the connection, in a
    transaction, under the advisory lock)."""

    async def run(conn: asyncpg.Connection) -> int:
        return await purge_due(
            conn,
            deps,
            retention=timedelta(days=retention_days),
            batch_size=batch_size,
            max_batches=max_batches,
        )

    return run
