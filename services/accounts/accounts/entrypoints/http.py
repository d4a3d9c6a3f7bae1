"""The HTTP API: each route parses its body once and hands it to one handler, in the one
transaction `transactional=True` opens. Creating POSTs are `idempotent=True`.

Documented exceptions (not transactional, the handler takes the pool), each because a password
is checked with Argon2 between two transactions: login, refresh (a revocation for reuse is
committed before its 401), the email and password changes, the password reset. Hashing a new
password and the answer floor run outside the transaction through `around=` (`around.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from aiohttp import web

from accounts.deps import DEPS
from accounts.domain.errors import NotFound
from accounts.domain.identite import IdentiteInput
from accounts.entrypoints.around import answer_floor, hashed_behind_floor, hashed_password
from accounts.entrypoints.problems import PROBLEMS
from accounts.entrypoints.schemas import (
    Accepted,
    Activated,
    Announcement,
    Credentials,
    EmailChange,
    EmailChanged,
    EmailGiven,
    IdentityAuditEntry,
    IdentityCorrection,
    Me,
    NewAccount,
    NewAnnouncement,
    NewStaff,
    PasswordChange,
    PasswordReset,
    RefreshTokenGiven,
    Staff,
    TokenGiven,
    TokenPair,
)
from accounts.handlers import logins, profile, signup, staff
from shared.auth import Principal, Role
from shared.bus.admin import dead_letter_api
from shared.http.api import Api
from shared.http.keys import POOL

api = Api(problems=PROBLEMS)
ANYONE_LOGGED_IN: tuple[Role, ...] = ()
CANDIDAT = (Role.CANDIDAT,)
ADMIN = (Role.ADMINISTRATEUR,)
STAFF = (Role.GESTIONNAIRE, Role.ADMINISTRATEUR)
ACCOUNT_ID = "{account_id}"  # parsed by `path_account_id`: a malformed id is a 404


def client_address(request: web.Request) -> str:
    """Behind the gateway, the last X-Forwarded-For entry: the one the gateway wrote (those
    before it come from the client, who can write anything)."""
    if request.app[DEPS].trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return request.remote or "unknown"


def path_account_id(request: web.Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.match_info["account_id"])
    except ValueError:
        raise NotFound("No such account") from None


# --- candidate accounts -----------------------------------------------------------------------


@api.post(
    "/api/v1/accounts",
    body=NewAccount,
    response=Accepted,
    status=202,
    tags=("accounts",),
    transactional=True,
    idempotent=True,
    around=hashed_behind_floor,
)
async def create_account(
    request: web.Request, conn: asyncpg.Connection, body: NewAccount, password_hash: str
) -> Accepted:
    return await signup.create_account(conn, body, request.app[DEPS], password_hash)


@api.post(
    "/api/v1/accounts/activate",
    errors=(400, 410),
    body=TokenGiven,
    response=Activated,
    tags=("accounts",),
    transactional=True,
)
async def activate_account(
    request: web.Request, conn: asyncpg.Connection, body: TokenGiven
) -> Activated:
    return await signup.activate(conn, body, request.app[DEPS])


@api.post(
    "/api/v1/accounts/activation-link",
    body=EmailGiven,
    response=Accepted,
    status=202,
    tags=("accounts",),
    transactional=True,
    around=answer_floor,
)
async def resend_activation_link(
    request: web.Request, conn: asyncpg.Connection, body: EmailGiven
) -> Accepted:
    return await signup.resend_activation(conn, body, request.app[DEPS])


# --- logins -----------------------------------------------------------------------------------


@api.post(
    "/api/v1/auth/login",
    errors=(401, 403, 429),
    body=Credentials,
    response=TokenPair,
    tags=("auth",),
)
async def login(request: web.Request, body: Credentials) -> TokenPair:
    deps = request.app[DEPS]
    return await logins.login(request.app[POOL], body, client_address(request), deps)


@api.post(
    "/api/v1/auth/refresh",
    errors=(401,),
    body=RefreshTokenGiven,
    response=TokenPair,
    tags=("auth",),
)
async def refresh(request: web.Request, body: RefreshTokenGiven) -> TokenPair:
    return await logins.refresh(request.app[POOL], body, request.app[DEPS])


@api.post(
    "/api/v1/auth/logout", body=RefreshTokenGiven, status=204, tags=("auth",), transactional=True
)
async def logout(request: web.Request, conn: asyncpg.Connection, body: RefreshTokenGiven) -> None:
    await logins.logout(conn, body, request.app[DEPS])


@api.get("/api/v1/.well-known/jwks.json", response=dict[str, Any], tags=("auth",))
async def jwks(request: web.Request) -> web.Response:
    """The public keys other services verify access tokens with."""
    document = request.app[DEPS].signer.jwks()
    return web.json_response(document, headers={"Cache-Control": "public, max-age=300"})


@api.post(
    "/api/v1/auth/password-reset",
    body=EmailGiven,
    response=Accepted,
    status=202,
    tags=("auth",),
    transactional=True,
    around=answer_floor,
)
async def request_password_reset(
    request: web.Request, conn: asyncpg.Connection, body: EmailGiven
) -> Accepted:
    return await profile.request_password_reset(conn, body, request.app[DEPS])


@api.post(
    "/api/v1/auth/password-reset/confirm",
    errors=(400, 410),
    body=PasswordReset,
    status=204,
    tags=("auth",),
)
async def reset_password(request: web.Request, body: PasswordReset) -> None:
    await profile.reset_password(request.app[POOL], body, request.app[DEPS])


# --- modifier mon compte ----------------------------------------------------------------------


@api.get(
    "/api/v1/me",
    errors=(404,),
    response=Me,
    roles=ANYONE_LOGGED_IN,
    tags=("me",),
    transactional=True,
)
async def me(request: web.Request, conn: asyncpg.Connection, principal: Principal) -> Me:
    return await profile.me(conn, principal)


@api.put(
    "/api/v1/me/identite",
    errors=(404, 409),
    body=IdentiteInput,
    response=Me,
    roles=CANDIDAT,
    tags=("me",),
    transactional=True,
)
async def update_identite(
    request: web.Request, conn: asyncpg.Connection, body: IdentiteInput, principal: Principal
) -> Me:
    return await profile.update_identite(conn, principal, body, request.app[DEPS])


@api.post(
    "/api/v1/me/email",
    errors=(404, 429),
    body=EmailChange,
    response=Accepted,
    status=202,
    roles=ANYONE_LOGGED_IN,
    tags=("me",),
)
async def request_email_change(
    request: web.Request, body: EmailChange, principal: Principal
) -> Accepted:
    deps = request.app[DEPS]
    return await profile.request_email_change(request.app[POOL], principal, body, deps)


@api.post(
    "/api/v1/accounts/email/confirm",
    errors=(400, 409, 410),
    body=TokenGiven,
    response=EmailChanged,
    tags=("me",),
    transactional=True,
)
async def confirm_email_change(
    request: web.Request, conn: asyncpg.Connection, body: TokenGiven
) -> EmailChanged:
    return await profile.confirm_email_change(conn, body, request.app[DEPS])


@api.post(
    "/api/v1/me/password",
    errors=(404, 429),
    body=PasswordChange,
    status=204,
    roles=ANYONE_LOGGED_IN,
    tags=("me",),
)
async def change_password(request: web.Request, body: PasswordChange, principal: Principal) -> None:
    current_login = uuid.UUID(principal.session_id) if principal.session_id else None
    deps = request.app[DEPS]
    await profile.change_password(request.app[POOL], principal, current_login, body, deps)


# --- staff ------------------------------------------------------------------------------------


@api.post(
    "/api/v1/admin/staff",
    errors=(409,),
    body=NewStaff,
    response=Staff,
    status=201,
    roles=ADMIN,
    tags=("staff",),
    transactional=True,
    idempotent=True,
    around=hashed_password,
)
async def create_staff(
    request: web.Request,
    conn: asyncpg.Connection,
    body: NewStaff,
    principal: Principal,
    password_hash: str,
) -> Staff:
    return await staff.create_staff(conn, body, request.app[DEPS], password_hash)


@api.get(
    "/api/v1/admin/staff", response=list[Staff], roles=ADMIN, tags=("staff",), transactional=True
)
async def list_staff(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[Staff]:
    return await staff.list_staff(conn)


@api.put(
    f"/api/v1/admin/accounts/{ACCOUNT_ID}/identite",
    errors=(404,),
    body=IdentityCorrection,
    response=Me,
    roles=STAFF,
    tags=("staff",),
    transactional=True,
)
async def correct_identite(
    request: web.Request, conn: asyncpg.Connection, body: IdentityCorrection, principal: Principal
) -> Me:
    account_id, deps = path_account_id(request), request.app[DEPS]
    return await staff.correct_identite(conn, principal, account_id, body, deps)


@api.get(
    f"/api/v1/admin/accounts/{ACCOUNT_ID}/identite/audit",
    errors=(404,),
    response=list[IdentityAuditEntry],
    roles=STAFF,
    tags=("staff",),
    transactional=True,
)
async def identity_audit(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> list[IdentityAuditEntry]:
    return await staff.identity_audit(conn, principal, path_account_id(request))


# --- announcements ----------------------------------------------------------------------------


@api.post(
    "/api/v1/admin/announcements",
    body=NewAnnouncement,
    response=Announcement,
    status=201,
    roles=ADMIN,
    tags=("announcements",),
    transactional=True,
    idempotent=True,
)
async def publish_announcement(
    request: web.Request, conn: asyncpg.Connection, body: NewAnnouncement, principal: Principal
) -> Announcement:
    return await staff.publish_announcement(conn, principal, body, request.app[DEPS])


@api.get(
    "/api/v1/announcements",
    response=list[Announcement],
    tags=("announcements",),
    transactional=True,
)
async def current_announcements(
    request: web.Request, conn: asyncpg.Connection
) -> list[Announcement]:
    return await staff.current_announcements(conn, request.app[DEPS])


api.include(dead_letter_api())
