"""Mes documents: a candidate's own candidatures and documents (another's is a 404, the same
answer as an unknown id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from documents.adapters import documents_sql
from documents.deps import Deps
from documents.domain.confirmation import file_name
from documents.domain.errors import CandidatureNotFound, DocumentNotFound
from shared.auth import Principal


@dataclass(frozen=True)
class Download:
    object_key: str
    content_type: str
    size: int
    sha256: str
    file_name: str


async def candidatures(
    conn: asyncpg.Connection, principal: Principal, deps: Deps
) -> list[asyncpg.Record]:
    return await documents_sql.candidatures_of(conn, principal.account_id)


async def documents(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> list[asyncpg.Record]:
    if not await documents_sql.candidature_owned(conn, candidature_id, principal.account_id):
        raise CandidatureNotFound(candidature_id)
    return await documents_sql.documents_of(conn, candidature_id, principal.account_id)


async def download(
    conn: asyncpg.Connection, document_id: uuid.UUID, principal: Principal, deps: Deps
) -> Download:
    row = await documents_sql.document_of(conn, document_id, principal.account_id)
    if row is None:
        raise DocumentNotFound(document_id)
    return Download(
        object_key=row["object_key"],
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        file_name=file_name(row["kind"], row["numero_inscription"], row["version"]),
    )
