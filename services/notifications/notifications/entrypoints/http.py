"""Admin endpoints (administrateur): the delivery log, a message's attempts, a re-send."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from notifications.deps import DEPS
from notifications.entrypoints.problems import PROBLEMS
from notifications.entrypoints.schemas import MessageDetail, MessageSearch, MessageSummary
from notifications.handlers import admin
from shared.auth import Principal, Role
from shared.bus.admin import dead_letter_api
from shared.http.api import Api

api = Api(problems=PROBLEMS)
ADMIN = (Role.ADMINISTRATEUR,)
MESSAGE = "/api/v1/admin/messages/{id:\\d+}"


def _message_id(request: web.Request) -> int:
    return int(request.match_info["id"])


@api.get(
    "/api/v1/admin/messages",
    query=MessageSearch,
    response=list[MessageSummary],
    roles=ADMIN,
    tags=("emails",),
    transactional=True,
)
async def search_messages(
    request: web.Request, conn: asyncpg.Connection, query: MessageSearch, principal: Principal
) -> list[MessageSummary]:
    found = await admin.search(conn, query, request.app[DEPS])
    return [MessageSummary.model_validate(message) for message in found]


@api.get(MESSAGE, response=MessageDetail, roles=ADMIN, tags=("emails",), transactional=True)
async def show_message(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MessageDetail:
    found = await admin.show(conn, _message_id(request), request.app[DEPS])
    return MessageDetail.model_validate(found)


@api.post(
    f"{MESSAGE}/resend",
    errors=(409,),
    response=MessageSummary,
    status=202,
    roles=ADMIN,
    tags=("emails",),
    transactional=True,
)
async def resend_message(
    request: web.Request, conn: asyncpg.Connection, principal: Principal
) -> MessageSummary:
    resent = await admin.resend(conn, _message_id(request), principal, request.app[DEPS])
    return MessageSummary.model_validate(resent)


api.include(dead_letter_api())
