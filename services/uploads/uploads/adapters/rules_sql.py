"""The examens' pièce rules (table piece_rules, seeded by migration 001)."""

from __future__ import annotations

from typing import Any

import asyncpg

from uploads.domain.rules import Condition, Rule

COLUMNS = """id, examen, code, libelle, condition, categories, groupe, groupe_libelle, formats,
             max_bytes, active, updated_at"""


def to_rule(row: asyncpg.Record) -> Rule:
    return Rule(
        code=row["code"],
        libelle=row["libelle"],
        condition=Condition(row["condition"]),
        groupe=row["groupe"],
        groupe_libelle=row["groupe_libelle"],
        formats=tuple(row["formats"]),
        max_bytes=row["max_bytes"],
        categories=tuple(row["categories"]),
    )


async def active_rules(conn: asyncpg.Connection, examen: str) -> list[Rule]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM piece_rules WHERE examen = $1 AND active ORDER BY id", examen
    )
    return [to_rule(row) for row in rows]


async def list_rules(conn: asyncpg.Connection, examen: str | None) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""SELECT {COLUMNS} FROM piece_rules WHERE ($1::text IS NULL OR examen = $1)
            ORDER BY examen, id""",
        examen,
    )
    return rows


async def insert(conn: asyncpg.Connection, values: dict[str, Any]) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""INSERT INTO piece_rules (examen, code, libelle, condition, categories, groupe,
                                     groupe_libelle, formats, max_bytes, active)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (examen, code) DO NOTHING
            RETURNING {COLUMNS}""",
        values["examen"],
        values["code"],
        values["libelle"],
        values["condition"],
        values["categories"],
        values["groupe"],
        values["groupe_libelle"],
        values["formats"],
        values["max_bytes"],
        values["active"],
    )
    return row


async def update(
    conn: asyncpg.Connection, rule_id: int, values: dict[str, Any]
) -> asyncpg.Record | None:
    """Only the given fields change."""
    row: asyncpg.Record | None = await conn.fetchrow(
        f"""UPDATE piece_rules SET
                libelle = COALESCE($2, libelle),
                condition = COALESCE($3, condition),
                categories = COALESCE($4, categories),
                groupe = COALESCE($5, groupe),
                groupe_libelle = COALESCE($6, groupe_libelle),
                formats = COALESCE($7, formats),
                max_bytes = COALESCE($8, max_bytes),
                active = COALESCE($9, active),
                updated_at = now()
            WHERE id = $1
            RETURNING {COLUMNS}""",
        rule_id,
        values.get("libelle"),
        values.get("condition"),
        values.get("categories"),
        values.get("groupe"),
        values.get("groupe_libelle"),
        values.get("formats"),
        values.get("max_bytes"),
        values.get("active"),
    )
    return row
