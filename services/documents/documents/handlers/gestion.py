"""Documents published by gestionnaires, within their académies: an uploaded PDF recorded, a
generation from a template for one candidature or a batch, a batch's progress, a withdrawal.

A candidature, document or batch of another académie reads as unknown (404, the same answer as
an unknown id; the denial is logged), as in registration's back office; naming another
académie in a batch's filter is a logged 403 (`ensure_academie`), as registration's search.
Rendering is the generation worker's (`handlers/gestion_publishing.py`): these handlers record
the batch and its items, nothing is rendered in a request.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from documents.adapters import documents_sql, gestion_sql, verifications_sql
from documents.adapters.documents_sql import NewDocument
from documents.deps import Deps
from documents.domain.errors import (
    BatchNotFound,
    CandidatureNotFound,
    DocumentNotFound,
    WithdrawalRefused,
)
from documents.domain.templates import (
    TEMPLATE,
    AnyTemplate,
    Version,
    check,
    kind_of,
    title_of,
    version_of,
)
from documents.entrypoints.gestion_schemas import (
    BatchItemView,
    BatchSummary,
    BatchView,
    NewBatch,
    StaffDocumentView,
)
from documents.handlers.verification import Issued, issue
from shared.auth import Principal, ensure_academie
from shared.erasure import lock_and_check_erased
from shared.events.catalogue import DocumentKind, DocumentPublished
from shared.storage import Stored

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """A PDF already checked, stamped and stored (before the transaction) under a generated
    key; `verification` is the stamp it carries, recorded with it."""

    candidature_id: uuid.UUID
    document_id: uuid.UUID
    kind: DocumentKind
    title: str
    stored: Stored
    verification: Issued


def _within(principal: Principal, academie: str, what: str) -> bool:
    if academie in principal.academies:
        return True
    log.warning(
        "access denied",
        extra={
            "account_id": str(principal.account_id),
            "role": principal.role,
            "why": f"{what} of another académie",
        },
    )
    return False


async def candidature(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal
) -> tuple[asyncpg.Record, Version]:
    """A candidature of the gestionnaire's académies with a recorded version, else 404."""
    row = await gestion_sql.candidature(conn, candidature_id)
    if row is None or row["payload"] is None:
        raise CandidatureNotFound(candidature_id)
    if not _within(principal, row["academie"], "candidature"):
        raise CandidatureNotFound(candidature_id)
    return row, version_of(row["payload"])


def issue_for_upload(
    kind: DocumentKind, version: Version, pdf: bytes, title: str, deps: Deps
) -> Issued:
    """The code and signed token stamped on an uploaded PDF: dated today in the académie's
    zone, for the candidature's latest version known here (at least 1); the content signed is
    the uploaded file's SHA-256 (before its stamp) and its title."""
    ref = version.candidature
    today = deps.clock.now().astimezone(ZoneInfo(ref.academie.fuseau_horaire)).date()
    content = {"upload": {"sha256": hashlib.sha256(pdf).hexdigest(), "title": title}}
    return issue(kind, ref, max(version.version, 1), today, content, deps.keys)


async def record_upload(
    conn: asyncpg.Connection, upload: Upload, principal: Principal, deps: Deps
) -> StaffDocumentView:
    """The stored PDF becomes a document of the candidature with its verification, announced
    once."""
    row, version = await candidature(conn, upload.candidature_id, principal)
    if await lock_and_check_erased(conn, row["account_id"]):
        raise CandidatureNotFound(upload.candidature_id)
    document = NewDocument(
        id=upload.document_id,
        candidature_id=upload.candidature_id,
        account_id=row["account_id"],
        academie=row["academie"],
        kind=upload.kind.value,
        title=upload.title,
        version=None,
        object_key=upload.stored.key,
        size=upload.stored.size,
        sha256=upload.stored.sha256,
        published_at=deps.clock.now(),
    )
    await publish(conn, document, version, "upload", None, principal.account_id, deps)
    stamp = upload.verification
    await verifications_sql.insert(conn, document.id, stamp.stamp.code, stamp.payload)
    return await staff_document(conn, document.id)


async def publish(
    conn: asyncpg.Connection,
    document: NewDocument,
    version: Version,
    source: str,
    batch_id: uuid.UUID | None,
    published_by: uuid.UUID,
    deps: Deps,
) -> None:
    """Record a gestionnaire's stored document and announce it, in the caller's transaction."""
    await documents_sql.insert_document(conn, document)
    await gestion_sql.record_publication(
        conn, document.id, document.candidature_id, source, batch_id, published_by
    )
    await gestion_sql.object_recorded(conn, document.object_key)
    await deps.outbox.add(
        conn,
        DocumentPublished(
            document_id=document.id,
            candidature=version.candidature,
            kind=DocumentKind(document.kind),
            title=document.title,
            published_at=document.published_at,
        ),
    )


