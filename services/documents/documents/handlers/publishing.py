"""Publishing confirmations: claimed render jobs are rendered (off the event loop), put in the
bucket under a generated key, then recorded in one transaction (the document, its
verification code, the job done, `DocumentPublished` in the outbox).

Exactly one document a version, whatever the redeliveries, crashes or replicas: the job is
claimed with a lease (SKIP LOCKED) renewed while the batch is worked on, and the document's
UNIQUE (candidature, kind, version) decides between two attempts that both rendered and
stored; the loser removes its object. Each attempt records the key it is about to put in the
job (`pending_keys`) before the put; a key still there when the next attempt starts was put
by an attempt that never committed (a crash between the put and the commit) and is queued
for removal, so no object is left that no document names. An S3 failure defers the job with a
growing delay: documents are late, none is lost; the outage is reported once (`STORAGE`). A
render or record that keeps failing stops after `max_attempts` (status `failed`, listed for
an administrateur).

Every confirmation carries its verification code and signed QR token (`handlers.verification`),
drawn before the render (they are printed on it) and recorded with the document.

Documented exception to the handler contract: this module takes the pool, because rendering
and the put must hold no connection and no transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from prometheus_client import Counter

from documents.adapters import documents_sql, jobs_sql, verifications_sql
from documents.adapters.documents_sql import NewDocument
from documents.adapters.jobs_sql import RenderJob
from documents.deps import Deps
from documents.domain.stamp import Stamp
from documents.handlers.verification import issue_confirmation
from shared.db import DATABASE_UNREACHABLE, in_transaction
from shared.erasure import lock_and_check_erased
from shared.events.catalogue import (
    CandidatureCreated,
    CandidatureModified,
    DocumentKind,
    DocumentPublished,
)
from shared.storage import STORAGE, STORAGE_ERRORS, ObjectStore

log = logging.getLogger(__name__)

RENDERS = Counter("documents_renders_total", "Render job attempts by outcome", ["outcome"])

# Renders one job's event (type, JSON payload) with its verification stamp to PDF bytes, off
# the event loop.
Render = Callable[[str, dict[str, Any], Stamp | None], Awaitable[bytes]]


@dataclass(frozen=True)
class Policy:
    batch_size: int
    lease_s: float
    retry_initial_s: float
    retry_max_s: float
    max_attempts: int = 8
    # Jobs of a batch in flight at once (render processes + 1 keeps every process busy).
    concurrency: int = 1

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
        """Claim a batch of due jobs and publish each, their lease renewed until each is
        finished; return how many were claimed."""
        async with self.pool.acquire() as conn:
            jobs = await jobs_sql.claim_due(conn, self.policy.batch_size, self.policy.lease_s)
        if not jobs:
            return 0
        held = {job.id: job.attempts for job in jobs}
        renewing = asyncio.ensure_future(self._renew_leases(held))
        # `concurrency` jobs in flight: one renders while another is put and recorded.
        slots = asyncio.Semaphore(self.policy.concurrency)

        async def one(job: RenderJob) -> None:
            async with slots:
                await self._publish_or_count_failure(job)
                held.pop(job.id)

        try:
            outcomes = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return len(jobs)

    async def _publish_or_count_failure(self, job: RenderJob) -> None:
        try:
            await self.publish(job)
        except DATABASE_UNREACHABLE:
            raise  # not the job's fault: its lease runs out and it is claimed again
        except Exception as exc:  # a record that fails (a bug, a constraint): counted
            log.exception("publishing failed", extra={"job": job.id})
            RENDERS.labels("record_failed").inc()
            await self._count_failure(job, f"record: {exc!r}")

    async def _renew_leases(self, held: dict[int, int]) -> None:
        """Every third of the lease, while the batch is worked on: a slow render or put is
        never taken for a crashed worker's and done twice."""
        while True:
            await asyncio.sleep(self.policy.lease_s / 3)
            try:
                async with self.pool.acquire() as conn:
                    await jobs_sql.renew(conn, dict(held), self.policy.lease_s)
            except DATABASE_UNREACHABLE as exc:  # the record will fail too; reported there
                log.debug("lease renewal failed", exc_info=exc)
            except Exception:  # renewal must outlive one failure, and never fail the batch
                log.warning("lease renewal failed", exc_info=True)

    async def publish(self, job: RenderJob) -> bool:
        """Render, store, record; False when the job was deferred or another attempt won."""
        if job.pending_keys:
            await in_transaction(self.pool, lambda conn: jobs_sql.collect_orphans(conn, job.id))
        try:
            event = event_of(job)
            issued = issue_confirmation(event, job.payload, self.deps.keys)
            pdf = await self.render(job.event_type, job.payload, issued.stamp)
        except Exception as exc:  # a bad payload or a renderer bug: retried, then visible
            log.exception("rendering failed", extra={"job": job.id})
            RENDERS.labels("render_failed").inc()
            await self._count_failure(job, f"render: {exc!r}")
            return False
        document_id = uuid.uuid4()
        key = f"confirmations/{document_id}.pdf"
        async with self.pool.acquire() as conn:
            if not await jobs_sql.intend_key(conn, job.id, key):
                RENDERS.labels("duplicate").inc()
                return False  # done by another attempt meanwhile (or erased)
        try:
            stored = await self.store.put(key, pdf, "application/pdf")
        except STORAGE_ERRORS as exc:
            STORAGE.failed(exc)
            RENDERS.labels("storage_failed").inc()
            await self._defer(job, f"storage: {exc!r}")
            return False
        STORAGE.answered()
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
            if not await jobs_sql.settle_key(conn, job.id, key):
                return False  # our lease ran out and a later attempt took our key: it decides
            published = await documents_sql.insert_document(conn, document)
            if published:
                await verifications_sql.insert(conn, document.id, issued.stamp.code, issued.payload)
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

    async def _count_failure(self, job: RenderJob, error: str) -> None:
        """A failure of the job itself (not an outage): after `max_attempts` it stops."""
        async with self.pool.acquire() as conn:
            if job.render_failures + 1 >= self.policy.max_attempts:
                log.error("render job failed for good", extra={"job": job.id})
                RENDERS.labels("failed").inc()
                await jobs_sql.fail(conn, job.id, error)
            else:
                delay = self.policy.retry_delay_s(job.render_failures + 1)
                await jobs_sql.count_failure(conn, job.id, delay, error)
