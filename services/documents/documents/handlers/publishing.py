"""Publishing confirmations: claimed render jobs are rendered (off the event loop), put in the
bucket under a generated key, then recorded in one transaction (the document, the job done,
`DocumentPublished` in the outbox).

Exactly one document a version, whatever the redeliveries, crashes or replicas: the job is
claimed with a lease (SKIP LOCKED), and the document's UNIQUE (candidature, kind, version)
decides between two attempts that both rendered and stored; the loser removes its object. A
crash between the put and the commit leaves an object no document names (the job is done
again when its lease ends, under another key). An S3 failure defers the job with a growing
delay: documents are late, none is lost; the outage is reported once (`STORAGE`).

Documented exception to the handler contract: this module takes the pool, because rendering
and the put must hold no connection and no transaction.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from minio.error import InvalidResponseError, S3Error, ServerError
from prometheus_client import Counter
from urllib3.exceptions import HTTPError

from documents.adapters import documents_sql, jobs_sql
from documents.adapters.documents_sql import NewDocument
from documents.adapters.jobs_sql import RenderJob
from documents.deps import Deps
from shared.db import in_transaction
from shared.erasure import lock_and_check_erased
from shared.events.catalogue import (
    CandidatureCreated,
    CandidatureModified,
    DocumentKind,
    DocumentPublished,
)
from shared.storage import STORAGE, ObjectStore

log = logging.getLogger(__name__)

STORAGE_ERRORS = (S3Error, ServerError, InvalidResponseError, HTTPError, OSError)
RENDERS = Counter("documents_renders_total", "Render job attempts by outcome", ["outcome"])

# Renders one job's event (type, JSON payload) to PDF bytes, off the event loop.
Render = Callable[[str, dict[str, Any]], Awaitable[bytes]]


@dataclass(frozen=True)
class Policy:
    batch_size: int
    lease_s: float
    retry_initial_s: float
    retry_max_s: float

    def retry_delay_s(self, attempts: int) -> float:
        """After the `attempts`-th failure: doubling from the initial delay, capped."""
        return float(min(self.retry_initial_s * 2 ** max(attempts - 1, 0), self.retry_max_s))


def confirmation_title(version: int) -> str:
    return f"Confirmation d’inscription – version {version}"


def event_of(job: RenderJob) -> CandidatureCreated | CandidatureModified:
    if job.event_type == "CandidatureModified":
        return CandidatureModified.model_validate(job.payload)
    return CandidatureCreated.model_validate(job.payload)


class Publisher:
    def __init__(
        self, pool: asyncpg.Pool, store: ObjectStore, deps: Deps, render: Render, policy: Policy
    ) -> None:
        self.pool = pool
        self.store = store
        self.deps = deps
        self.render = render
        self.policy = policy

    async def publish_due(self) -> int:
        """Claim a batch of due jobs and publish each; return how many were claimed."""
        async with self.pool.acquire() as conn:
            jobs = await jobs_sql.claim_due(conn, self.policy.batch_size, self.policy.lease_s)
        for job in jobs:
            await self.publish(job)
        return len(jobs)

    async def publish(self, job: RenderJob) -> bool:
        """Render, store, record; False when the job was deferred or another attempt won."""
        try:
            pdf = await self.render(job.event_type, job.payload)
        except Exception as exc:  # a bad payload or a renderer bug: retried, then visible
            log.exception("rendering failed", extra={"job": job.id})
            RENDERS.labels("render_failed").inc()
            await self._defer(job, f"render: {exc!r}")
            return False
        document_id = uuid.uuid4()
        key = f"confirmations/{document_id}.pdf"
        try:
            stored = await self.store.put(key, pdf, "application/pdf")
        except STORAGE_ERRORS as exc:
            STORAGE.failed(exc)
            RENDERS.labels("storage_failed").inc()
            await self._defer(job, f"storage: {exc!r}")
            return False
        STORAGE.answered()
        event = event_of(job)
        ref = event.candidature
        document = NewDocument(
            id=document_id,
            candidature_id=ref.candidature_id,
            account_id=ref.account_id,
            academie=ref.academie.code,
            kind=DocumentKind.CONFIRMATION_INSCRIPTION.value,
            title=confirmation_title(event.version),
            version=event.version,
            object_key=stored.key,
            size=stored.size,
            sha256=stored.sha256,
            published_at=self.deps.clock.now(),
        )

        async def record(conn: asyncpg.Connection) -> bool:
            if await lock_and_check_erased(conn, document.account_id):
                await jobs_sql.mark_done(conn, job.id)  # erased while it rendered: dropped
                return False
            published = await documents_sql.insert_document(conn, document)
            if published:
                await self.deps.outbox.add(
                    conn,
                    DocumentPublished(
                        document_id=document.id,
                        candidature=ref,
                        kind=DocumentKind.CONFIRMATION_INSCRIPTION,
                        title=document.title,
                        version=event.version,
                        published_at=document.published_at,
                    ),
                )
            await jobs_sql.mark_done(conn, job.id)
            return published

        published = await in_transaction(self.pool, record)
        if not published:  # another attempt won, or the account was erased: ours names nothing
            RENDERS.labels("duplicate").inc()
            with contextlib.suppress(*STORAGE_ERRORS):
                await self.store.remove(key)
            return False
        RENDERS.labels("published").inc()
        return True

    async def remove_queued_objects(self, limit: int = 100) -> int:
        """Remove the objects queued by an erasure (removing a missing key is not an error,
        so two replicas doing it at once is harmless); kept queued while S3 fails."""
        async with self.pool.acquire() as conn:
            keys = await documents_sql.objects_to_remove(conn, limit)
        removed: list[str] = []
        for key in keys:
            try:
                await self.store.remove(key)
            except STORAGE_ERRORS as exc:
                STORAGE.failed(exc)
                break
            removed.append(key)
        if removed:
            async with self.pool.acquire() as conn:
                await documents_sql.objects_removed(conn, removed)
        return len(removed)

    async def _defer(self, job: RenderJob, error: str) -> None:
        delay = self.policy.retry_delay_s(job.attempts + 1)
        async with self.pool.acquire() as conn:
            await jobs_sql.defer(conn, job.id, delay, error)
