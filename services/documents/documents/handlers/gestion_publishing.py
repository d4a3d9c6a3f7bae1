"""The generation worker's rounds: claimed batch items are rendered (off the event loop, in the
worker's process pool), put in the bucket under a generated key, then recorded in one
transaction (the document, who published it, the item done, `DocumentPublished` in the
outbox).

One document a candidature a batch, whatever the crashes or replicas: the item is claimed
with a lease (SKIP LOCKED); the recording transaction locks the item and records only while it
is pending, and `gestion_documents` UNIQUE (batch_id, candidature_id) backs it; a loser removes
its object. The key is recorded in `pending_objects` before the put and deleted by the
recording transaction, so the object of a crash between the put and the commit is removed
after `gestion_orphan_after_s` (`remove_queued_objects`).

Failures: an S3 error defers the item with a growing delay (late, never lost); a render that
raises is retried `max_render_attempts` times, then the item fails with the error; a template
that does not fit the candidature (a convocation to no épreuve it has) fails at once.

Documented exception to the handler contract, as `publishing.py`: it takes the pool, because
rendering and the put must hold no connection and no transaction.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from prometheus_client import Counter

from documents.adapters import gestion_sql, verifications_sql
from documents.adapters.documents_sql import NewDocument
from documents.adapters.gestion_sql import Item
from documents.deps import Deps
from documents.domain.errors import TemplateRefused
from documents.domain.stamp import Stamp
from documents.domain.templates import TEMPLATE, Version, check, kind_of, title_of, version_of
from documents.handlers.gestion import publish
from documents.handlers.publishing import Policy
from documents.handlers.verification import Issued, issue
from shared.db import in_transaction
from shared.erasure import lock_and_check_erased
from shared.storage import STORAGE, STORAGE_ERRORS, ObjectStore

log = logging.getLogger(__name__)

GENERATIONS = Counter(
    "documents_generations_total", "Generation attempts of batch items by outcome", ["outcome"]
)

# Renders one item (template parameters, candidature version, stamp, date) to PDF bytes.
Generate = Callable[[dict[str, Any], dict[str, Any], Stamp, datetime], Awaitable[bytes]]


class Generator:
    def __init__(
        self,
        pool: asyncpg.Pool,
        store: ObjectStore,
        deps: Deps,
        render: Generate,
        policy: Policy,
        *,
        max_render_attempts: int,
        orphan_after_s: float,
    ) -> None:
        self.pool = pool
        self.store = store
        self.deps = deps
        self.render = render
        self.policy = policy
        self.max_render_attempts = max_render_attempts
        self.orphan_after_s = orphan_after_s

    async def publish_due(self) -> int:
        """Claim a round of due items and generate each; return how many were claimed."""
        async with self.pool.acquire() as conn:
            items = await gestion_sql.claim_items(conn, self.policy.batch_size, self.policy.lease_s)
        for item in items:
            await self.generate(item)
        return len(items)

    async def remove_queued_objects(self) -> int:
        """Queue for removal the objects whose recording never came (a crash)."""
        async with self.pool.acquire() as conn:
            return await gestion_sql.queue_orphans(conn, self.orphan_after_s)

    async def generate(self, item: Item) -> bool:
        """Render, store, record; False when the item was deferred, failed, or done by
        another attempt."""
        template = TEMPLATE.validate_python(item.params)
        version = version_of(item.payload)
        try:
            check(template, version, strict=item.single)
        except TemplateRefused as refused:
            await self._fail(item, refused.detail)
            return False
        published_at = self.deps.clock.now()
        issued = self._issue(template, item, version, published_at)
        try:
            pdf = await self.render(item.params, item.payload, issued.stamp, published_at)
        except Exception as exc:  # a renderer bug or a broken pool: retried, then failed
            log.exception("generation failed", extra={"item": item.id})
            await self._render_failed(item, f"render: {exc!r}")
            return False
        document_id = uuid.uuid4()
        key = f"gestion/{document_id}.pdf"
        async with self.pool.acquire() as conn:
            await gestion_sql.object_pending(conn, key)
        try:
            stored = await self.store.put(key, pdf, "application/pdf")
        except STORAGE_ERRORS as exc:
            STORAGE.failed(exc)
            GENERATIONS.labels("storage_failed").inc()
            await self._defer(item, f"storage: {exc!r}")
            return False
        STORAGE.answered()
        document = NewDocument(
            id=document_id,
            candidature_id=item.candidature_id,
            account_id=version.candidature.account_id,
            academie=version.candidature.academie.code,
            kind=kind_of(template).value,
            title=title_of(template),
            version=None,
            object_key=stored.key,
            size=stored.size,
            sha256=stored.sha256,
            published_at=published_at,
        )

        async def record(conn: asyncpg.Connection) -> bool:
            if await lock_and_check_erased(conn, document.account_id):
                return False  # erased while it rendered (its items went with it)
            if not await gestion_sql.lock_pending_item(conn, item.id):
                return False  # done by another attempt, or erased with its candidature
            await publish(
                conn, document, version, "template", item.batch_id, item.created_by, self.deps
            )
            await verifications_sql.insert(conn, document_id, issued.stamp.code, issued.payload)
            await gestion_sql.item_done(conn, item.id, document_id)
            return True

        if not await in_transaction(self.pool, record):
            GENERATIONS.labels("duplicate").inc()
            await self._discard(key)
            return False
        GENERATIONS.labels("published").inc()
        return True

    def _issue(self, template: Any, item: Item, version: Version, published_at: datetime) -> Issued:
        """The document's code and signed token, printed on it: the content signed is the
        template's parameters with the candidature's version it was generated from."""
        zone = ZoneInfo(version.candidature.academie.fuseau_horaire)
        return issue(
            kind_of(template),
            version.candidature,
            version.version,
            published_at.astimezone(zone).date(),
            {"template": item.params, "candidature": item.payload},
            self.deps.keys,
        )

    async def _discard(self, key: str) -> None:
        """Our object names nothing: removed (or, if S3 fails now, collected later)."""
        with contextlib.suppress(*STORAGE_ERRORS):
            await self.store.remove(key)
            async with self.pool.acquire() as conn:
                await gestion_sql.object_recorded(conn, key)

    async def _fail(self, item: Item, error: str) -> None:
        GENERATIONS.labels("failed").inc()
        async with self.pool.acquire() as conn:
            await gestion_sql.item_failed(conn, item.id, error)

    async def _render_failed(self, item: Item, error: str) -> None:
        if item.attempts + 1 >= self.max_render_attempts:
            await self._fail(item, error)
        else:
            GENERATIONS.labels("render_failed").inc()
            await self._defer(item, error)

    async def _defer(self, item: Item, error: str) -> None:
        delay = self.policy.retry_delay_s(item.attempts + 1)
        async with self.pool.acquire() as conn:
            await gestion_sql.item_deferred(conn, item.id, delay, error)
