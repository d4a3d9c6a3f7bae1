"""The back office (issue 12): a candidature's detail and diff, the decisions on it, the
audit log, and the deadline-day switches (handlers in `handlers/decisions.py`)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from registration.adapters import decisions_sql
from registration.deps import DEPS
from registration.entrypoints.http._common import (
    ADMIN,
    OUVERTURES,
    WINDOW_STAFF,
    candidature_id,
    if_match,
    referentiel_changed,
)
from registration.entrypoints.schemas import (
    AdminCandidatureView,
    AmenagementBody,
    AuditPage,
    AuditQuery,
    DecisionBody,
    DecisionView,
    DiffQuery,
    DiffView,
    ProlongationBody,
    ProlongationView,
    ReadOnlyBody,
    ReadOnlyView,
)
from registration.handlers import audit, decisions, fenetres
from shared.auth import Principal
from shared.http.api import Api
from shared.http.read_only import READ_ONLY, SWITCH_PATH

api = Api()

STAFF = WINDOW_STAFF
TAGS = ("back office",)
BASE = "/api/v1/admin/candidatures/{id:[0-9a-fA-F-]+}"


@api.get(BASE, response=AdminCandidatureView, roles=STAFF, tags=TAGS, transactional=True)
async def candidature_detail(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> AdminCandidatureView:
    """The working copy, every version with who saved it and when, the decisions taken."""
    return await decisions.detail(conn, candidature_id(request), principal, request.app[DEPS])


@api.get(
    BASE + "/diff", query=DiffQuery, response=DiffView, roles=STAFF, tags=TAGS, transactional=True
)
async def candidature_diff(
    request: web.Request, conn: asyncpg.Connection, query: DiffQuery, principal: Principal
) -> DiffView:
    """Which tabs and fields changed between two saved versions."""
    deps = request.app[DEPS]
    return await decisions.version_diff(
        conn, candidature_id(request), query.from_, query.to, principal, deps
    )


@api.post(
    BASE + "/ecarter",
    body=DecisionBody,
    response=DecisionView,
    status=201,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409, 412),
)
async def admin_ecarter(
    request: web.Request, conn: asyncpg.Connection, body: DecisionBody, principal: Principal
) -> DecisionView:
    """Reject the candidature with a reason: CandidatureRejected."""
    expected = if_match(request)
    deps = request.app[DEPS]
    return await decisions.ecarter(conn, candidature_id(request), body, expected, principal, deps)


@api.post(
    BASE + "/desinscrire",
    body=DecisionBody,
    response=DecisionView,
    status=201,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409, 412),
)
async def admin_desinscrire(
    request: web.Request, conn: asyncpg.Connection, body: DecisionBody, principal: Principal
) -> DecisionView:
    """Withdraw after the window closed, with a reason: CandidatureWithdrawn (gestionnaire)."""
    expected = if_match(request)
    deps = request.app[DEPS]
    return await decisions.desinscrire(
        conn, candidature_id(request), body, expected, principal, deps
    )


@api.post(
    BASE + "/amenagement",
    body=AmenagementBody,
    response=DecisionView,
    status=201,
    roles=STAFF,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409, 412),
)
async def admin_amenagement(
    request: web.Request, conn: asyncpg.Connection, body: AmenagementBody, principal: Principal
) -> DecisionView:
    """Record the aménagement granted (health data: measures and free text)."""
    expected = if_match(request)
    deps = request.app[DEPS]
    return await decisions.amenagement(
        conn, candidature_id(request), body, expected, principal, deps
    )


# --- the audit log ------------------------------------------------------------------------------


@api.get(
    "/api/v1/admin/audit",
    query=AuditQuery,
    response=AuditPage,
    roles=ADMIN,
    tags=TAGS,
    transactional=True,
)
async def audit_log(
    request: web.Request, conn: asyncpg.Connection, query: AuditQuery, principal: Principal
) -> AuditPage:
    """Newest first; `after=<next>` reads the following page."""
    return await audit.search(conn, query, request.app[DEPS])


# --- deadline-day switches ----------------------------------------------------------------------


@api.post(
    "/api/v1/admin/fenetres/prolongation",
    body=ProlongationBody,
    response=ProlongationView,
    roles=ADMIN,
    tags=OUVERTURES,
    transactional=True,
    idempotent=True,
    errors=(409,),
)
async def prolonger(
    request: web.Request, conn: asyncpg.Connection, body: ProlongationBody, principal: Principal
) -> ProlongationView:
    """Extend the last window of one académie, or of every académie of an examen + session."""
    extended = await fenetres.prolonger(conn, body, principal, request.app[DEPS])
    referentiel_changed(request)
    return ProlongationView(fenetres=extended)


@api.get(SWITCH_PATH, response=ReadOnlyView, roles=ADMIN, tags=TAGS, transactional=True)
async def read_only_state(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> ReadOnlyView:
    row = await decisions_sql.get_read_only(conn)
    if row is None:
        return ReadOnlyView(enabled=False, reason=None, changed_at=None)
    return ReadOnlyView(**dict(row))


@api.put(
    SWITCH_PATH,
    body=ReadOnlyBody,
    response=ReadOnlyView,
    roles=ADMIN,
    tags=TAGS,
    transactional=True,
)
async def set_read_only(
    request: web.Request, conn: asyncpg.Connection, body: ReadOnlyBody, principal: Principal
) -> ReadOnlyView:
    """Every replica refuses writes (503 `read-only`) within a second; reads go on."""
    changed = await decisions.set_read_only(conn, body, principal, request.app[DEPS])
    request.app[READ_ONLY].invalidate()
    return changed
