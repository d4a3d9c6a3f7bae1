"""Administrateurs change the référentiel: imports (JSON or CSV), one item, removal."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.domain.errors import ImportRefused, Issue
from registration.domain.imports import KINDS, ImportBatch, csv_batch, parse_batch
from registration.entrypoints.http._common import ADMIN, REFERENTIEL, referentiel_changed
from registration.entrypoints.schemas import (
    ImportBody,
    ImportQuery,
    ImportSummary,
    ItemBody,
    RemovalResult,
)
from registration.handlers import referentiel
from shared.auth import Principal
from shared.http.api import Api, RawBody

api = Api()

# The kinds as an alternation: `import` is no kind, and OpenAPI can list them.
KIND = "{kind:" + "|".join(KINDS) + "}"
ADMIN_REFERENTIEL = "/api/v1/admin/referentiel/"


async def _batch(body: ImportBody | RawBody, kind: str | None) -> ImportBatch:
    """A JSON batch, or the CSV of one kind of item (read whole, within the body limit)."""
    if isinstance(body, ImportBody):
        return parse_batch(body.root)
    if kind is None:
        raise ImportRefused([Issue("kind", "a CSV import names its kind", "missing-kind")])
    return csv_batch(await body.read(), kind)


@api.post(
    ADMIN_REFERENTIEL + "import",
    body=ImportBody,
    media_types=("text/csv",),
    query=ImportQuery,
    response=ImportSummary,
    roles=ADMIN,
    tags=REFERENTIEL,
    transactional=True,
)
async def import_referentiel(
    request: web.Request,
    conn: asyncpg.Connection,
    body: ImportBody | RawBody,
    query: ImportQuery,
    principal: Principal,
) -> ImportSummary:
    """A batch applied whole or not at all; a refusal lists every problem. `text/csv` holds
    one kind of item, named by `?kind=`."""
    batch = await _batch(body, query.kind)
    applied = await referentiel.import_referentiel(conn, batch, principal, request.app[DEPS])
    referentiel_changed(request)
    return ImportSummary(applied=applied)


@api.put(
    ADMIN_REFERENTIEL + KIND,
    body=ItemBody,
    response=ImportSummary,
    roles=ADMIN,
    tags=REFERENTIEL,
    transactional=True,
)
async def put_item(
    request: web.Request, conn: asyncpg.Connection, body: ItemBody, principal: Principal
) -> ImportSummary:
    """Create or change one item (a spécialité may carry its épreuve tree)."""
    kind = request.match_info["kind"]
    applied = await referentiel.put_item(conn, kind, body.root, principal, request.app[DEPS])
    referentiel_changed(request)
    return ImportSummary(applied=applied)


@api.delete(
    ADMIN_REFERENTIEL + KIND + "/{key:.+}",
    response=RemovalResult,
    roles=ADMIN,
    tags=REFERENTIEL,
    transactional=True,
)
async def remove_item(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> RemovalResult:
    """Deleted when nothing refers to it, retired (hidden, kept) otherwise."""
    kind, path = request.match_info["kind"], request.match_info["key"].split("/")
    key, result = await referentiel.remove(conn, kind, path, principal, request.app[DEPS])
    referentiel_changed(request)
    return RemovalResult(kind=kind, key=list(key), result=result)
