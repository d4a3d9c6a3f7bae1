"""The examens' pièce rules (administrateurs): data, not code."""

from __future__ import annotations

import asyncpg
from aiohttp import web

from shared.auth import Principal, Role
from shared.http.api import Api
from uploads.deps import DEPS
from uploads.entrypoints.problems import PROBLEMS
from uploads.entrypoints.schemas import NewRule, RuleChange, RulesQuery, RuleView
from uploads.handlers import referentiel

api = Api(problems=PROBLEMS)
ADMIN = (Role.ADMINISTRATEUR,)
TAGS = ("règles des pièces",)
RULES = "/api/v1/admin/piece-rules"


@api.get(
    RULES, query=RulesQuery, response=list[RuleView], roles=ADMIN, tags=TAGS, transactional=True
)
async def list_rules(
    request: web.Request, conn: asyncpg.Connection, query: RulesQuery, principal: Principal
) -> list[RuleView]:
    return await referentiel.list_rules(conn, query.examen)


@api.post(
    RULES,
    body=NewRule,
    response=RuleView,
    status=201,
    roles=ADMIN,
    tags=TAGS,
    transactional=True,
    idempotent=True,
    errors=(409,),
    summary="Add a rule (applies from the next candidature event on)",
)
async def add_rule(
    request: web.Request, conn: asyncpg.Connection, body: NewRule, principal: Principal
) -> RuleView:
    return await referentiel.add_rule(conn, body, principal, request.app[DEPS])


@api.patch(
    RULES + r"/{rule_id:\d+}",
    body=RuleChange,
    response=RuleView,
    roles=ADMIN,
    tags=TAGS,
    transactional=True,
    summary="Change a rule (only the given fields)",
)
async def change_rule(
    request: web.Request, conn: asyncpg.Connection, body: RuleChange, principal: Principal
) -> RuleView:
    rule_id = int(request.match_info["rule_id"])
    return await referentiel.change_rule(conn, rule_id, body, principal, request.app[DEPS])
