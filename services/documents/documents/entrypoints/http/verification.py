"""Public verification of a document (no sign-in): what its code names, and the JWKS that
checks its QR token offline. See docs/documents.md (Verification)."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from documents.deps import DEPS
from documents.entrypoints.problems import PROBLEMS
from documents.entrypoints.schemas import Jwks, VerificationView
from documents.handlers import verification
from shared.http.api import Api

api = Api(problems=PROBLEMS)
TAGS = ("vérification",)
# What a person may type: letters, digits and dashes (spaces and case are forgiven by the
# parser; a path has none). Not `.`: `jwks.json` is not a code. The length is the parser's.
CODE = "[0-9A-Za-z-]+"


@api.get(
    "/api/v1/verification/jwks.json",
    response=Jwks,
    tags=TAGS,
    summary="The public keys (JWKS) that check a document's QR token offline",
)
async def verification_jwks(request: web.Request) -> web.Response:
    return web.json_response(
        request.app[DEPS].keys.jwks,
        headers={"Cache-Control": "public, max-age=3600"},
    )


@api.get(
    f"/api/v1/verification/{{code:{CODE}}}",
    response=VerificationView,
    tags=TAGS,
    transactional=True,
    summary="Check a document by its verification code: its fields and whether it still holds",
)
async def verify_document(request: web.Request, conn: asyncpg.Connection) -> VerificationView:
    found = await verification.check(conn, request.match_info["code"])
    status = verification.status_of(found)
    return VerificationView.model_validate(
        {**dict(found), "date": found["issued_on"], "status": status, "valid": status == "valid"}
    )
