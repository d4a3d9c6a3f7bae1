"""Mes justificatifs as the candidate reads it (guide, 10): the uploads service's `MesPieces`
(its groups by date limite, each pièce with its status and current files) turned into what the
page shows and which buttons it offers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The guide's words for the four cases (no status: deposited, not checked yet).
STATUTS = {"recue": "Reçue", "conforme": "Conforme", "non_conforme": "Non Conforme"}
FORMATS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg,.jpeg", "image/png": ".png"}


@dataclass(frozen=True)
class Fichier:
    id: str
    name: str
    size: int
    deposited_at: str


@dataclass(frozen=True)
class Piece:
    id: str
    libelle: str
    statut: str
    commentaire: str | None
    formats: list[str]
    # The file input's `accept`: extensions and media types, so the picker shows only those.
    accept: str
    max_bytes: int
    received_at: str | None
    deposited_at: str | None
    validated_at: str | None
    fichiers: list[Fichier]
    active: bool
    # Ajouter, Remplacer and Supprimer are offered (the service decides; the page follows).
    modifiable: bool


@dataclass(frozen=True)
class Groupe:
    id: str
    libelle: str
    date_limite: str
    fuseau: str
    depot_ouvert: bool
    pieces: list[Piece]
    # J'ai fourni toutes mes pièces is offered: the deposit is open and a pièce awaits it.
    a_declarer: bool
    # Every needed pièce validated: the latest validation date.
    fournies_le: str | None


@dataclass(frozen=True)
class MesPieces:
    numero_inscription: str
    closed: bool
    groupes: list[Groupe]


def statut(value: Any) -> str:
    return STATUTS.get(str(value), "") if value else ""


def fichier(item: Mapping[str, Any]) -> Fichier:
    return Fichier(str(item["id"]), str(item["name"]), int(item["size"]), item["deposited_at"])


def piece(item: Mapping[str, Any], depot_ouvert: bool, closed: bool) -> Piece:
    media_types: Sequence[str] = item["formats"]
    return Piece(
        id=str(item["id"]),
        libelle=item["libelle"],
        statut=statut(item.get("status")),
        commentaire=item.get("status_comment") or None,
        formats=[FORMATS.get(m, m) for m in media_types],
        accept=",".join([EXTENSIONS.get(m, "") for m in media_types] + list(media_types)),
        max_bytes=int(item["max_bytes"]),
        received_at=item.get("received_at"),
        deposited_at=item.get("deposited_at"),
        validated_at=item.get("validated_at"),
        fichiers=[fichier(f) for f in item["files"]],
        active=bool(item["active"]),
        modifiable=depot_ouvert and not closed and item["active"] and not item["locked"],
    )


def groupe(item: Mapping[str, Any], closed: bool) -> Groupe:
    ouvert = bool(item["depot_ouvert"])
    pieces = [piece(p, ouvert, closed) for p in item["pieces"]]
    needed = [p for p in pieces if p.active]
    validated = [p.validated_at for p in needed if p.validated_at]
    return Groupe(
        id=str(item["id"]),
        libelle=item["libelle"],
        date_limite=item["date_limite"],
        fuseau=item["fuseau_horaire"],
        depot_ouvert=ouvert,
        pieces=pieces,
        a_declarer=ouvert and not closed and len(validated) < len(needed),
        fournies_le=max(validated) if needed and len(validated) == len(needed) else None,
    )


def mes_pieces(answer: Mapping[str, Any]) -> MesPieces:
    """`GET /api/v1/me/candidatures/{id}/pieces`, groups by date limite (the earliest first)."""
    closed = bool(answer["closed"])
    groupes = [groupe(g, closed) for g in answer["groupes"]]
    return MesPieces(
        numero_inscription=answer["numero_inscription"],
        closed=closed,
        groupes=sorted(groupes, key=lambda g: g.date_limite),
    )
