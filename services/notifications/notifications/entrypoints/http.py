"""Admin endpoints (administrateur): the delivery log, a message's attempts, a re-send."""

from __future__ import annotations

import uuid
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from notifications.adapters import messages_sql as sql
from notifications.handlers import admin
from notifications.keys import CONFIG
from shared.auth import Principal, Role
from shared.bus.admin import dead_letter_api
from shared.http.api import Api
from shared.http.keys import POOL
from shared.http.problems import not_found

api = Api()
ADMIN = (Role.ADMINISTRATEUR,)
MESSAGE = "/api/v1/admin/messages/{id:\\d+}"


class MessageSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str | None = Field(default=None, max_length=320)
    event_id: uuid.UUID | None = None
    status: Literal["pending", "sent", "failed"] | None = None
    limit: int = Field(default=100, ge=1, le=1000)


class MessageDetail(BaseModel):
    message: sql.MessageSummary
    log: list[sql.LogEntry]


@api.get(
    "/api/v1/admin/messages",
    query=MessageSearch,
    response=list[sql.MessageSummary],
    roles=ADMIN,
    tags=("emails",),
)
async def search_messages(
    request: web.Request, query: MessageSearch, principal: Principal
) -> list[sql.MessageSummary]:
    async with request.app[POOL].acquire() as conn:
        return await sql.search_messages(
            conn,
            recipient=query.recipient,
            event_id=query.event_id,
            status=query.status,
            limit=query.limit,
        )


@api.get(MESSAGE, response=MessageDetail, roles=ADMIN, tags=("emails",))
async def show_message(request: web.Request, principal: Principal) -> MessageDetail:
    message_id = int(request.match_info["id"])
    async with request.app[POOL].acquire() as conn:
        found = await sql.find_message(conn, message_id)
        if found is None:
            raise not_found(f"Message {message_id}")
        return MessageDetail(message=found, log=await sql.delivery_log(conn, message_id))


@api.post(
    f"{MESSAGE}/resend", response=sql.MessageSummary, status=202, roles=ADMIN, tags=("emails",)
)
async def resend_message(request: web.Request, principal: Principal) -> sql.MessageSummary:
    message_id = int(request.match_info["id"])
    sender = request.app[CONFIG].mail_from_address
    async with request.app[POOL].acquire() as conn, conn.transaction():
        return await admin.resend(conn, message_id, principal, sender)


api.endpoints.extend(dead_letter_api().endpoints)
