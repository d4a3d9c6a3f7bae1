"""The back office (issue 12): a candidature's detail and diff, the decisions on it, the
audit log, and the deadline-day switches (handlers in `handlers/decisions.py`)."""

from __future__ import annotations

import uuid

import asyncpg
from aiohttp import web

from registration.deps import DEPS
from registration.entrypoints.http._common import WINDOW_STAFF
from registration.entrypoints.schemas import (
    AdminCandidatureView,
    AmenagementBody,
    DecisionBody,
    DecisionView,
    DiffQuery,
    DiffView,
)
from registration.handlers import decisions
from shared.auth import Principal
from shared.http.api import Api
from shared.http.problems import ProblemError, not_found

api = Api()

STAFF = WINDOW_STAFF
TAGS = ("back office",)
BASE = "/api/v1/admin/candidatures/{id:[0-9a-fA-F-]+}"


def _id(request: web.Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info["id"])
    except ValueError:
        raise not_found(f"Candidature {request.match_info['id'][:40]}") from None


def _if_match(request: web.Request) -> int | None:
    """`If-Match: "3"`: the version the gestionnaire decided on (optional)."""
    value = request.headers.get("If-Match")
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 6:
        raise ProblemError(412, "version-mismatch", "Precondition failed", 'If-Match: "<version>"')
    return int(text)


@api.get(BASE, response=AdminCandidatureView, roles=STAFF, tags=TAGS, transactional=True)
async def candidature_detail(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> AdminCandidatureView:
    """The working copy, every version with who saved it and when, the decisions taken."""
    return await decisions.detail(conn, _id(request), principal, request.app[DEPS])


@api.get(
    BASE + "/diff", query=DiffQuery, response=DiffView, roles=STAFF, tags=TAGS, transactional=True
)
async def candidature_diff(
    request: web.Request, conn: asyncpg.Connection, query: DiffQuery, principal: Principal
) -> DiffView:
    """Which tabs and fields changed between two saved versions."""
    deps = request.app[DEPS]
    return await decisions.version_diff(conn, _id(request), query.from_, query.to, principal, deps)


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
async def ecarter(
    request: web.Request, conn: asyncpg.Connection, body: DecisionBody, principal: Principal
) -> DecisionView:
    """Reject the candidature with a reason: CandidatureRejected."""
    if_match = _if_match(request)
    deps = request.app[DEPS]
    return await decisions.ecarter(conn, _id(request), body, if_match, principal, deps)


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
async def desinscrire(
    request: web.Request, conn: asyncpg.Connection, body: DecisionBody, principal: Principal
) -> DecisionView:
    """Withdraw after the window closed, with a reason: CandidatureWithdrawn (gestionnaire)."""
    if_match = _if_match(request)
    deps = request.app[DEPS]
    return await decisions.desinscrire(conn, _id(request), body, if_match, principal, deps)


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
async def amenagement(
    request: web.Request, conn: asyncpg.Connection, body: AmenagementBody, principal: Principal
) -> DecisionView:
    """Record the aménagement granted (health data: measures and free text)."""
    if_match = _if_match(request)
    deps = request.app[DEPS]
    return await decisions.amenagement(conn, _id(request), body, if_match, principal, deps)
