"""Formulaires: the PDF forms offered for an examen (none for the BTS, as the guide says:
"cette section n'est pas utilisée dans le cadre du BTS"). An administrateur adds and removes
them; any signed-in user lists and downloads them.

An upload is checked and stored before the transaction (`entrypoints/http/formulaires.py`,
`around=`): the handler records what was stored. The same file offered again for the same
examen is the formulaire already there (a retried upload adds nothing); its new object, named
by nothing, is queued for removal in the same transaction, as a removed formulaire's is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from documents.adapters import formulaires_sql
from documents.adapters.formulaires_sql import NewFormulaire
from documents.deps import Deps
from documents.domain.errors import FormulaireNotFound
from shared.auth import Principal


@dataclass(frozen=True)
class StoredUpload:
    """A checked PDF, already in the bucket."""

    key: str
    size: int
    sha256: str
    pages: int


async def of_examen(conn: asyncpg.Connection, examen: str, deps: Deps) -> list[asyncpg.Record]:
    return await formulaires_sql.of_examen(conn, examen)


async def add(
    conn: asyncpg.Connection,
    examen: str,
    title: str,
    upload: StoredUpload,
    principal: Principal,
    deps: Deps,
) -> asyncpg.Record:
    recorded = await formulaires_sql.insert(
        conn,
        NewFormulaire(
            id=uuid.uuid4(),
            examen=examen,
            title=title,
            object_key=upload.key,
            size=upload.size,
            sha256=upload.sha256,
            pages=upload.pages,
            added_by=principal.account_id,
            added_at=deps.clock.now(),
        ),
    )
    if recorded["object_key"] != upload.key:
        await formulaires_sql.queue_removal(conn, upload.key)
    return recorded


async def find(conn: asyncpg.Connection, formulaire_id: uuid.UUID) -> asyncpg.Record:
    found = await formulaires_sql.find(conn, formulaire_id)
    if found is None:
        raise FormulaireNotFound(formulaire_id)
    return found


async def remove(conn: asyncpg.Connection, formulaire_id: uuid.UUID, deps: Deps) -> None:
    if await formulaires_sql.delete(conn, formulaire_id) is None:
        raise FormulaireNotFound(formulaire_id)
