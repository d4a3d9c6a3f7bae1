"""What the gestionnaire's document tests share: a replica rendering in threads, candidatures
the service has heard of, tokens, PDFs, and reading back the outbox and the bucket."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import asyncpg
from pypdf import PdfWriter

from shared.auth import Role
from shared.events.catalogue import CandidatureCreated
from shared.testing import factories
from shared.testing.helpers import wait_until
from shared.testing.service import ServiceUnderTest
from shared.testing.tokens import TestKeys

# Rendering in a thread (no process to spawn per test); one test runs the process pool.
THREADS: dict[str, Any] = {
    "render_processes": 0,
    "gestion_processes": 0,
    "gestion_retry_initial_s": 0.1,
    "gestion_retry_max_s": 0.3,
}
PDF = "application/pdf"


def gestionnaire(test_keys: TestKeys, *academies: str) -> dict[str, str]:
    token = test_keys.token(Role.GESTIONNAIRE, academies=academies or ("BES",))
    return {"Authorization": f"Bearer {token}"}


def candidat(test_keys: TestKeys, account_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": f"Bearer {test_keys.token(Role.CANDIDAT, account_id=account_id)}"}


def a_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def known(service: ServiceUnderTest, **overrides: Any) -> CandidatureCreated:
    """A candidature whose CandidatureCreated the service has recorded."""
    created = factories.candidature_created(**overrides)
    await service.publish(created)
    candidature_id = created.candidature.candidature_id

    async def recorded() -> bool:
        found = await service.pool.fetchval(
            "SELECT 1 FROM candidature_snapshots WHERE candidature_id = $1", candidature_id
        )
        return found is not None

    assert await wait_until(recorded)
    return created


async def published_events(pool: asyncpg.Pool, kind: str | None = None) -> list[dict[str, Any]]:
    """The DocumentPublished payloads in the outbox: of one kind, or all but the
    confirmations (which every candidature gets)."""
    rows = await pool.fetch("SELECT body FROM outbox WHERE event_type = 'DocumentPublished'")
    payloads = [json.loads(row["body"])["payload"] for row in rows]
    if kind is None:
        return [p for p in payloads if p["kind"] != "confirmation_inscription"]
    return [p for p in payloads if p["kind"] == kind]


async def object_keys(pool: asyncpg.Pool, prefix: str = "gestion/") -> list[str]:
    rows = await pool.fetch(
        "SELECT object_key FROM documents WHERE object_key LIKE $1 || '%'", prefix
    )
    return [row["object_key"] for row in rows]
