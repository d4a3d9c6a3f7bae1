"""The candidature: M'inscrire, the wizard's tabs, Enregistrer (Version n), Mes inscriptions,
Se désinscrire (domain.md §3; guide chapters 5, 6, 7 and 11).

Every write locks the candidature's row first (`FOR UPDATE`), so tabs, saves and withdrawals
of one candidature run one after the other; whether the window is open is decided in the
transaction at `deps.clock.now()`. Health answers (handicap, aménagement) live in their own
table and never reach a log line; events carry them as two booleans.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from registration.adapters import candidatures_sql as sql
from registration.adapters import fenetres_sql, identites_sql, referentiel_sql
from registration.deps import Deps
from registration.domain import candidature as rules
from registration.domain.candidature import (
    MODELS,
    SAISIE,
    InformationsSaisie,
    Onglet,
    Referentiel,
    Saisie,
    Tab,
)
from registration.domain.errors import (
    AccountNotActivated,
    CandidatureExists,
    CandidatureIncomplete,
    CandidatureNotFound,
    CandidatureState,
    IdentityMissing,
    Issue,
    TabRefused,
    UnknownReference,
    VersionMismatch,
    WindowClosed,
)
from registration.domain.fenetres import to_local, to_utc
from registration.domain.numeros import numero_candidat, numero_inscription
from registration.domain.referentiel import Coordonnees
from registration.entrypoints.schemas import (
    CandidatureView,
    EtatOnglet,
    Fermeture,
    MaCandidature,
    NouvelleCandidature,
    NumeroInscription,
    OngletView,
    Probleme,
    RecapitulatifView,
    VersionInfo,
    VersionView,
)
from registration.handlers.referentiel import service_gestionnaire
from shared.auth import Principal
from shared.events.catalogue import (
    Academie,
    AcquisDeclare,
    CandidatureCreated,
    CandidatureModified,
    CandidatureRef,
    CandidatureWithdrawn,
    EpreuveInscrite,
    Examen,
    Identite,
    Recapitulatif,
    ServiceGestionnaire,
    WithdrawnBy,
)

BROUILLON, ACTIVE, DESINSCRITE = "brouillon", "active", "desinscrite"
HEALTH = ("handicap", "amenagement")
# What the candidate finds in Mes documents after a save (guide 5.8 and chapter 6).
DOCUMENTS = ["Récapitulatif d'inscription (confirmation d'inscription), version {version:02d}"]


# --- M'inscrire --------------------------------------------------------------------------------


async def create(
    conn: asyncpg.Connection, command: NouvelleCandidature, principal: Principal, deps: Deps
) -> CandidatureView:
    now = deps.clock.now()
    key = (command.examen, command.session, command.academie)
    await _check_references(conn, *key)
    await _identity(conn, principal.account_id)
    await _open_window(conn, *key, now)
    candidature_id = uuid.uuid4()
    if not await sql.insert_candidature(conn, candidature_id, principal.account_id, *key, now):
        existing = await sql.current_of(conn, principal.account_id, command.examen, command.session)
        assert existing is not None  # the unique index refused the insert because of it
        raise CandidatureExists(existing)
    return await view(conn, candidature_id, principal, deps)


async def _check_references(
    conn: asyncpg.Connection, examen: str, session: int, academie: str
) -> None:
    issues: list[Issue] = []
    if await referentiel_sql.get_examen(conn, examen) is None:
        issues.append(Issue("examen", f"unknown examen {examen}", "unknown-code"))
    elif not await referentiel_sql.session_exists(conn, examen, session):
        issues.append(Issue("session", f"no session {session} for {examen}", "unknown-code"))
    if await referentiel_sql.get_academie(conn, academie) is None:
        issues.append(Issue("academie", f"unknown académie {academie}", "unknown-code"))
    if issues:
        raise UnknownReference(issues)


async def _identity(conn: asyncpg.Connection, account_id: uuid.UUID) -> asyncpg.Record:
    row = await identites_sql.get_identite(conn, account_id)
    if row is None or row["identite"] is None:
        raise IdentityMissing("no identity for the account")
    if row["activated_at"] is None:
        raise AccountNotActivated("the account is not activated")
    return row


async def _open_window(
    conn: asyncpg.Connection, examen: str, session: int, academie: str, at: datetime
) -> datetime:
    """The closing instant of the window open at `at`; WindowClosed (with the nearest
    window's dates) when none is."""
    found = await fenetres_sql.open_fenetre_at(conn, examen, session, academie, at)
    if found is not None:
        closes_at: datetime = found["fermeture"]
        return closes_at
    nearest = await sql.nearest_fenetre(conn, examen, session, academie, at)
    if nearest is None:
        raise WindowClosed(at, None, None, None)
    raise WindowClosed(at, nearest["ouverture"], nearest["fermeture"], nearest["fuseau_horaire"])


# --- reading a candidature ---------------------------------------------------------------------


async def _row(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, *, lock: bool
) -> asyncpg.Record:
    row = await sql.get_candidature(conn, candidature_id, principal.account_id, lock=lock)
    if row is None:
        raise CandidatureNotFound(candidature_id)
    return row


async def _saisie(conn: asyncpg.Connection, row: asyncpg.Record) -> Saisie:
    tabs: dict[str, dict[str, Any]] = dict(row["saisie"])
    sante = await sql.get_sante(conn, row["id"], 0)
    info = tabs.get(Onglet.INFORMATIONS.value)
    if info is not None and sante is not None:
        tabs[Onglet.INFORMATIONS.value] = {**info, "handicap": sante[0], "amenagement": sante[1]}
    identite = await identites_sql.get_identite(conn, row["account_id"])
    found = identite is not None and identite["identite"] is not None
    pays = identite["identite"].get("pays_naissance") if found and identite else None
    return Saisie(tabs=tabs, has_identite=found, pays_naissance=pays)


async def _referentiel(
    conn: asyncpg.Connection, row: asyncpg.Record, saisie: Saisie
) -> Referentiel:
    examen, session = row["examen_code"], row["session_annee"]
    specialites = await referentiel_sql.list_specialites(conn, examen, session)
    informations = saisie.informations
    qualification = saisie.qualification
    etablissement = (
        await sql.get_etablissement(conn, informations.etablissement) if informations else None
    )
    epreuves, dispenses = [], {}
    if qualification and any(s.code == qualification.specialite for s in specialites):
        found = await referentiel_sql.get_specialite(
            conn, examen, session, qualification.specialite
        )
        epreuves = found[1] if found else []
        dispenses = await referentiel_sql.diplome_dispenses(conn, examen, qualification.specialite)
    return Referentiel(
        session=session,
        academie=row["academie_code"],
        facultatives_max=await sql.facultatives_max(conn, examen, session) or 0,
        categories={c.code: c for c in await referentiel_sql.list_categories(conn)},
        types_acquis={t.code: t for t in await referentiel_sql.list_types_acquis(conn)},
        diplomes={
            d.code: rules.diplome_intitule(d.libelle, d.libelle_court)
            for d in await referentiel_sql.list_diplomes(conn)
        },
        academies=frozenset(a.code for a in await referentiel_sql.list_academies(conn)),
        specialites={s.code: s.libelle for s in specialites},
        etablissement=etablissement,
        epreuves=epreuves,
        diplome_dispenses=dispenses,
    )


def _problemes(issues: list[Issue]) -> list[Probleme]:
    return [Probleme(field=i.field, message=i.message, code=i.code) for i in issues]


def _next(tabs: dict[Onglet, list[Issue]]) -> str:
    for onglet in SAISIE:
        if tabs[onglet]:
            return onglet.value
    return Onglet.RECAPITULATIF.value


async def view(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> CandidatureView:
    row = await _row(conn, candidature_id, principal, lock=False)
    saisie = await _saisie(conn, row)
    ref = await _referentiel(conn, row, saisie)
    tabs = rules.tab_issues(saisie, ref)
    versions = await sql.list_versions(conn, candidature_id)
    current = (
        await sql.get_version(conn, candidature_id, row["version"]) if row["version"] else None
    )
    recap = Recapitulatif.model_validate(current["snapshot"]["recapitulatif"]) if current else None
    changed = current is not None and current["snapshot"].get("saisie") != row["saisie"]
    return CandidatureView(
        id=row["id"],
        statut=row["statut"],
        examen=row["examen_code"],
        session=row["session_annee"],
        academie=row["academie_code"],
        version=row["version"],
        numero_candidat=row["numero_candidat"],
        numero_inscription=row["numero_inscription"],
        onglets=[
            EtatOnglet(onglet=o.value, complet=not found, problemes=_problemes(found))
            for o, found in tabs.items()
        ],
        prochain_onglet=_next(tabs),
        enregistrable=row["statut"] != DESINSCRITE and not any(tabs.values()),
        versions=[VersionInfo(**dict(v)) for v in versions],
        recapitulatif=recap,
        modifications_en_cours=changed,
    )


async def get_tab(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    onglet: Onglet,
    principal: Principal,
    deps: Deps,
) -> OngletView:
    row = await _row(conn, candidature_id, principal, lock=False)
    return await _tab_view(conn, row, onglet)


async def _tab_view(conn: asyncpg.Connection, row: asyncpg.Record, onglet: Onglet) -> OngletView:
    saisie = await _saisie(conn, row)
    ref = await _referentiel(conn, row, saisie)
    issues = rules.tab_issues(saisie, ref)[onglet]
    identite = None
    if onglet == Onglet.IDENTIFICATION:
        found = await identites_sql.get_identite(conn, row["account_id"])
        if found is not None and found["identite"] is not None:
            identite = Identite.model_validate(found["identite"])
    return OngletView(
        candidature_id=row["id"],
        onglet=onglet.value,
        donnees=saisie.tabs.get(onglet.value),
        complet=not issues,
        problemes=_problemes(issues),
        identite=identite,
        modifiable=row["statut"] == BROUILLON
        or (row["statut"] == ACTIVE and onglet != Onglet.IDENTIFICATION),
    )


# --- writing a tab -----------------------------------------------------------------------------


def _writable(row: asyncpg.Record) -> None:
    if row["statut"] == DESINSCRITE:
        raise CandidatureState("candidature-withdrawn", "This candidature was withdrawn")


async def put_tab(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    onglet: Onglet,
    tab: Tab,
    principal: Principal,
    deps: Deps,
) -> OngletView:
    """Check the tab alone (against the référentiel and the tabs it depends on) and store it:
    all its problems in one 422, or nothing written."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    if onglet == Onglet.IDENTIFICATION and row["statut"] == ACTIVE:
        detail = (
            "The identification cannot change once the candidature is saved: "
            "contact the service gestionnaire"
        )
        raise CandidatureState("identity-locked", detail)
    await _open_window(conn, row["examen_code"], row["session_annee"], row["academie_code"], now)
    saisie = await _saisie(conn, row)
    data = tab.model_dump(mode="json")
    updated = Saisie(
        tabs={**saisie.tabs, onglet.value: data},
        has_identite=saisie.has_identite,
        pays_naissance=saisie.pays_naissance,
    )
    ref = await _referentiel(conn, row, updated)
    issues = rules.check(onglet, tab, updated, ref)
    if issues:
        raise TabRefused(issues)
    if isinstance(tab, InformationsSaisie):
        await sql.set_sante(conn, candidature_id, 0, tab.handicap, tab.amenagement)
        data = {k: v for k, v in data.items() if k not in HEALTH}
    await sql.set_tab(conn, candidature_id, onglet.value, data, now)
    fresh = await _row(conn, candidature_id, principal, lock=False)
    return await _tab_view(conn, fresh, onglet)


def parse_tab(onglet: Onglet, body: dict[str, Any]) -> Tab:
    return MODELS[onglet].model_validate(body)


# --- the récapitulatif --------------------------------------------------------------------------


async def recapitulatif(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> RecapitulatifView:
    row = await _row(conn, candidature_id, principal, lock=False)
    saisie = await _saisie(conn, row)
    ref = await _referentiel(conn, row, saisie)
    issues = rules.issues_of(rules.tab_issues(saisie, ref))
    identite = await identites_sql.get_identite(conn, row["account_id"])
    recap = None
    if identite is not None and identite["identite"] is not None:
        recap = _recapitulatif(saisie, ref, Identite.model_validate(identite["identite"]))
    office = await service_gestionnaire(conn, row["academie_code"], row["examen_code"])
    return RecapitulatifView(
        candidature_id=row["id"],
        recapitulatif=recap,
        problemes=_problemes(issues),
        service_gestionnaire=office,
    )


def _recapitulatif(saisie: Saisie, ref: Referentiel, identite: Identite) -> Recapitulatif | None:
    """What the filled tabs amount to; None while a tab it needs is missing."""
    informations = saisie.informations
    qualification = saisie.qualification
    diplome = saisie.parsed(Onglet.DIPLOME)
    identification = saisie.parsed(Onglet.IDENTIFICATION)
    categorie = ref.categories.get(informations.categorie) if informations else None
    if informations is None or qualification is None or categorie is None:
        return None
    by_code = {e.code: e for e in ref.epreuves}
    lignes = rules.lignes(saisie, categorie, ref)
    diplome_code = getattr(diplome, "diplome", None)
    parents = [
        name
        for name in (
            getattr(identification, "nom_parent_1", None),
            getattr(identification, "nom_parent_2", None),
        )
        if name
    ]
    return Recapitulatif(
        identite=identite,
        categorie=categorie.libelle,
        categorie_code=categorie.code,
        etablissement=ref.etablissement.libelle
        if ref.etablissement
        else informations.etablissement,
        etablissement_code=informations.etablissement,
        forme_passage=str(qualification.forme),
        diplome_possede=ref.diplomes.get(diplome_code) if diplome_code else None,
        diplome_code=diplome_code,
        consentement_presse=informations.consentement_presse,
        consentement_organismes_prives=informations.consentement_organismes_prives,
        consentement_collectivites=informations.consentement_collectivites,
        handicap=informations.handicap,
        amenagement=informations.amenagement,
        noms_parents=parents,
        acquis=[
            AcquisDeclare(
                type=a.type,
                annee=a.annee,
                academie=a.academie,
                epreuve=a.epreuve,
                note=None if a.note is None else str(a.note),
                utilise=a.utilise,
            )
            for a in saisie.acquis.acquis
        ],
        epreuves=[
            EpreuveInscrite(
                code=ligne.code,
                libelle=ligne.libelle,
                nature=ligne.nature,
                position=ligne.position,
                mode=ligne.mode,
                option=ligne.option,
                intitule=ligne.intitule,
                parent=ligne.parent,
                section=rules.section(ligne, by_code),
            )
            for ligne in lignes
        ],
    )


# --- Enregistrer -------------------------------------------------------------------------------


async def enregistrer(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    if_match: int | None,
    principal: Principal,
    deps: Deps,
) -> NumeroInscription:
    """Signing: every tab checked again and the window, then Version n+1 with its snapshot,
    the numbers on the first save, and CandidatureCreated / CandidatureModified."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    current = row["version"]
    # No If-Match names the first save (version 0): a concurrent save of the same draft, or
    # a modification sent without the version it changes, loses with 412.
    expected = 0 if if_match is None else if_match
    if expected != current:
        raise VersionMismatch(expected, current)
    examen, session, academie = row["examen_code"], row["session_annee"], row["academie_code"]
    closes_at = await _open_window(conn, examen, session, academie, now)
    identity = await _identity(conn, principal.account_id)
    saisie = await _saisie(conn, row)
    ref = await _referentiel(conn, row, saisie)
    issues = rules.issues_of(rules.tab_issues(saisie, ref))
    identite = Identite.model_validate(identity["identite"])
    recap = _recapitulatif(saisie, ref, identite)
    if issues or recap is None:
        raise CandidatureIncomplete(issues)
    numero_c = row["numero_candidat"] or await sql.numero_candidat(
        conn, principal.account_id, examen, session, lambda seq: numero_candidat(session, seq)
    )
    numero_i = row["numero_inscription"] or numero_inscription(
        examen, session, academie, await sql.next_inscription_sequence(conn)
    )
    office = await service_gestionnaire(conn, academie, examen)
    ref_event = await _candidature_ref(
        conn, row, identity, identite, ref, saisie, office, numero_c, numero_i
    )
    version = current + 1
    snapshot = {
        "candidature": ref_event.model_dump(mode="json"),
        "recapitulatif": recap.model_dump(mode="json", exclude=set(HEALTH)),
        "saisie": row["saisie"],
    }
    await sql.save_version(
        conn, candidature_id, version, now, closes_at, snapshot, numero_c, numero_i
    )
    informations = saisie.informations
    if informations is not None:
        await sql.set_sante(
            conn, candidature_id, version, informations.handicap, informations.amenagement
        )
    payload = (CandidatureCreated if version == 1 else CandidatureModified)(
        candidature=ref_event,
        version=version,
        saved_at=now,
        closes_at=closes_at,
        recapitulatif=recap,
    )
    await deps.outbox.add(conn, payload)
    zone = await _zone(conn, academie)
    return NumeroInscription(
        candidature_id=candidature_id,
        version=version,
        numero_candidat=numero_c,
        numero_inscription=numero_i,
        saved_at=now,
        fermeture=_fermeture(closes_at, zone),
        documents=[d.format(version=version) for d in DOCUMENTS],
        service_gestionnaire=office,
    )


async def _zone(conn: asyncpg.Connection, academie: str) -> str:
    found = await referentiel_sql.get_academie(conn, academie)
    return found.fuseau_horaire if found else "UTC"


def _fermeture(closes_at: datetime, zone: str) -> Fermeture:
    return Fermeture(
        fuseau_horaire=zone,
        fermeture_locale=to_local(closes_at, zone),
        fermeture_utc=to_utc(closes_at),
    )


async def _candidature_ref(
    conn: asyncpg.Connection,
    row: asyncpg.Record,
    identity: asyncpg.Record,
    identite: Identite,
    ref: Referentiel,
    saisie: Saisie,
    office: Coordonnees | None,
    numero_c: str,
    numero_i: str,
) -> CandidatureRef:
    examen = await referentiel_sql.get_examen(conn, row["examen_code"])
    academie = await referentiel_sql.get_academie(conn, row["academie_code"])
    assert examen is not None  # referenced by the candidature
    assert academie is not None
    qualification = saisie.qualification
    assert qualification is not None  # checked complete
    return CandidatureRef(
        candidature_id=row["id"],
        account_id=row["account_id"],
        email=identity["email"],
        civilite=identite.civilite,
        nom=identite.nom_usage or identite.nom_naissance,
        prenoms=identite.prenoms,
        examen=Examen(code=examen.code, libelle=examen.libelle),
        session=row["session_annee"],
        academie=Academie(
            code=academie.code, libelle=academie.libelle, fuseau_horaire=academie.fuseau_horaire
        ),
        specialite_code=qualification.specialite,
        specialite_libelle=ref.specialites[qualification.specialite],
        numero_candidat=numero_c,
        numero_inscription=numero_i,
        service_gestionnaire=(
            ServiceGestionnaire.model_validate(office.model_dump()) if office else None
        ),
    )


# --- Mes inscriptions, versions ----------------------------------------------------------------


async def mine(conn: asyncpg.Connection, principal: Principal, deps: Deps) -> list[MaCandidature]:
    rows = await sql.list_active_open(conn, principal.account_id, deps.clock.now())
    return [
        MaCandidature(
            id=row["id"],
            examen=row["examen_code"],
            session=row["session_annee"],
            academie=row["academie_code"],
            specialite=row["snapshot"]["candidature"].get("specialite_libelle"),
            version=row["version"],
            numero_candidat=row["numero_candidat"],
            numero_inscription=row["numero_inscription"],
            saved_at=row["saved_at"],
            fermeture=_fermeture(row["fermeture"], row["fuseau_horaire"]),
        )
        for row in rows
    ]


async def get_version(
    conn: asyncpg.Connection,
    candidature_id: uuid.UUID,
    version: int,
    principal: Principal,
    deps: Deps,
) -> VersionView:
    await _row(conn, candidature_id, principal, lock=False)
    found = await sql.get_version(conn, candidature_id, version)
    if found is None:
        raise CandidatureNotFound(f"{candidature_id} version {version}")
    recap = Recapitulatif.model_validate(found["snapshot"]["recapitulatif"])
    sante = await sql.get_sante(conn, candidature_id, version)
    if sante is not None:
        recap = recap.model_copy(update={"handicap": sante[0], "amenagement": sante[1]})
    return VersionView(
        candidature_id=candidature_id,
        version=found["version"],
        saved_at=found["saved_at"],
        closes_at=found["closes_at"],
        recapitulatif=recap,
    )


# --- Se désinscrire ----------------------------------------------------------------------------


async def desinscrire(
    conn: asyncpg.Connection, candidature_id: uuid.UUID, principal: Principal, deps: Deps
) -> CandidatureView:
    """While the window is open only (after it, a gestionnaire withdraws). A draft goes
    silently (nothing was announced); a saved candidature publishes CandidatureWithdrawn."""
    now = deps.clock.now()
    row = await _row(conn, candidature_id, principal, lock=True)
    _writable(row)
    await _open_window(conn, row["examen_code"], row["session_annee"], row["academie_code"], now)
    await sql.withdraw(conn, candidature_id, now)
    if row["statut"] == ACTIVE:
        current = await sql.get_version(conn, candidature_id, row["version"])
        assert current is not None  # an active candidature has its version
        ref_event = CandidatureRef.model_validate(current["snapshot"]["candidature"])
        # The email goes to the candidate's current address (the projection's), not the one
        # saved with the version: an address changed since then is where they read mail now.
        identity = await identites_sql.get_identite(conn, row["account_id"])
        if identity is not None and identity["email"]:
            ref_event = ref_event.model_copy(update={"email": identity["email"]})
        await deps.outbox.add(
            conn,
            CandidatureWithdrawn(
                candidature=ref_event, withdrawn_at=now, withdrawn_by=WithdrawnBy.CANDIDAT
            ),
        )
    return await view(conn, candidature_id, principal, deps)
