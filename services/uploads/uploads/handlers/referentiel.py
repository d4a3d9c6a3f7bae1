"""The examens' pièce rules (administrateurs) and the groups' dates limites (gestionnaires of
the académie). A changed rule applies from the next candidature event on: pièces already
asked for are not recomputed by it."""

from __future__ import annotations

import asyncpg

from shared.auth import Principal, ensure_academie
from uploads.adapters import audit_sql, groupes_sql, rules_sql
from uploads.deps import Deps
from uploads.domain.academies import zone_name
from uploads.domain.errors import NotFound, RuleConflict
from uploads.entrypoints.schemas import (
    DateLimite,
    GroupeAdmin,
    GroupesQuery,
    NewRule,
    RuleChange,
    RuleView,
)
from uploads.handlers.back_office import scope
from uploads.handlers.views import local_time


async def list_rules(conn: asyncpg.Connection, examen: str | None) -> list[RuleView]:
    return [RuleView.model_validate(dict(row)) for row in await rules_sql.list_rules(conn, examen)]


async def add_rule(
    conn: asyncpg.Connection, new: NewRule, principal: Principal, deps: Deps
) -> RuleView:
    row = await rules_sql.insert(conn, new.model_dump(mode="json"))
    if row is None:
        raise RuleConflict(new.examen, new.code)
    await audit_sql.record(
        conn, principal, deps.clock.now(), action="rule.add", target=f"rule:{row['id']}"
    )
    return RuleView.model_validate(dict(row))


async def change_rule(
    conn: asyncpg.Connection, rule_id: int, change: RuleChange, principal: Principal, deps: Deps
) -> RuleView:
    row = await rules_sql.update(conn, rule_id, change.model_dump(mode="json", exclude_none=True))
    if row is None:
        raise NotFound(f"Rule {rule_id}")
    await audit_sql.record(
        conn,
        principal,
        deps.clock.now(),
        action="rule.change",
        target=f"rule:{rule_id}",
        details=change.model_dump(mode="json", exclude_none=True),
    )
    return RuleView.model_validate(dict(row))


def groupe_view(row: asyncpg.Record) -> GroupeAdmin:
    return GroupeAdmin(
        **{k: row[k] for k in GroupeAdmin.model_fields if k != "date_limite_locale"},
        date_limite_locale=local_time(row["date_limite"], row["fuseau_horaire"]),
    )


async def set_date_limite(
    conn: asyncpg.Connection, command: DateLimite, principal: Principal, deps: Deps
) -> GroupeAdmin:
    ensure_academie(principal, command.academie)
    rules = await rules_sql.list_rules(conn, command.examen)
    libelles = [r["groupe_libelle"] for r in rules if r["groupe"] == command.groupe]
    if not libelles:
        raise NotFound(f"Groupe {command.groupe} of {command.examen}")
    row, previous = await groupes_sql.set_date_limite(
        conn,
        examen=command.examen,
        session=command.session,
        academie=command.academie,
        code=command.groupe,
        libelle=libelles[0],
        zone=zone_name(command.academie),
        date_limite=command.date_limite,
        set_by=principal.account_id,
    )
    await audit_sql.record(
        conn,
        principal,
        deps.clock.now(),
        action="groupe.date_limite",
        target=f"groupe:{row['id']}",
        academie=command.academie,
        details={"before": previous, "after": command.date_limite},
    )
    return groupe_view(row)


async def list_groupes(
    conn: asyncpg.Connection, query: GroupesQuery, principal: Principal
) -> list[GroupeAdmin]:
    rows = await groupes_sql.list_groupes(
        conn, query.examen, query.session, scope(principal, query.academie)
    )
    return [groupe_view(row) for row in rows]
