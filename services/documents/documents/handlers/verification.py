"""Verification of documents: issuing a document's code and signed token (before it is
rendered: both are printed on it), and answering `GET /api/v1/verification/{code}`.

A document is `valid` until a later version of its candidature supersedes it (a
confirmation describes one version), a gestionnaire withdraws it, or its candidature is
withdrawn or rejected. The answer carries no personal data beyond the initials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from documents.adapters import verifications_sql
from documents.adapters.signing import VerificationKeys
from documents.domain import verification
from documents.domain.errors import VerificationNotFound
from documents.domain.stamp import Stamp
from documents.domain.verification import (
    InvalidVerificationCode,
    VerificationPayload,
    content_sha256,
    initials,
    parse_verification_code,
    sign,
    verification_code,
)
from shared.events.catalogue import CandidatureCreated, CandidatureModified, CandidatureRef
from shared.events.catalogue import DocumentKind as Kind

# The token's kinds are short names of their own (they are printed in every QR code).
TOKEN_KINDS: dict[Kind, verification.DocumentKind] = {
    Kind.CONFIRMATION_INSCRIPTION: verification.DocumentKind.CONFIRMATION,
    Kind.DEMANDE_PIECES: verification.DocumentKind.DEMANDE_PIECES,
    Kind.RELANCE_PIECES: verification.DocumentKind.RELANCE_PIECES,
    Kind.NOTIFICATION_AMENAGEMENT: verification.DocumentKind.AMENAGEMENTS,
    Kind.CONVOCATION: verification.DocumentKind.CONVOCATION,
    Kind.RELEVE_DE_NOTES: verification.DocumentKind.RELEVE_NOTES,
    Kind.AUTRE: verification.DocumentKind.PUBLIE,
}


@dataclass(frozen=True)
class Issued:
    """What to print (`stamp`) and what to record with the document (`payload`)."""

    stamp: Stamp
    payload: VerificationPayload


def issue(
    kind: Kind,
    ref: CandidatureRef,
    version: int,
    issued_on: date,
    content: Any,
    keys: VerificationKeys,
) -> Issued:
    """A new code and the signed token of one document, `content` being what it is rendered
    from (JSON-able): the token carries its SHA-256, not the file's (see content_sha256)."""
    token_kind = TOKEN_KINDS[kind]
    payload = VerificationPayload(
        kind=token_kind,
        numero_candidat=ref.numero_candidat,
        numero_inscription=ref.numero_inscription,
        version=version,
        date=issued_on,
        initials=initials(ref.prenoms, ref.nom),
        sha256=content_sha256(token_kind, content),
        kid=keys.kid,
    )
    return Issued(Stamp(verification_code(), sign(payload, keys.private_key)), payload)


def issue_confirmation(
    event: CandidatureCreated | CandidatureModified,
    content: dict[str, Any],
    keys: VerificationKeys,
) -> Issued:
    """A confirmation is dated the day its version was saved, in the académie's zone."""
    zone = ZoneInfo(event.candidature.academie.fuseau_horaire)
    return issue(
        Kind.CONFIRMATION_INSCRIPTION,
        event.candidature,
        event.version,
        event.saved_at.astimezone(zone).date(),
        content,
        keys,
    )


async def check(conn: asyncpg.Connection, text: str) -> asyncpg.Record:
    """The verification a typed code names, or `VerificationNotFound`. A malformed code costs
    the same lookup as an unknown one (no answer-time hint of which it was)."""
    try:
        code: str | None = parse_verification_code(text)
    except InvalidVerificationCode:
        code = None
    found = await verifications_sql.find(conn, code or "")
    if code is None or found is None:
        raise VerificationNotFound(text)
    return found


def status_of(found: asyncpg.Record) -> str:
    if found["withdrawn_at"] is not None:
        return "withdrawn"
    if found["candidature_withdrawn_at"] is not None:
        return "candidature_withdrawn"
    if found["candidature_rejected_at"] is not None:
        return "candidature_rejected"
    latest = found["latest_version"]
    confirmation = found["document_kind"] == Kind.CONFIRMATION_INSCRIPTION
    if confirmation and latest is not None and latest > found["version"]:
        return "superseded"
    return "valid"