async def generate(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    template: AnyTemplate,
    principal: Principal,
    deps: Deps,
) -> BatchView:
    """A batch of one: refused at once (422) when the template does not fit the candidature."""
    row, version = await candidature(conn, candidature_id, principal)
    check(template, version, strict=True)
    filter = {"candidature_id": str(candidature_id)}
    batch_id = await _new_batch(
        conn, row["academie"], template, filter, principal, deps, candidature_id
    )
    await gestion_sql.add_item(conn, batch_id, candidature_id)
    return await batch(conn, batch_id, principal)


async def create_batch(
    conn: asyncpg.Connection, command: NewBatch, principal: Principal, deps: Deps
) -> BatchView:
    """An item for every matching candidature, generated in the background."""
    academie = command.filter.academie
    ensure_academie(principal, academie)
    filter = command.filter.model_dump(exclude_none=True)
    batch_id = await _new_batch(conn, academie, command.document, filter, principal, deps)
    await gestion_sql.add_matching_items(conn, batch_id, academie, filter)
    return await batch(conn, batch_id, principal)


async def _new_batch(
    conn: asyncpg.Connection,
    academie: str,
    template: AnyTemplate,
    filter: dict[str, Any],
    principal: Principal,
    deps: Deps,
    candidature_id: uuid.UUID | None = None,
) -> uuid.UUID:
    batch_id = uuid.uuid4()
    await gestion_sql.insert_batch(
        conn,
        gestion_sql.NewBatch(
            id=batch_id,
            academie=academie,
            template=template.template,
            params=template.model_dump(mode="json"),
            filter=filter,
            candidature_id=candidature_id,
            created_by=principal.account_id,
            created_at=deps.clock.now(),
        ),
    )
    return batch_id


async def batch(conn: asyncpg.Connection, batch_id: uuid.UUID, principal: Principal) -> BatchView:
    row = await gestion_sql.batch(conn, batch_id)
    if row is None or not _within(principal, row["academie"], "batch"):
        raise BatchNotFound(batch_id)
    items = [
        BatchItemView.model_validate({**dict(item), "error": item["last_error"]})
        for item in await gestion_sql.batch_items(conn, batch_id)
    ]
    return BatchView(**_summary(row), items=items)


async def batches(
    conn: asyncpg.Connection, academie: str | None, limit: int, principal: Principal
) -> list[BatchSummary]:
    """The batches of one of the gestionnaire's académies (another: a logged 403), or of all."""
    if academie is not None:
        ensure_academie(principal, academie)
    academies = [academie] if academie is not None else sorted(principal.academies)
    rows = await gestion_sql.batches(conn, academies, limit)
    return [BatchSummary(**_summary(row)) for row in rows]


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    template = TEMPLATE.validate_python(row["params"])
    return {
        **{name: row[name] for name in ("id", "academie", "template", "single", "filter")},
        **{name: row[name] for name in ("total", "done", "failed", "pending")},
        "kind": kind_of(template),
        "title": title_of(template),
        "finished": row["pending"] == 0,
        "created_by": row["created_by"],
        "created_at": row["created_at"],
    }


async def documents(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal
) -> list[StaffDocumentView]:
    await candidature(conn, candidature_id, principal)
    rows = await gestion_sql.documents_of(conn, candidature_id)
    return [_view(row) for row in rows]


async def withdraw(
    conn: asyncpg.Connection,
    document_id: uuid.UUID,
    reason: str,
    principal: Principal,
    deps: Deps,
) -> StaffDocumentView:
    """Hidden from Mes documents from now on; audited (who, when, why). A confirmation
    d'inscription is the candidature's own record: it goes only with the candidature (409)."""
    row = await gestion_sql.document(conn, document_id, lock=True)
    if row is None or not _within(principal, row["academie"], "document"):
        raise DocumentNotFound(document_id)
    if row["kind"] == DocumentKind.CONFIRMATION_INSCRIPTION:
        raise WithdrawalRefused(
            document_id, "A confirmation d'inscription cannot be withdrawn by a gestionnaire"
        )
    if row["withdrawn_at"] is not None:
        raise WithdrawalRefused(document_id, "The document is already withdrawn")
    await gestion_sql.withdraw(conn, document_id, principal.account_id, deps.clock.now(), reason)
    log.info("document withdrawn", extra={"document_id": str(document_id)})
    return await staff_document(conn, document_id)


async def staff_document(conn: asyncpg.Connection, document_id: uuid.UUID) -> StaffDocumentView:
    row = await gestion_sql.document(conn, document_id)
    if row is None:
        raise DocumentNotFound(document_id)
    return _view(row)


def _view(row: asyncpg.Record) -> StaffDocumentView:
    return StaffDocumentView.model_validate(
        {**dict(row), "withdrawal_reason": row["withdrawn_reason"]}
    )


async def expect_object(conn: asyncpg.Connection, key: str) -> None:
    """Before a put: the key is collected if no transaction ever records its object."""
    await gestion_sql.object_pending(conn, key)


async def object_gone(conn: asyncpg.Connection, key: str) -> None:
    await gestion_sql.object_recorded(conn, key)


async def recorded(conn: asyncpg.Connection, document_id: uuid.UUID) -> bool:
    return await gestion_sql.document(conn, document_id) is not None
