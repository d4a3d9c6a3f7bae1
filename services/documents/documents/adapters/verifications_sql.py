"""The verification of each document: its code and what its token asserts."""

from __future__ import annotations

import uuid

import asyncpg

from documents.domain.verification import VerificationPayload


async def insert(
    conn: asyncpg.Connection, document_id: uuid.UUID, code: str, payload: VerificationPayload
) -> None:
    """In the transaction that records the document (a code collision, one draw in tens of
    millions, fails that transaction: the job is tried again with a new code)."""
    await conn.execute(
        """INSERT INTO verifications (code, document_id, kind, numero_candidat,
                                      numero_inscription, version, issued_on, initials,
                                      content_sha256, kid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        code,
        document_id,
        payload.kind.value,
        payload.numero_candidat,
        payload.numero_inscription,
        payload.version,
        payload.date,
        payload.initials,
        payload.sha256,
        payload.kid,
    )


async def find(conn: asyncpg.Connection, code: str) -> asyncpg.Record | None:
    """The verification, with what its validity depends on: the document's withdrawal and
    stored SHA-256, its candidature's latest version, withdrawal and rejection."""
    row: asyncpg.Record | None = await conn.fetchrow(
        """SELECT v.code, v.kind, v.numero_candidat, v.numero_inscription, v.version,
                  v.issued_on, v.initials, v.content_sha256, v.kid,
                  d.kind AS document_kind, d.sha256, d.withdrawn_at,
                  c.latest_version, c.withdrawn_at AS candidature_withdrawn_at,
                  c.rejected_at AS candidature_rejected_at
           FROM verifications v
           JOIN documents d ON d.id = v.document_id
           LEFT JOIN candidatures c ON c.candidature_id = d.candidature_id
           WHERE v.code = $1""",
        code,
    )
    return row
