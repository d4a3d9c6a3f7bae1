"""Events as their producers would send them, with names that test accents and apostrophes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from shared.events.catalogue import (
    Academie,
    Adresse,
    CandidatureRef,
    Civilite,
    EpreuveInscrite,
    Examen,
    Identite,
    Recapitulatif,
)

NOM = "Lefèvre-d'Aubigné"
PRENOMS = "Hélène Éloïse"
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def random_email(prefix: str = "candidate") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def identite(nom: str = NOM, prenoms: str = PRENOMS) -> Identite:
    return Identite(
        civilite=Civilite.MME,
        nom_naissance=nom,
        prenoms=prenoms,
        date_naissance=date(2001, 4, 12),
        pays_naissance="France",
        commune_naissance="Besançon",
        nationalite="française",
        adresse=Adresse(
            ligne1="12 rue de l'Église", code_postal="25000", commune="Besançon", pays="France"
        ),
    )


def candidature_ref(email: str | None = None, fuseau: str = "Europe/Paris") -> CandidatureRef:
    return CandidatureRef(
        candidature_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        email=email or random_email(),
        civilite=Civilite.MME,
        nom=NOM,
        prenoms=PRENOMS,
        examen=Examen(code="BTS", libelle="BTS Banque – conseiller de clientèle"),
        session=2027,
        academie=Academie(code="BES", libelle="Besançon", fuseau_horaire=fuseau),
        specialite_code="BANQUE",
        specialite_libelle="Banque – conseiller de clientèle (particuliers)",
        numero_candidat="02712345678",
        numero_inscription="BES-2027-000042",
    )


def recapitulatif() -> Recapitulatif:
    return Recapitulatif(
        identite=identite(),
        categorie="FORMATION CONTINUE",
        etablissement="INDIVIDUELS 025",
        forme_passage="globale",
        epreuves=[
            EpreuveInscrite(
                code="E1",
                libelle="Culture générale et expression",
                nature="obligatoire",
                position="Inscrit",
                mode="Ponctuel",
            ),
            EpreuveInscrite(
                code="EF2",
                libelle="Certification professionnelle",
                nature="facultative",
                position="Non inscrit",
            ),
        ],
    )


def later(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)
