"""Migration 020 fills the candidature snapshots from the render jobs already recorded: the
templates can print a candidature saved before the gestionnaires' documents existed."""

from __future__ import annotations

import json

import asyncpg

from documents.app import MIGRATIONS
from shared.testing import factories


async def test_snapshots_are_filled_from_the_latest_render_job(database_dsn: str) -> None:
    conn = await asyncpg.connect(database_dsn)
    try:
        for name in ("001_documents.sql", "002_erasure.sql"):
            await conn.execute((MIGRATIONS / name).read_text())
        created = factories.candidature_created()
        ref = created.candidature
        modified = factories.candidature_modified(
            candidature=ref, recapitulatif=factories.recapitulatif(etablissement="CNED")
        )
        await conn.execute(
            """INSERT INTO candidatures (candidature_id, account_id, academie, examen, session,
                                         specialite_libelle, numero_candidat,
                                         numero_inscription, latest_version)
               VALUES ($1, $2, 'BES', 'BTS', 2027, 'Banque', '1', '2', 2)""",
            ref.candidature_id,
            ref.account_id,
        )
        for event, kind in ((modified, "CandidatureModified"), (created, "CandidatureCreated")):
            await conn.execute(
                """INSERT INTO render_jobs (candidature_id, version, event_id, event_type, payload)
                   VALUES ($1, $2, gen_random_uuid(), $3, $4::jsonb)""",
                ref.candidature_id,
                event.version,
                kind,
                json.dumps(event.model_dump(mode="json")),
            )
        await conn.execute((MIGRATIONS / "020_gestion.sql").read_text())
        row = await conn.fetchrow("SELECT * FROM candidature_snapshots")
    finally:
        await conn.close()
    assert row["candidature_id"] == ref.candidature_id
    assert (row["version"], row["specialite_code"], row["etablissement"]) == (2, "BANQUE", "CNED")
